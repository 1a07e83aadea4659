import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
import type { LiveEvent } from "../../realtime/event-log.js";
import { adopt } from "../../realtime/live.js";
import { createContext } from "../../context.js";
import { describeViewer } from "../session/session.resolver.js";
import { LoginPayload } from "../session/session.types.js";
import { Customer } from "../customer/customer.types.js";
import {
  AccessChangedEvent,
  AppAccount,
  AppAccountConnection,
  AppAccountIdInput,
  AppAccountPayload,
  AppAccountsArgs,
  CustomerAccessInput,
  InviteCustomersInput,
  InviteCustomersPayload,
  LinkInfo,
  OkPayload,
  RegisterInput,
  RequestPasswordResetInput,
  ResetPasswordInput,
} from "./account.types.js";

@Resolver(() => AppAccount)
export class AccountResolver {
  @Authorized("STAFF")
  @Query(() => AppAccountConnection, { description: "Admins only: the firm's app accounts, optionally filtered by status (INVITED, ACTIVE, DEACTIVATED) and by part of the email or the customer's name (`search`)." })
  appAccounts(@Args(() => AppAccountsArgs) args: AppAccountsArgs, @Ctx() ctx: Context) {
    return ctx.services.accountAdmin.list(ctx.viewer, args);
  }

  @Authorized("STAFF")
  @Mutation(() => InviteCustomersPayload, { description: "Invites customers to the app, each on its own: one customer's failure changes and sends nothing for that customer and does not stop the others; `results` reports each. Inviting an INVITED account again mails a fresh link and voids the old one. A supplied email never silently replaces one on record (EMAIL_MISMATCH unless `replaceEmail`); an email another customer's login uses gives EMAIL_IN_USE with that login, to offer household access on. The mailed link carries only a token (see `linkInfo`). Fails with APP_DISABLED while the firm's customer app is switched off." })
  inviteCustomers(@Arg("input", () => InviteCustomersInput) input: InviteCustomersInput, @Ctx() ctx: Context) {
    return ctx.services.invitation.invite(ctx.viewer, input);
  }

  @Mutation(() => LoginPayload, { description: "Sets the password through the invitation link (the invited email, the link's token, a password meeting every password rule) and logs in. A refused password names every rule it misses." })
  async register(@Arg("input", () => RegisterInput) input: RegisterInput, @Ctx() ctx: Context) {
    const issued = await ctx.services.credentials.register(input, ctx.clientAddress);
    const loggedIn = await createContext(ctx.services, issued.token, ctx.clientAddress, ctx.baseUrl);
    return { token: issued.token, expiresAt: issued.expiresAt, viewer: await describeViewer(loggedIn) };
  }

  @Query(() => LinkInfo, {
    description:
      "No login needed: what the token of a link from a mail (invitation, password reset, app or staff) is for, with the firm's profile, its broker ID and the email to prefill. Nothing is used up. NOT_FOUND for a token that is unknown, used, expired or no longer usable.",
  })
  linkInfo(@Arg("token", () => String, { description: "The `token` parameter of the link." }) token: string, @Ctx() ctx: Context) {
    return ctx.services.credentials.linkInfo(token);
  }

  @Mutation(() => OkPayload, { description: "Always answers ok, whether or not the account exists; if an active account has this email and broker ID, mails it a single-use link valid for one hour. Throttled per client address (RATE_LIMITED); a few mails an hour at most per recipient and account, beyond that the answer stays ok and no mail is sent." })
  requestPasswordReset(@Arg("input", () => RequestPasswordResetInput) input: RequestPasswordResetInput, @Ctx() ctx: Context) {
    return ctx.services.credentials.requestPasswordReset(input, ctx.clientAddress);
  }

  @Mutation(() => OkPayload, { description: "Sets a new password with the reset link's token (same password rules as registration) and ends every session of the account." })
  resetPassword(@Arg("input", () => ResetPasswordInput) input: ResetPasswordInput, @Ctx() ctx: Context) {
    return ctx.services.credentials.resetPassword(input, ctx.clientAddress);
  }

