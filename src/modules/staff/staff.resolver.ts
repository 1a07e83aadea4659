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
  @Query(() => StaffUserConnection, { description: "Rule B1: the firm's staff users." })
  staffUsers(@Args(() => StaffUsersArgs) args: StaffUsersArgs, @Ctx() ctx: Context) {
    return ctx.services.staff.list(ctx.viewer, args);
  }

  @Authorized("STAFF")
  @Mutation(() => InviteStaffUserPayload, { description: "Rule B1 (admins): invites a staff user." })
  inviteStaffUser(@Arg("input", () => InviteStaffUserInput) input: InviteStaffUserInput, @Ctx() ctx: Context) {
    return ctx.services.staff.invite(ctx.viewer, input);
  }

  @Mutation(() => LoginPayload, { description: "An invited staff user sets a password through the invitation link and is logged in." })
  async acceptStaffInvitation(@Arg("input", () => AcceptStaffInvitationInput) input: AcceptStaffInvitationInput, @Ctx() ctx: Context) {
    const issued = await ctx.services.staff.acceptInvitation(input);
    const loggedIn = await createContext(ctx.services, issued.token, ctx.clientAddress, ctx.baseUrl);
    return { token: issued.token, expiresAt: issued.expiresAt, viewer: await describeViewer(loggedIn) };
  }

  @Authorized("STAFF")
  @Mutation(() => UpdateStaffUserPayload, { description: "Rule B1 (admins): role, permissions, name, deactivate or reactivate." })
  updateStaffUser(@Arg("input", () => UpdateStaffUserInput) input: UpdateStaffUserInput, @Ctx() ctx: Context) {
    return ctx.services.staff.update(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => UpdateMySettingsPayload, { description: "Rule B2: the viewer's own settings." })
  updateMySettings(@Arg("input", () => UpdateMySettingsInput) input: UpdateMySettingsInput, @Ctx() ctx: Context) {
    return ctx.services.staff.updateMySettings(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => ChangeMyPasswordPayload, { description: "Needs the current password; ends every other session." })
  changeMyPassword(@Arg("input", () => ChangeMyPasswordInput) input: ChangeMyPasswordInput, @Ctx() ctx: Context) {
    return ctx.services.staff.changeMyPassword(ctx.viewer, input);
  }
}
