import { and, count, eq, inArray, or, sql } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import type { Tx } from "../../db/client.js";
import { appAccounts, appAccountAccess, type AppAccountRow } from "./account.table.js";
import { customers } from "../customer/customer.table.js";
import { documentCategories } from "../document/document.table.js";
import { tenants, type TenantRow } from "../tenant/tenant.table.js";
import { authorize } from "../../auth/policies.js";
import { requireApp, type Viewer } from "../../auth/viewer.js";
import { AppError, ErrorCode, badInput, conflict, notFound } from "../../errors.js";
import { passwordProblems } from "../../auth/password.js";
import { OneTimeTokens } from "../../auth/one-time-tokens.js";
import { LOGIN_LIMITS } from "../../auth/rate-limit.js";
import { afterCursor, orderBy, toConnection, uuidKey, type SortKey } from "../../graphql/connection.js";
import { decodeId } from "../../graphql/relay.js";
import { normalizeBrokerId } from "../tenant/broker-id.js";
import { customerInvitationMail, firmProfile, passwordResetMail } from "../../mail/templates.js";
import type { Outbox } from "../../mail/outbox.js";
import type { EventLog } from "../../realtime/event-log.js";
import type { IssuedSession, SessionService } from "../session/session.service.js";
import { Customer } from "../customer/customer.types.js";
import { releaseToCustomer } from "./release.js";
import {
  AppAccount,
  InviteStatus,
  type AppAccountsArgs,
  type CustomerAccessInput,
  type InviteCustomersInput,
  type InviteResult,
  type RegisterInput,
  type RequestPasswordResetInput,
  type ResetPasswordInput,
} from "./account.types.js";

