import { and, count, eq, ilike, inArray, or } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import { appAccounts, type AppAccountRow } from "./account.table.js";
import { accountPolicy } from "./account.policy.js";
import { accountScope } from "./account.scope.js";
import type { Viewer } from "../../auth/viewer.js";
import { conflict, notFound } from "../../errors.js";
import { afterCursor, orderBy, toConnection, uuidKey, type SortKey, countRows } from "../../graphql/connection.js";
import { decodeId } from "../../graphql/relay.js";
import { likeContains } from "../../graphql/search.js";
import { customersNamed } from "../customer/customer.service.js";
import type { SessionService } from "../session/session.service.js";
import type { Queryable } from "../../db/client.js";
import type { Outbox } from "../../mail/outbox.js";
import { OneTimeTokens, linkWithToken } from "../../auth/one-time-tokens.js";
import { appAccountActivatedMail, firmProfile } from "../../mail/templates.js";
import { customers } from "../customer/customer.table.js";
import { tenants } from "../tenant/tenant.table.js";
import { AppAccount, type AppAccountsArgs } from "./account.types.js";

/** How long the link of a manual activation's mail (rule D5) stays valid: longer than a reset, as nobody asked for it. */
export const ACTIVATION_LINK_TTL_MS = 7 * 86_400_000;

/** Rules D3/D5: admins list, activate, deactivate, reactivate and delete the firm's app accounts. */
export class AccountAdminService {
  private readonly tokens: OneTimeTokens;

  constructor(
    private readonly deps: Deps,
    private readonly sessions: SessionService,
    private readonly outbox: Outbox,
  ) {
    this.tokens = new OneTimeTokens(deps.clock);
  }

  /** Rule D5: admins list the firm's app accounts, optionally by status. */
  async list(viewer: Viewer, args: AppAccountsArgs) {
    accountPolicy.authorize(viewer, "manage");
    const { db } = this.deps.database;
    const keys: SortKey[] = [{ column: appAccounts.id, direction: "asc", decode: uuidKey }];
    const term = args.search?.trim();
    const scope = and(
      accountScope(viewer),
      args.status ? eq(appAccounts.status, args.status) : undefined,
      term ? or(ilike(appAccounts.email, likeContains(term)), inArray(appAccounts.customerId, customersNamed(db, viewer, term))) : undefined,
    );
    const rows = await db
      .select()
      .from(appAccounts)
      .where(and(scope, afterCursor(keys, args.after)))
      .orderBy(...orderBy(keys))
      .limit(args.first + 1);
    return toConnection(rows, args, (r) => [r.id], AppAccount.from, countRows(db, appAccounts, scope));
  }

  /** An app account: staff of the firm, or the account itself. */
  async find(viewer: Viewer, id: string): Promise<AppAccount | null> {
    if (!accountPolicy.can(viewer, "read")) return null;
    const [row] = await this.deps.database.db
      .select()
      .from(appAccounts)
      .where(and(eq(appAccounts.id, id), accountScope(viewer)));
    return row ? AppAccount.from(row) : null;
  }

  /** The app logins of customers, for those the viewer may see (staff: any of the firm's; an account: itself). */
  async ofCustomers(viewer: Viewer, customerIds: readonly string[]): Promise<AppAccount[]> {
    if (!accountPolicy.can(viewer, "read")) return [];
    const rows = await this.deps.database.db
      .select()
      .from(appAccounts)
      .where(and(inArray(appAccounts.customerId, [...customerIds]), accountScope(viewer)));
    return rows.map(AppAccount.from);
  }

  /**
   * Rule D5: an admin activates an invited account by hand. The customer is mailed a link to set the password
   * (the D7 reset, valid for a week), in the invitation's salutation; the invitation link stops working.
   */
  activate(viewer: Viewer, id: string) {
    return this.changeStatus(
      viewer,
      id,
      (row) => {
        if (row.status === "ACTIVE") return null;
        if (row.status !== "INVITED") throw conflict("Only an invited login can be activated; reactivate a deactivated one");
        return { status: "ACTIVE", activatedAt: this.deps.clock.now() };
      },
      { then: (tx, account) => this.mailSetPassword(tx, account) },
    );
  }

  /** The mail after a manual activation: a single-use link that sets the first password through `resetPassword`. */
  private async mailSetPassword(tx: Queryable, account: AppAccountRow): Promise<void> {
    const subject = { appAccountId: account.id };
    await this.tokens.voidAll(tx, "APP_INVITE", subject);
    const { token } = await this.tokens.issue(tx, { tenantId: account.tenantId, purpose: "APP_PASSWORD_RESET", subject, ttlMs: ACTIVATION_LINK_TTL_MS });
    const [found] = await tx
      .select({ tenant: tenants, customer: customers })
      .from(customers)
      .innerJoin(tenants, eq(tenants.id, customers.tenantId))
      .where(eq(customers.id, account.customerId));
    const mail = appAccountActivatedMail({
      salutation: account.salutation,
      recipientName: `${found!.customer.firstName} ${found!.customer.lastName}`,
      link: linkWithToken(this.deps.config.appLinkBase, token),
      validDays: ACTIVATION_LINK_TTL_MS / 86_400_000,
      firm: firmProfile(found!.tenant),
    });
    await this.outbox.enqueue(tx, { ...mail, to: account.email, template: "app-account-activated", tenantId: account.tenantId });
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
    const admin = accountPolicy.authorize(viewer, "manage");
    const id = decodeId(globalId, "AppAccount", "input.id");
    const ended = await this.deps.database.db.transaction(async (tx) => {
      const sessionIds = await this.sessions.endAllOfAccount(id, tx);
      const deleted = await tx
        .delete(appAccounts)
        .where(and(eq(appAccounts.id, id), accountScope(admin)))
        .returning({ id: appAccounts.id });
      if (deleted.length === 0) throw notFound("App account");
      return sessionIds;
    });
    await this.sessions.announceEnded(ended);
    return { ok: true };
  }

  /** Locks the account, applies the change (null: nothing to do), and ends its sessions if asked, after commit. */
  private async changeStatus(
    viewer: Viewer,
    globalId: string,
    change: (row: AppAccountRow) => Partial<typeof appAccounts.$inferInsert> | null,
    opts: { endSessions?: boolean; then?: (tx: Queryable, updated: AppAccountRow) => Promise<void> } = {},
  ) {
    const admin = accountPolicy.authorize(viewer, "manage");
    const id = decodeId(globalId, "AppAccount", "input.id");
    const ended: string[] = [];
    const row = await this.deps.database.db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(appAccounts)
        .where(and(eq(appAccounts.id, id), accountScope(admin)))
        .for("update");
      if (!current) throw notFound("App account");
      const set = change(current);
      if (!set) return current;
      const [updated] = await tx.update(appAccounts).set({ ...set, updatedAt: this.deps.clock.now() }).where(eq(appAccounts.id, id)).returning();
      if (opts.endSessions) ended.push(...(await this.sessions.endAllOfAccount(id, tx)));
      await opts.then?.(tx, updated!);
      return updated!;
    });
    await this.sessions.announceEnded(ended);
    return { appAccount: AppAccount.from(row) };
  }
}
