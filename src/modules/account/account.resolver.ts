import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
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
  OkPayload,
  RegisterInput,
  RequestPasswordResetInput,
  ResetPasswordInput,
} from "./account.types.js";

@Resolver(() => AppAccount)
export class AccountResolver {
  @Authorized("STAFF")
  @Query(() => AppAccountConnection, { description: "Rule D5 (admins): the firm's app accounts, by status." })
  appAccounts(@Args(() => AppAccountsArgs) args: AppAccountsArgs, @Ctx() ctx: Context) {
    return ctx.services.account.list(ctx.viewer, args);
  }

  @Authorized("STAFF")
  @Mutation(() => InviteCustomersPayload, { description: "Rules D1/D2: invite customers to the app (one customer: the single invitation)." })
  inviteCustomers(@Arg("input", () => InviteCustomersInput) input: InviteCustomersInput, @Ctx() ctx: Context) {
    return ctx.services.account.invite(ctx.viewer, input);
  }

  @Mutation(() => LoginPayload, { description: "Rule D4: set a password through the invitation link; logs in." })
  async register(@Arg("input", () => RegisterInput) input: RegisterInput, @Ctx() ctx: Context) {
    const issued = await ctx.services.account.register(input);
    const loggedIn = await createContext(ctx.services, issued.token, ctx.clientAddress, ctx.baseUrl);
    return { token: issued.token, expiresAt: issued.expiresAt, viewer: await describeViewer(loggedIn) };
  }

  @Mutation(() => OkPayload, { description: "Rule D7: always answers ok; mails a one-hour link if the account exists." })
  requestPasswordReset(@Arg("input", () => RequestPasswordResetInput) input: RequestPasswordResetInput, @Ctx() ctx: Context) {
    return ctx.services.account.requestPasswordReset(input, ctx.clientAddress);
  }

  @Mutation(() => OkPayload, { description: "Rule D7: sets a new password with the link's token; ends every session of the account." })
  resetPassword(@Arg("input", () => ResetPasswordInput) input: ResetPasswordInput, @Ctx() ctx: Context) {
    return ctx.services.account.resetPassword(input);
  }

  @Authorized("STAFF")
  @Mutation(() => AppAccountPayload, { description: "Rule D5 (admins): activate an invited account by hand." })
  activateAppAccount(@Arg("input", () => AppAccountIdInput) input: AppAccountIdInput, @Ctx() ctx: Context) {
    return ctx.services.account.activate(ctx.viewer, input.id);
  }

  @Authorized("STAFF")
  @Mutation(() => AppAccountPayload, { description: "Rule D5 (admins): ends its sessions and open subscriptions at once." })
  deactivateAppAccount(@Arg("input", () => AppAccountIdInput) input: AppAccountIdInput, @Ctx() ctx: Context) {
    return ctx.services.account.deactivate(ctx.viewer, input.id);
  }

  @Authorized("STAFF")
  @Mutation(() => AppAccountPayload, { description: "Rule D5 (admins)." })
  reactivateAppAccount(@Arg("input", () => AppAccountIdInput) input: AppAccountIdInput, @Ctx() ctx: Context) {
    return ctx.services.account.reactivate(ctx.viewer, input.id);
  }

  @Authorized("STAFF")
  @Mutation(() => OkPayload, { description: "Rule D3 (admins): deletes the login, its sessions and tokens; the customer's data stays." })
  deleteAppAccount(@Arg("input", () => AppAccountIdInput) input: AppAccountIdInput, @Ctx() ctx: Context) {
    return ctx.services.account.delete(ctx.viewer, input.id);
  }

  @Authorized("STAFF")
  @Mutation(() => AppAccountPayload, { description: "Rule D9: the account may access a further customer of the firm, at once." })
  grantCustomerAccess(@Arg("input", () => CustomerAccessInput) input: CustomerAccessInput, @Ctx() ctx: Context) {
    return ctx.services.account.setAccess(ctx.viewer, input, true);
  }

  @Authorized("STAFF")
  @Mutation(() => AppAccountPayload, { description: "Rule D9: withdraws a granted customer, at once." })
  revokeCustomerAccess(@Arg("input", () => CustomerAccessInput) input: CustomerAccessInput, @Ctx() ctx: Context) {
    return ctx.services.account.setAccess(ctx.viewer, input, false);
  }

  @Authorized("APP")
  @Subscription(() => AccessChangedEvent, {
    description: "Rule D9: the customers this app account may access, whenever a grant changes. Resumable with `after:`.",
    subscribe: ({ args, context }) => (context as Context).services.account.subscribeAccess((context as Context).viewer, args.after as string | undefined),
  })
  accessChanged(@Root() event: { cursor: string; value: Customer[] }, @Arg("after", () => String, { nullable: true }) _after?: string): AccessChangedEvent {
    return { cursor: event.cursor, customers: event.value };
  }

  @FieldResolver(() => Customer, { description: "The account's own customer." })
  async customer(@Root() account: AppAccount, @Ctx() ctx: Context): Promise<Customer> {
    return (await ctx.loaders.customer.load(account.customerId))!;
  }

  @FieldResolver(() => [Customer], { description: "Its own customer and the granted ones (rule D9)." })
  accessibleCustomers(@Root() account: AppAccount, @Ctx() ctx: Context): Promise<Customer[]> {
    return ctx.services.account.accessibleCustomers(account.tenantId, account.dbId);
  }
}
