import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../context.js";
import { createContext } from "../../context.js";
import { describeViewer } from "../session/session.resolver.js";
import { LoginPayload } from "../session/session.types.js";
import { OkPayload } from "../account/account.types.js";
import {
  AcceptStaffInvitationInput,
  ChangeMyPasswordInput,
  ChangeMyPasswordPayload,
  InviteStaffUserInput,
  InviteStaffUserPayload,
  RequestStaffPasswordResetInput,
  ResetStaffPasswordInput,
  StaffInvitationInput,
  WithdrawStaffInvitationPayload,
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
  @Query(() => StaffUserConnection, { description: "Staff only: the firm's staff users, oldest first, optionally by status and by part of the name or email (`search`)." })
  staffUsers(@Args(() => StaffUsersArgs) args: StaffUsersArgs, @Ctx() ctx: Context) {
    return ctx.services.staff.list(ctx.viewer, args);
  }

  @Authorized("STAFF")
  @Mutation(() => InviteStaffUserPayload, {
    description:
      "Admins only: creates an INVITED staff user and mails a single-use link (valid 7 days, carrying only a token: see `linkInfo`) to set a password. The email of a pending invitation of this firm sends that invitation again (with the name, role and permissions given now; the old link stops working). CONFLICT if another staff user has this email.",
  })
  inviteStaffUser(@Arg("input", () => InviteStaffUserInput) input: InviteStaffUserInput, @Ctx() ctx: Context) {
    return ctx.services.staff.invite(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => InviteStaffUserPayload, {
    description: "Admins only: mails a pending invitation again with a fresh link (valid 7 days); the old link stops working. CONFLICT unless the staff user is INVITED.",
  })
  resendStaffInvitation(@Arg("input", () => StaffInvitationInput) input: StaffInvitationInput, @Ctx() ctx: Context) {
    return ctx.services.staff.resendInvitation(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => WithdrawStaffInvitationPayload, {
    description: "Admins only: withdraws a pending invitation: the INVITED staff user is removed and the link stops working. CONFLICT unless the staff user is INVITED.",
  })
  withdrawStaffInvitation(@Arg("input", () => StaffInvitationInput) input: StaffInvitationInput, @Ctx() ctx: Context) {
    return ctx.services.staff.withdrawInvitation(ctx.viewer, input);
  }

  @Mutation(() => OkPayload, {
    description:
      "No login needed: a staff user who forgot the password. Always answers ok, whether or not the email exists; if an active staff user has it, mails a single-use link valid for one hour (set the password with `resetStaffPassword`). Throttled per client address (RATE_LIMITED); a few mails an hour at most per recipient, beyond that the answer stays ok and no mail is sent.",
  })
  requestStaffPasswordReset(@Arg("input", () => RequestStaffPasswordResetInput) input: RequestStaffPasswordResetInput, @Ctx() ctx: Context) {
    return ctx.services.credentials.requestStaffPasswordReset(input, ctx.clientAddress);
  }

  @Mutation(() => OkPayload, {
    description: "Sets a staff user's new password with the reset link's token (the same password rules as the invitation) and ends every session of the user; then log in.",
  })
  resetStaffPassword(@Arg("input", () => ResetStaffPasswordInput) input: ResetStaffPasswordInput, @Ctx() ctx: Context) {
    return ctx.services.credentials.resetStaffPassword(input, ctx.clientAddress);
  }

  @Mutation(() => LoginPayload, { description: "An invited staff user sets a password through the invitation link and is logged in." })
  async acceptStaffInvitation(@Arg("input", () => AcceptStaffInvitationInput) input: AcceptStaffInvitationInput, @Ctx() ctx: Context) {
    const issued = await ctx.services.credentials.acceptStaffInvitation(input, ctx.clientAddress);
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
