import { and, desc, eq, inArray, or, sql } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import { appAccounts, appAccountAccess } from "./account.table.js";
import { customers } from "../customer/customer.table.js";
import { customerScope } from "../customer/customer.scope.js";
import type { Viewer } from "../../auth/viewer.js";
import { accountPolicy } from "./account.policy.js";
import { accountScope } from "./account.scope.js";
import { AppError, ErrorCode, notFound } from "../../errors.js";
import { decodeId } from "../../graphql/relay.js";
import { eventCursor, type EventLog } from "../../realtime/event-log.js";
import { Customer } from "../customer/customer.types.js";
import { AppAccount, type CustomerAccessInput } from "./account.types.js";

/** The event-log topic of a household grant or revocation (rule D9); its audience is the app account. */
export const ACCESS_CHANGED = "access.changed";

/** Rule D9: which further customers of the firm an app account may access (its household). */
export class HouseholdService {
  constructor(
    private readonly deps: Deps,
    private readonly events: EventLog,
  ) {
    // A grant widens what an account's subscriptions may receive: they re-check with the account as it is now.
    events.audienceGrowsOn(ACCESS_CHANGED);
  }

  /** Rule D9: grant or revoke; effective on the next request, and the app hears of it through `accessChanged`. */
  async setAccess(viewer: Viewer, input: CustomerAccessInput, grant: boolean) {
    const staff = accountPolicy.authorize(viewer, "grant");
    const accountId = decodeId(input.appAccountId, "AppAccount", "input.appAccountId");
    const customerId = decodeId(input.customerId, "Customer", "input.customerId");
    const row = await this.events.transact(async (tx, emit) => {
      const [account] = await tx.select().from(appAccounts).where(and(eq(appAccounts.id, accountId), accountScope(staff)));
      if (!account) throw notFound("App account");
      const [customer] = await tx.select({ id: customers.id }).from(customers).where(and(eq(customers.id, customerId), customerScope(staff)));
      if (!customer) throw notFound("Customer");
      // Rule D9: the own customer is always accessible, so it cannot be granted or revoked.
      if (account.customerId === customerId) {
        throw new AppError(ErrorCode.CONFLICT, "This is the account's own customer; it always has access", {
          fields: [{ field: "input.customerId", rule: "OWN_CUSTOMER", message: "is the account's own customer" }],
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

  /**
   * The customers each account may access now, its own first, then the granted ones by name: one query for
   * any number of accounts (the accounts list and `viewer` resolve it through a loader). Only accounts the
   * viewer may see are answered.
   */
  async accessibleCustomersOf(viewer: Viewer, accountIds: readonly string[]): Promise<Map<string, Customer[]>> {
    const found = new Map<string, Customer[]>(accountIds.map((id) => [id, []]));
    if (accountIds.length === 0) return found;
    const { db } = this.deps.database;
    const own = sql<boolean>`${customers.id} = ${appAccounts.customerId}`;
    const granted = db.select({ id: appAccountAccess.customerId }).from(appAccountAccess).where(eq(appAccountAccess.appAccountId, appAccounts.id));
    const rows = await db
      .select({ accountId: appAccounts.id, customer: customers })
      .from(appAccounts)
      .innerJoin(customers, and(eq(customers.tenantId, appAccounts.tenantId), or(eq(customers.id, appAccounts.customerId), inArray(customers.id, granted))))
      .where(and(inArray(appAccounts.id, [...accountIds]), accountScope(viewer)))
      .orderBy(appAccounts.id, desc(own), customers.lastName, customers.firstName);
    for (const r of rows) found.get(r.accountId)?.push(Customer.from(r.customer));
    return found;
  }

  /** Rule D9: the app hears of every grant and revocation, resumable with `after:`. */
  subscribeAccess(viewer: Viewer, after: string | null | undefined) {
    const app = accountPolicy.authorize(viewer, "followAccess");
    return this.events.watch<Customer[]>({
      viewer: app,
      topic: ACCESS_CHANGED,
      after,
      audience: (v) => (v.kind === "app" ? new Set([v.accountId]) : null),
      // The account's own list of customers: loaded per account, never shared between accounts.
      loadPerViewer: true,
      load: async (v, rows) => {
        if (v.kind !== "app") return [];
        const customersNow = (await this.accessibleCustomersOf(v, [v.accountId])).get(v.accountId) ?? [];
        // Several changes in one batch: the app needs only the resulting list, at the newest cursor.
        return [{ cursor: eventCursor(rows.at(-1)!.id), value: customersNow }];
      },
    });
  }
}
