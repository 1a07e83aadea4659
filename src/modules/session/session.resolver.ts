import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../context.js";
import { LoginInput, LoginPayload, LogoutPayload, ViewerInfo, ViewerKind } from "./session.types.js";
import { createContext } from "../../context.js";

/** The viewer as the API describes it; null when nobody (or only the operator) is logged in. */
async function describe(ctx: Context): Promise<ViewerInfo | null> {
  if (ctx.viewer.kind === "app") {
    const [tenant, appAccount, customers] = await Promise.all([
      ctx.services.tenant.current(ctx.viewer),
      ctx.services.accountAdmin.find(ctx.viewer, ctx.viewer.accountId),
      ctx.loaders.accessibleCustomers.load(ctx.viewer.accountId),
    ]);
    return Object.assign(new ViewerInfo(), { kind: ViewerKind.APP_ACCOUNT, tenant, staffUser: null, settings: null, appAccount, customers });
  }
  if (ctx.viewer.kind !== "staff") return null;
  const [tenant, staffUser] = await Promise.all([
    ctx.services.tenant.current(ctx.viewer),
    ctx.loaders.staffUser.load(ctx.viewer.userId),
  ]);
  // Settings (rule B2) live on the staff row the loader has already read.
  const settings = staffUser ? { emailNotifications: staffUser.emailNotifications } : null;
  return Object.assign(new ViewerInfo(), { kind: ViewerKind.STAFF, tenant, staffUser, settings, appAccount: null, customers: [] });
}

@Resolver()
export class SessionResolver {
  @Query(() => ViewerInfo, { nullable: true, description: "Who is logged in with this request's token; null without a valid one (never an error), so a client can check its token with it." })
  viewer(@Ctx() ctx: Context): Promise<ViewerInfo | null> {
    return describe(ctx);
  }

  @Mutation(() => LoginPayload, {
    description:
      "Logs in and returns a session token. Staff: email + password. App accounts: email + broker ID + password. Every wrong part gives the same UNAUTHENTICATED error; ACCOUNT_DEACTIVATED and APP_DISABLED are told only after a correct password. Attempts are counted before the password is checked, per account and client address, per account and per address; over a limit the answer is RATE_LIMITED with `retryAfterSeconds`.",
  })
  async login(@Arg("input", () => LoginInput) input: LoginInput, @Ctx() ctx: Context): Promise<LoginPayload> {
    const issued = input.brokerId
      ? await ctx.services.session.loginApp({ ...input, brokerId: input.brokerId }, ctx.clientAddress)
      : await ctx.services.session.loginStaff(input, ctx.clientAddress);
    const loggedIn = await createContext(ctx.services, issued.token, ctx.clientAddress, ctx.baseUrl);
    return { token: issued.token, expiresAt: issued.expiresAt, viewer: (await describe(loggedIn))! };
  }

  @Mutation(() => LogoutPayload, { description: "Ends this session: the token stops working and WebSockets opened with it close (code 4401)." })
  async logout(@Ctx() ctx: Context): Promise<LogoutPayload> {
    await ctx.services.session.logout(ctx.viewer);
    return { ok: true };
  }
}

export { describe as describeViewer };
