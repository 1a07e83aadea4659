/**
 * Who may call the app-account module's operations, and what of another firm or customer they must not reach
 * (run by src/test/isolation.test.ts).
 */
import { expect } from "vitest";
import { eq } from "drizzle-orm";
import {
  AccessChangedDocument,
  ActivateAppAccountDocument,
  ApiError,
  AppAccountsDocument,
  DeactivateAppAccountDocument,
  DeleteAppAccountDocument,
  GrantCustomerAccessDocument,
  InviteCustomersDocument,
  NodeDocument,
  ReactivateAppAccountDocument,
  RevokeCustomerAccessDocument,
  type KundenappClient,
} from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import type { AccessWorld, Firm, ForeignEvent, ModuleAccess, Subscriber } from "../../test/access-registry.js";
import { nextWithin } from "../../test/realtime.js";
import { appAccounts } from "./account.table.js";

/** The single invitation (rule D2); a per-customer ERROR becomes an ApiError, so it reads like any refused call. */
async function inviteOne(c: KundenappClient, customerId: string, categoryIds?: string[]) {
  const { inviteCustomers } = await c.request(InviteCustomersDocument, {
    input: { customers: [{ customerId }], ...(categoryIds ? { sharing: "SELECTED_CATEGORIES", categoryIds } : { sharing: "ALL_DOCUMENTS" }) },
  });
  const [result] = inviteCustomers.results;
  if (result!.status === "ERROR") throw new ApiError([{ message: result!.message ?? "", extensions: { code: result!.errorCode ?? "INTERNAL" } }], 200);
  return result;
}

/** Grants (or revokes) household access as the firm's employee (rule D9). */
async function access(firm: Firm, grant: boolean, accountId: string, customerId: string): Promise<void> {
  const input = { appAccountId: toGlobalId("AppAccount", accountId), customerId: toGlobalId("Customer", customerId) };
  if (grant) await firm.employeeClient.request(GrantCustomerAccessDocument, { input });
  else await firm.employeeClient.request(RevokeCustomerAccessDocument, { input });
}

/**
 * Rule D9: an app account hears of its own grants and revocations only. A fresh account of firm A subscribes;
 * each event is the list of customers it may access now.
 */
async function openAccessChanged(w: AccessWorld, foreign: ForeignEvent) {
  const { a, b, f } = w;
  const own = await f.buildCustomer({ tenant: a.tenant });
  const account = await f.buildAppAccount({ customer: own });
  const client = await f.appClient(account);
  const stream = client.subscribe(AccessChangedDocument, { after: "0" });
  const accessible = [own.id];
  const listOf = (ids: string[]) => ids.map((id) => toGlobalId("Customer", id)).sort().join(" ");
  const subscriber: Subscriber = {
    next: async () => {
      const r = await nextWithin(stream);
      return r.done ? "(stream ended)" : r.value.accessChanged.customers.map((c) => c.id).sort().join(" ");
    },
    raiseOwn: async () => {
      const granted = await f.buildCustomer({ tenant: a.tenant });
      await access(a, true, account.id, granted.id);
      accessible.push(granted.id);
      return listOf(accessible);
    },
    close: async () => {
      await stream.return?.();
      await client.close();
    },
  };
  /** A grant to another app account of `firm` (of `customer`, if given). */
  const grantToAnother = async (firm: Firm, customer?: Awaited<ReturnType<typeof f.buildCustomer>>) => {
    const other = await f.buildAppAccount(customer ? { customer } : { tenant: firm.tenant });
    await access(firm, true, other.id, (await f.buildCustomer({ tenant: firm.tenant })).id);
  };
  const raiseForeign = async () => {
    if (foreign === "another firm") return grantToAnother(b);
    if (foreign === "another customer") return grantToAnother(a);
    // Revoked household grant: granted, then revoked (both the subscriber's own events); then an event of that
    // household customer's own app account must not reach it.
    const household = await f.buildCustomer({ tenant: a.tenant });
    await access(a, true, account.id, household.id);
    expect(await subscriber.next()).toBe(listOf([...accessible, household.id]));
    await access(a, false, account.id, household.id);
    expect(await subscriber.next()).toBe(listOf(accessible));
    return grantToAnother(a, household);
  };
  return { subscriber, raiseForeign };
}