  @Authorized("STAFF")
  @Mutation(() => AppAccountPayload, { description: "Admins only: activates an invited account by hand and mails the customer (in the invitation's salutation) a single-use link, valid 7 days, to set the password with `resetPassword`; the invitation link stops working. A deactivated account is reactivated instead (CONFLICT)." })
  activateAppAccount(@Arg("input", () => AppAccountIdInput) input: AppAccountIdInput, @Ctx() ctx: Context) {
    return ctx.services.accountAdmin.activate(ctx.viewer, input.id);
  }

  @Authorized("STAFF")
  @Mutation(() => AppAccountPayload, { description: "Admins only: deactivates the account and ends its sessions and open subscriptions at once." })
  deactivateAppAccount(@Arg("input", () => AppAccountIdInput) input: AppAccountIdInput, @Ctx() ctx: Context) {
    return ctx.services.accountAdmin.deactivate(ctx.viewer, input.id);
  }

  @Authorized("STAFF")
  @Mutation(() => AppAccountPayload, { description: "Admins only: reactivates a deactivated account: ACTIVE again, or INVITED if it never had a password." })
  reactivateAppAccount(@Arg("input", () => AppAccountIdInput) input: AppAccountIdInput, @Ctx() ctx: Context) {
    return ctx.services.accountAdmin.reactivate(ctx.viewer, input.id);
  }

  @Authorized("STAFF")
  @Mutation(() => OkPayload, { description: "Admins only: deletes the login, its sessions and tokens; the customer and its data stay." })
  deleteAppAccount(@Arg("input", () => AppAccountIdInput) input: AppAccountIdInput, @Ctx() ctx: Context) {
    return ctx.services.accountAdmin.delete(ctx.viewer, input.id);
  }

  @Authorized("STAFF")
  @Mutation(() => AppAccountPayload, { description: "Lets the account access a further customer of the firm (a household member), effective at once for the running app, which hears of it through `accessChanged`. The account's own customer gives CONFLICT." })
  grantCustomerAccess(@Arg("input", () => CustomerAccessInput) input: CustomerAccessInput, @Ctx() ctx: Context) {
    return ctx.services.household.setAccess(ctx.viewer, input, true);
  }

  @Authorized("STAFF")
  @Mutation(() => AppAccountPayload, { description: "Withdraws a granted customer, effective at once for the running app, which hears of it through `accessChanged`." })
  revokeCustomerAccess(@Arg("input", () => CustomerAccessInput) input: CustomerAccessInput, @Ctx() ctx: Context) {
    return ctx.services.household.setAccess(ctx.viewer, input, false);
  }

  @Authorized("APP")
  @Subscription(() => AccessChangedEvent, {
    description: "App accounts: the customers this account may access, sent whenever a grant or revocation changes them. Resumable with `after:` (the last event's cursor).",
    subscribe: ({ args, context }) => (context as Context).services.household.subscribeAccess((context as Context).viewer, args.after as string | undefined),
  })
  accessChanged(
    @Root() event: LiveEvent<Customer[]>,
    @Ctx() ctx: Context,
    @Arg("after", () => String, { nullable: true, description: "The cursor of the last event received; what came after it is sent first." }) _after?: string,
  ): AccessChangedEvent {
    return { cursor: event.cursor, customers: adopt(ctx, event) };
  }

  @FieldResolver(() => Customer, { description: "The account's own customer." })
  async customer(@Root() account: AppAccount, @Ctx() ctx: Context): Promise<Customer> {
    return (await ctx.loaders.customer.load(account.customerId))!;
  }

  @FieldResolver(() => [Customer], { description: "The customers this account may access: its own first, then the granted ones by name." })
  accessibleCustomers(@Root() account: AppAccount, @Ctx() ctx: Context): Promise<Customer[]> {
    return ctx.loaders.accessibleCustomers.load(account.dbId);
  }
}
