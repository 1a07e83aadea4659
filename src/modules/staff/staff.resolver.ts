import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../context.js";
import { createContext } from "../../context.js";
import { describeViewer } from "../session/session.resolver.js";
import { LoginPayload } from "../session/session.types.js";
import {
  AcceptStaffInvitationInput,
  ChangeMyPasswordInput,
  ChangeMyPasswordPayload,
  InviteStaffUserInput,
  InviteStaffUserPayload,
  StaffUserConnection,
  StaffUsersArgs,
  UpdateMySettingsInput,
  UpdateMySettingsPayload,
  UpdateStaffUserInput,
  UpdateStaffUserPayload,
} from "./staff.types.js";

@Resolver()
export class StaffResolver {
  @Authorized("STAFF")
  @Query(() => StaffUserConnection, { description: "Staff only: the firm's staff users, oldest first, optionally by status." })
  staffUsers(@Args(() => StaffUsersArgs) args: StaffUsersArgs, @Ctx() ctx: Context) {
    return ctx.services.staff.list(ctx.viewer, args);
  }

  @Authorized("STAFF")
  @Mutation(() => InviteStaffUserPayload, {
    description:
      "Admins only: creates an INVITED staff user and mails a single-use link (valid 7 days) to set a password. CONFLICT if a staff user with this email exists already.",
  })
  inviteStaffUser(@Arg("input", () => InviteStaffUserInput) input: InviteStaffUserInput, @Ctx() ctx: Context) {
    return ctx.services.staff.invite(ctx.viewer, input);
  }

  @Mutation(() => LoginPayload, { description: "An invited staff user sets a password through the invitation link and is logged in." })
  async acceptStaffInvitation(@Arg("input", () => AcceptStaffInvitationInput) input: AcceptStaffInvitationInput, @Ctx() ctx: Context) {
    const issued = await ctx.services.credentials.acceptStaffInvitation(input);
    const loggedIn = await createContext(ctx.services, issued.token, ctx.clientAddress, ctx.baseUrl);
    return { token: issued.token, expiresAt: issued.expiresAt, viewer: await describeViewer(loggedIn) };
  }

  @Authorized("STAFF")
  @Mutation(() => UpdateStaffUserPayload, {
    description:
      "Admins only: changes a staff user's name, role or permissions, or deactivates (ending their sessions at once) or reactivates them. CONFLICT if the firm would be left without an active admin.",
  })
  updateStaffUser(@Arg("input", () => UpdateStaffUserInput) input: UpdateStaffUserInput, @Ctx() ctx: Context) {
    return ctx.services.staff.update(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => UpdateMySettingsPayload, { description: "Staff: changes the viewer's own settings." })
  updateMySettings(@Arg("input", () => UpdateMySettingsInput) input: UpdateMySettingsInput, @Ctx() ctx: Context) {
    return ctx.services.staff.updateMySettings(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => ChangeMyPasswordPayload, { description: "Staff: changes the viewer's own password. Needs the current one; ends every other session of the user (this one stays logged in)." })
  changeMyPassword(@Arg("input", () => ChangeMyPasswordInput) input: ChangeMyPasswordInput, @Ctx() ctx: Context) {
    return ctx.services.staff.changeMyPassword(ctx.viewer, input);
  }
}