export const accountAccess: ModuleAccess = {
  operations: [
    { name: "appAccounts", access: "admin", call: (c) => c.request(AppAccountsDocument, { first: 10 }) },
    { name: "inviteCustomers", access: "staff", call: (c, own, w) => inviteOne(c, toGlobalId("Customer", w.of(own).invitee)) },
    { name: "activateAppAccount", access: "admin", call: (c, own, w) => c.request(ActivateAppAccountDocument, { input: { id: toGlobalId("AppAccount", w.of(own).invited) } }) },
    { name: "deactivateAppAccount", access: "admin", call: (c, own, w) => c.request(DeactivateAppAccountDocument, { input: { id: toGlobalId("AppAccount", w.of(own).account) } }) },
    { name: "reactivateAppAccount", access: "admin", call: (c, own, w) => c.request(ReactivateAppAccountDocument, { input: { id: toGlobalId("AppAccount", w.of(own).account) } }) },
    { name: "deleteAppAccount", access: "admin", call: (c, own, w) => c.request(DeleteAppAccountDocument, { input: { id: toGlobalId("AppAccount", w.of(own).deletable[0]) } }) },
    {
      name: "grantCustomerAccess",
      access: "staff",
      call: (c, own, w) =>
        c.request(GrantCustomerAccessDocument, {
          input: { appAccountId: toGlobalId("AppAccount", w.of(own).account), customerId: toGlobalId("Customer", w.of(own).household) },
        }),
    },
    {
      name: "revokeCustomerAccess",
      access: "staff",
      call: (c, own, w) =>
        c.request(RevokeCustomerAccessDocument, {
          input: { appAccountId: toGlobalId("AppAccount", w.of(own).account), customerId: toGlobalId("Customer", w.of(own).household) },
        }),
    },
  ],
  byId: [
    { name: "node(id) of an AppAccount", argument: "node.id", type: "AppAccount", objectOf: (firm, w) => w.of(firm).account, call: (c, id) => c.request(NodeDocument, { id }) },
    { name: "inviteCustomers", argument: "inviteCustomers.input.customers.customerId", type: "Customer", objectOf: (firm, w) => w.of(firm).invitee, call: (c, id) => inviteOne(c, id) },
    {
      // A customer of its own each time: an invited customer cannot be invited with categories again.
      name: "inviteCustomers (categories)",
      argument: "inviteCustomers.input.categoryIds",
      type: "DocumentCategory",
      objectOf: (firm, w) => w.of(firm).category,
      call: async (c, id, w) => inviteOne(c, toGlobalId("Customer", (await w.f.buildCustomer({ tenant: w.a.tenant })).id), [id]),
    },
    {
      name: "activateAppAccount",
      argument: "activateAppAccount.input.id",
      type: "AppAccount",
      objectOf: (firm, w) => w.of(firm).invited,
      call: (c, id) => c.request(ActivateAppAccountDocument, { input: { id } }),
    },
    {
      name: "deactivateAppAccount",
      argument: "deactivateAppAccount.input.id",
      type: "AppAccount",
      objectOf: (firm, w) => w.of(firm).account,
      call: (c, id) => c.request(DeactivateAppAccountDocument, { input: { id } }),
    },
    {
      name: "reactivateAppAccount",
      argument: "reactivateAppAccount.input.id",
      type: "AppAccount",
      objectOf: (firm, w) => w.of(firm).account,
      call: (c, id) => c.request(ReactivateAppAccountDocument, { input: { id } }),
    },
    {
      name: "deleteAppAccount",
      argument: "deleteAppAccount.input.id",
      type: "AppAccount",
      objectOf: (firm, w) => w.of(firm).deletable[1],
      call: (c, id) => c.request(DeleteAppAccountDocument, { input: { id } }),
    },
    {
      name: "grantCustomerAccess (app account)",
      argument: "grantCustomerAccess.input.appAccountId",
      type: "AppAccount",
      objectOf: (firm, w) => w.of(firm).account,
      call: (c, id, w) => c.request(GrantCustomerAccessDocument, { input: { appAccountId: id, customerId: toGlobalId("Customer", w.of(w.a).household) } }),
    },
    {
      name: "grantCustomerAccess (customer)",
      argument: "grantCustomerAccess.input.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).household,
      call: (c, id, w) => c.request(GrantCustomerAccessDocument, { input: { appAccountId: toGlobalId("AppAccount", w.of(w.a).account), customerId: id } }),
    },
    {
      name: "revokeCustomerAccess (app account)",
      argument: "revokeCustomerAccess.input.appAccountId",
      type: "AppAccount",
      objectOf: (firm, w) => w.of(firm).account,
      call: (c, id, w) => c.request(RevokeCustomerAccessDocument, { input: { appAccountId: id, customerId: toGlobalId("Customer", w.of(w.a).household) } }),
    },
    {
      name: "revokeCustomerAccess (customer)",
      argument: "revokeCustomerAccess.input.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).household,
      call: (c, id, w) => c.request(RevokeCustomerAccessDocument, { input: { appAccountId: toGlobalId("AppAccount", w.of(w.a).account), customerId: id } }),
    },
  ],
  lists: [
    {
      // Admins only (employees get FORBIDDEN, checked under access levels): read with firm A's admin whoever asks.
      name: "appAccounts",
      listed: async (_, w) => (await w.a.adminClient.request(AppAccountsDocument, { first: 100 })).appAccounts.edges.map((e) => e.node.id),
      rowsOf: async (firmId, w) =>
        (await w.db().select({ id: appAccounts.id }).from(appAccounts).where(eq(appAccounts.tenantId, firmId))).map((r) => toGlobalId("AppAccount", r.id)),
    },
    {
      // A search the accounts of both firms match (the factories' mail domain), by email or by customer name: still only firm A's.
      name: "appAccounts (search)",
      listed: async (_, w) => {
        const ids = async (search: string) => (await w.a.adminClient.request(AppAccountsDocument, { first: 100, search })).appAccounts.edges.map((e) => e.node.id);
        return [...new Set([...(await ids("example.TEST")), ...(await ids("kim"))])];
      },
      rowsOf: async (firmId, w) =>
        (await w.db().select({ id: appAccounts.id }).from(appAccounts).where(eq(appAccounts.tenantId, firmId))).map((r) => toGlobalId("AppAccount", r.id)),
    },
  ],
  subscriptions: [
    {
      name: "accessChanged",
      audience: "app",
      cases: ["another firm", "another customer", "a revoked household grant"],
      subscribeOnce: (c) => nextWithin(c.subscribe(AccessChangedDocument, {})),
      open: openAccessChanged,
    },
  ],
  // Open by design: registering through the invitation link, the password reset, and what a mailed link is for.
  open: ["register", "requestPasswordReset", "resetPassword", "linkInfo"],
  pending: [],
};