export const APP_INVITE_TTL_MS = 30 * 86_400_000;
/** Rule D7: a reset link is valid for one hour. */
export const PASSWORD_RESET_TTL_MS = 3_600_000;
export const ACCESS_CHANGED = "access.changed";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class AccountService {
  private readonly tokens: OneTimeTokens;

  constructor(
    private readonly deps: Deps,
    private readonly sessions: SessionService,
    private readonly outbox: Outbox,
    private readonly events: EventLog,
  ) {
    this.tokens = new OneTimeTokens(deps.clock);
  }

  /** Rule D5: admins list the firm's app accounts, optionally by status. */
  async list(viewer: Viewer, args: AppAccountsArgs) {
    const admin = authorize(viewer, "appAccount:manage");
    const { db } = this.deps.database;
    const keys: SortKey[] = [{ column: appAccounts.id, direction: "asc", decode: uuidKey }];
    const scope = and(eq(appAccounts.tenantId, admin.tenantId), args.status ? eq(appAccounts.status, args.status) : undefined);
    const rows = await db
      .select()
      .from(appAccounts)
      .where(and(scope, afterCursor(keys, args.after)))
      .orderBy(...orderBy(keys))
      .limit(args.first + 1);
    return toConnection(rows, args, (r) => [r.id], AppAccount.from, async () => {
      const [c] = await db.select({ n: count() }).from(appAccounts).where(scope);
      return c!.n;
    });
  }

  /** An app account: staff of the firm, or the account itself. */
  async find(viewer: Viewer, id: string): Promise<AppAccount | null> {
    if (viewer.kind === "app" && viewer.accountId !== id) return null;
    if (viewer.kind !== "staff" && viewer.kind !== "app") return null;
    const [row] = await this.deps.database.db
      .select()
      .from(appAccounts)
      .where(and(eq(appAccounts.id, id), eq(appAccounts.tenantId, viewer.tenantId)));
    return row ? AppAccount.from(row) : null;
  }

  /**
   * Rules D1/D2: invites customers one by one, each in its own transaction, so one failure
   * changes and sends nothing for that customer and does not stop the others.
   */
  async invite(viewer: Viewer, input: InviteCustomersInput): Promise<{ results: InviteResult[] }> {
    const staff = authorize(viewer, "appAccount:invite");
    const { db } = this.deps.database;
    const [tenant] = await db.select().from(tenants).where(eq(tenants.id, staff.tenantId));
    if (!tenant!.customerAppEnabled) throw new AppError(ErrorCode.APP_DISABLED, "The customer app of this firm is switched off", { rule: "A1" });
    const categoryIds = input.categoryIds.map((c, i) => decodeId(c, "DocumentCategory", `input.categoryIds.${i}`));
    if (input.sharing === "SELECTED_CATEGORIES") {
      if (categoryIds.length === 0) throw badInput([{ field: "input.categoryIds", rule: "REQUIRED", message: "choose at least one category, or share all documents" }]);
      const found = await db
        .select({ id: documentCategories.id })
        .from(documentCategories)
        .where(and(inArray(documentCategories.id, categoryIds), eq(documentCategories.tenantId, staff.tenantId)));
      if (found.length !== new Set(categoryIds).size) throw notFound("Document category");
    }
    const results: InviteResult[] = [];
    const seen = new Set<string>();
    for (const [i, invitee] of input.customers.entries()) {
      const base = { customerId: invitee.customerId, customer: null, appAccount: null, errorCode: null, message: null };
      try {
        const customerId = decodeId(invitee.customerId, "Customer", `input.customers.${i}.customerId`);
        // A second invitation in the same call would void the link the first one just mailed (rule D2).
        if (seen.has(customerId)) throw badInput([{ field: `input.customers.${i}.customerId`, rule: "UNIQUE", message: "names a customer listed before" }]);
        seen.add(customerId);
        const supplied = invitee.email?.trim().toLowerCase() || null;
        if (supplied && !EMAIL.test(supplied)) throw badInput([{ field: `input.customers.${i}.email`, rule: "EMAIL", message: "is not an email address" }]);
        const outcome = await this.deps.database.db.transaction((tx) =>
          this.inviteOne(tx as unknown as Tx, tenant!, customerId, supplied, input, categoryIds),
        );
        results.push({ ...base, ...outcome });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({ ...base, status: InviteStatus.ERROR, errorCode: err.code, message: err.message });
      }
    }
    return { results };
  }

  private async inviteOne(
    tx: Tx,
    tenant: TenantRow,
    customerId: string,
    suppliedEmail: string | null,
    input: InviteCustomersInput,
    categoryIds: string[],
  ): Promise<Pick<InviteResult, "status" | "customer" | "appAccount">> {
    const [customerRow] = await tx
      .select()
      .from(customers)
      .where(and(eq(customers.id, customerId), eq(customers.tenantId, tenant.id)))
      .for("update");
    if (!customerRow) throw notFound("Customer");
    const customer = Customer.from(customerRow);
    // An existing login decides first: an active one needs no email from the customer record.
    const [existing] = await tx.select().from(appAccounts).where(eq(appAccounts.customerId, customerId));
    if (existing?.status === "ACTIVE") return { status: InviteStatus.ALREADY_ACTIVE, customer, appAccount: AppAccount.from(existing) };
    if (existing?.status === "DEACTIVATED") throw conflict("This customer's login is deactivated; reactivate it instead", "D5");
    const email = suppliedEmail ?? customerRow.email;
    if (!email) return { status: InviteStatus.MISSING_EMAIL, customer, appAccount: null };
    const [taken] = await tx
      .select({ id: appAccounts.id })
      .from(appAccounts)
      .where(and(eq(appAccounts.tenantId, tenant.id), eq(appAccounts.email, email)));
    if (taken && taken.id !== existing?.id) throw conflict("Another customer's login uses this email address", "D1");

    const now = this.deps.clock.now();
    const updatedCustomer = suppliedEmail && suppliedEmail !== customerRow.email
      ? (await tx.update(customers).set({ email: suppliedEmail, updatedAt: now }).where(eq(customers.id, customerId)).returning())[0]!
      : customerRow;
    const values = { email, salutation: input.salutation, status: "INVITED" as const, invitedAt: now, updatedAt: now };
    const [account] = existing
      ? await tx.update(appAccounts).set(values).where(eq(appAccounts.id, existing.id)).returning()
      : await tx.insert(appAccounts).values({ ...values, tenantId: tenant.id, customerId }).returning();
    await releaseToCustomer(tx, { tenantId: tenant.id, customerId, sharing: input.sharing, categoryIds });
    // A fresh link voids the earlier one (rule D2).
    const { token } = await this.tokens.issue(tx, { tenantId: tenant.id, purpose: "APP_INVITE", subject: { appAccountId: account!.id }, ttlMs: APP_INVITE_TTL_MS });
    const link = this.appLink("register", { brokerId: tenant.brokerId, email, token });
    const mail = customerInvitationMail({ salutation: input.salutation, recipientName: `${updatedCustomer.firstName} ${updatedCustomer.lastName}`, link, firm: firmProfile(tenant) });
    await this.outbox.enqueue(tx, { ...mail, to: email, template: "app-invitation", tenantId: tenant.id });
    return { status: InviteStatus.INVITED, customer: Customer.from(updatedCustomer), appAccount: AppAccount.from(account!) };
  }

  /** A link that opens the app with the broker ID (and email) filled in. */
  private appLink(action: "register" | "reset-password", params: Record<string, string>): string {
    const url = new URL(this.deps.config.appLinkBase);
    url.searchParams.set("action", action);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Rule D4: registration with the invited email, the link's token and a password. Logs in. */
  async register(input: RegisterInput): Promise<IssuedSession> {
    const problems = passwordProblems(input.password);
    if (problems.length) throw badInput(problems);
    await this.tokens.check(this.deps.database.db, "APP_INVITE", input.token);
    const hash = await this.deps.hasher.hash(input.password);
    return this.deps.database.db.transaction(async (tx) => {
      const token = await this.tokens.consume(tx, "APP_INVITE", input.token);
      const [found] = await tx
        .select({ account: appAccounts, appEnabled: tenants.customerAppEnabled })
        .from(appAccounts)
        .innerJoin(tenants, eq(tenants.id, appAccounts.tenantId))
        .where(eq(appAccounts.id, token.appAccountId!));
      if (!found || found.account.status !== "INVITED") throw badInput([{ field: "input.token", rule: "TOKEN_VALID", message: "this invitation is no longer valid" }]);
      if (found.account.email !== input.email.trim().toLowerCase()) {
        throw badInput([{ field: "input.email", rule: "D4_INVITED_EMAIL", message: "is not the address the invitation was sent to" }]);
      }
      if (!found.appEnabled) throw new AppError(ErrorCode.APP_DISABLED, "The customer app of this broker is switched off", { rule: "A1" });
      const now = this.deps.clock.now();
      await tx.update(appAccounts).set({ passwordHash: hash, status: "ACTIVE", activatedAt: now, updatedAt: now }).where(eq(appAccounts.id, found.account.id));
      return this.sessions.issue({ tenantId: found.account.tenantId, appAccountId: found.account.id }, tx);
    });
  }

  /** Rule D7: always the same answer; a mail with a one-hour single-use link only if the account exists. */
  async requestPasswordReset(input: RequestPasswordResetInput, clientAddress: string): Promise<{ ok: true }> {
    const keys: Array<[string, typeof LOGIN_LIMITS.address]> = [[`reset:addr:${clientAddress}`, LOGIN_LIMITS.address]];
    await this.deps.rateLimiter.check(keys);
    await this.deps.rateLimiter.hit(keys);
    if (!normalizeBrokerId(input.brokerId)) throw badInput([{ field: "input.brokerId", rule: "REQUIRED", message: "must not be empty" }]);
    const email = input.email.trim().toLowerCase();
    const { db } = this.deps.database;
    await db.transaction(async (tx) => {
      const [found] = await tx
        .select({ account: appAccounts, tenant: tenants, customer: customers })
        .from(appAccounts)
        .innerJoin(tenants, eq(tenants.id, appAccounts.tenantId))
        .innerJoin(customers, eq(customers.id, appAccounts.customerId))
        .where(and(eq(tenants.brokerId, normalizeBrokerId(input.brokerId)), eq(appAccounts.email, email)));
      if (!found || found.account.status !== "ACTIVE" || !found.tenant.customerAppEnabled) return;
      const { token } = await this.tokens.issue(tx, {
        tenantId: found.tenant.id,
        purpose: "APP_PASSWORD_RESET",
        subject: { appAccountId: found.account.id },
        ttlMs: PASSWORD_RESET_TTL_MS,
      });
      const link = this.appLink("reset-password", { brokerId: found.tenant.brokerId, token });
      const mail = passwordResetMail({
        salutation: found.account.salutation,
        recipientName: `${found.customer.firstName} ${found.customer.lastName}`,
        link,
        firm: firmProfile(found.tenant),
      });
      await this.outbox.enqueue(tx, { ...mail, to: email, template: "app-password-reset", tenantId: found.tenant.id });
    });
    return { ok: true };
  }

  /** Rule D7: sets the new password (D4 rules) and ends every session of the account. */
  async resetPassword(input: ResetPasswordInput): Promise<{ ok: true }> {
    const problems = passwordProblems(input.password);
    if (problems.length) throw badInput(problems);
    await this.tokens.check(this.deps.database.db, "APP_PASSWORD_RESET", input.token);
    const hash = await this.deps.hasher.hash(input.password);
    const ended = await this.deps.database.db.transaction(async (tx) => {
      const token = await this.tokens.consume(tx, "APP_PASSWORD_RESET", input.token);
      const [account] = await tx
        .update(appAccounts)
        .set({ passwordHash: hash, updatedAt: this.deps.clock.now() })
        .where(and(eq(appAccounts.id, token.appAccountId!), eq(appAccounts.status, "ACTIVE")))
        .returning();
      if (!account) throw badInput([{ field: "input.token", rule: "TOKEN_VALID", message: "this link is no longer valid" }]);
      return this.sessions.endAllOfAccount(account.id, tx);
    });
    await this.sessions.announceEnded(ended);
    return { ok: true };
  }

  private async changeStatus(
    viewer: Viewer,
    globalId: string,
    change: (row: AppAccountRow) => Partial<typeof appAccounts.$inferInsert> | null,
    opts: { endSessions?: boolean } = {},
  ) {
    const admin = authorize(viewer, "appAccount:manage");
    const id = decodeId(globalId, "AppAccount", "input.id");
    const ended: string[] = [];
    const row = await this.deps.database.db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(appAccounts)
        .where(and(eq(appAccounts.id, id), eq(appAccounts.tenantId, admin.tenantId)))
        .for("update");
      if (!current) throw notFound("App account");
      const set = change(current);
      if (!set) return current;
      const [updated] = await tx.update(appAccounts).set({ ...set, updatedAt: this.deps.clock.now() }).where(eq(appAccounts.id, id)).returning();
      if (opts.endSessions) ended.push(...(await this.sessions.endAllOfAccount(id, tx)));
      return updated!;
    });
    await this.sessions.announceEnded(ended);
    return { appAccount: AppAccount.from(row) };
  }

  /** Rule D5: an admin activates an invited account by hand; the customer then sets a password through D7. */
  activate(viewer: Viewer, id: string) {
    return this.changeStatus(viewer, id, (row) => {
      if (row.status === "ACTIVE") return null;
      if (row.status !== "INVITED") throw conflict("Only an invited login can be activated; reactivate a deactivated one", "D5");
      return { status: "ACTIVE", activatedAt: this.deps.clock.now() };
    });
  }

  /** Rule D5: deactivation ends the account's sessions and sockets at once. */
  deactivate(viewer: Viewer, id: string) {
    return this.changeStatus(viewer, id, (row) => (row.status === "DEACTIVATED" ? null : { status: "DEACTIVATED" }), { endSessions: true });
  }

  /** Rule D5: back to ACTIVE (or INVITED, if it never had a password). */
  reactivate(viewer: Viewer, id: string) {
    return this.changeStatus(viewer, id, (row) =>
      row.status !== "DEACTIVATED" ? null : { status: row.passwordHash || row.activatedAt ? "ACTIVE" : "INVITED" },
    );
  }

  /** Rule D3: an admin deletes a login with its sessions and tokens; the customer's data stays. */
  async delete(viewer: Viewer, globalId: string): Promise<{ ok: true }> {
    const admin = authorize(viewer, "appAccount:manage");
    const id = decodeId(globalId, "AppAccount", "input.id");
    const ended = await this.deps.database.db.transaction(async (tx) => {
      const sessionIds = await this.sessions.endAllOfAccount(id, tx);
      const deleted = await tx
        .delete(appAccounts)
        .where(and(eq(appAccounts.id, id), eq(appAccounts.tenantId, admin.tenantId)))
        .returning({ id: appAccounts.id });
      if (deleted.length === 0) throw notFound("App account");
      return sessionIds;
    });
    await this.sessions.announceEnded(ended);
    return { ok: true };
  }

  /** Rule D9: grant or revoke; effective on the next request, and the app hears of it through `accessChanged`. */
  async setAccess(viewer: Viewer, input: CustomerAccessInput, grant: boolean) {
    const staff = authorize(viewer, "appAccount:grant");
    const accountId = decodeId(input.appAccountId, "AppAccount", "input.appAccountId");
    const customerId = decodeId(input.customerId, "Customer", "input.customerId");
    const row = await this.events.transact(async (tx, emit) => {
      const [account] = await tx.select().from(appAccounts).where(and(eq(appAccounts.id, accountId), eq(appAccounts.tenantId, staff.tenantId)));
      if (!account) throw notFound("App account");
      const [customer] = await tx.select({ id: customers.id }).from(customers).where(and(eq(customers.id, customerId), eq(customers.tenantId, staff.tenantId)));
      if (!customer) throw notFound("Customer");
      if (account.customerId === customerId) {
        throw new AppError(ErrorCode.CONFLICT, "This is the account's own customer; it always has access", {
          rule: "D9",
          fields: [{ field: "input.customerId", rule: "D9_OWN_CUSTOMER", message: "is the account's own customer" }],
        });
      }
      if (grant) {
        const inserted = await tx
          .insert(appAccountAccess)
          .values({ tenantId: staff.tenantId, appAccountId: accountId, customerId, grantedBy: staff.userId, grantedAt: this.deps.clock.now() })
          .onConflictDoNothing()
          .returning();
        if (inserted.length) await emit({ tenantId: staff.tenantId, topic: ACCESS_CHANGED, entityId: accountId, audienceId: accountId });
      } else {
        const removed = await tx
          .delete(appAccountAccess)
          .where(and(eq(appAccountAccess.appAccountId, accountId), eq(appAccountAccess.customerId, customerId)))
          .returning();
        if (removed.length) await emit({ tenantId: staff.tenantId, topic: ACCESS_CHANGED, entityId: accountId, audienceId: accountId });
      }
      return account;
    });
    return { appAccount: AppAccount.from(row) };
  }

  /** The customers an account may access now: its own first, then granted ones by name. */
  async accessibleCustomers(tenantId: string, accountId: string): Promise<Customer[]> {
    const { db } = this.deps.database;
    const own = db.select({ id: appAccounts.customerId }).from(appAccounts).where(and(eq(appAccounts.id, accountId), eq(appAccounts.tenantId, tenantId)));
    const granted = db.select({ id: appAccountAccess.customerId }).from(appAccountAccess).where(eq(appAccountAccess.appAccountId, accountId));
    // One round trip: the own customer first, then the granted ones by name.
    const rows = await db
      .select()
      .from(customers)
      .where(and(eq(customers.tenantId, tenantId), or(inArray(customers.id, own), inArray(customers.id, granted))))
      .orderBy(sql`${customers.id} in (${own}) desc`, customers.lastName, customers.firstName);
    return rows.map(Customer.from);
  }

  /** Rule D9: the app hears of every grant and revocation, resumable with `after:`. */
  subscribeAccess(viewer: Viewer, after: string | null | undefined) {
    const app = requireApp(viewer);
    return this.events.stream<Customer[]>({
      tenantId: app.tenantId,
      topic: ACCESS_CHANGED,
      audienceId: app.accountId,
      after,
      load: async (rows) => {
        const current = await this.sessions.reload(app.sessionId);
        if (current.kind !== "app") return null;
        const customersNow = await this.accessibleCustomers(app.tenantId, app.accountId);
        // Several changes in one batch: the app needs only the resulting list, at the newest cursor.
        return [{ cursor: String(rows.at(-1)!.id), value: customersNow }];
      },
    });
  }
}
