/**
 * Firm isolation and access levels, for every operation of the API (rules B1, C3).
 *
 * THE place to register new operations: add one line to `operations` (who may call it),
 * to `byId` (if it takes an object's ID) and to `lists` (if it returns a list of firm rows),
 * and the firm's table to `firmTables`. Each line is checked against every rule below.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { eq, type AnyColumn } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { startTestServer, expectApiError, type TestServer } from "./harness.js";
import { factories } from "./factories.js";
import {
  BrokerProfileDocument,
  ChangeMyPasswordDocument,
  CreateTenantDocument,
  InviteStaffUserDocument,
  LogoutDocument,
  MarkNotificationsReadDocument,
  NodeDocument,
  NotificationsDocument,
  SetCustomerAppEnabledDocument,
  StaffUsersCountDocument,
  StaffUsersDocument,
  TenantDocument,
  UpdateBrokerProfileDocument,
  UpdateMySettingsDocument,
  UpdateStaffUserDocument,
  type KundenappClient,
} from "../sdk/client.js";
import { toGlobalId } from "../graphql/relay.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import { staffUsers } from "../modules/staff/staff.table.js";
import { oneTimeTokens, sessions } from "../modules/session/session.table.js";
import { notifications } from "../modules/notification/notification.table.js";

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
type Call = (client: KundenappClient, own: Firm) => Promise<unknown>;

const uniqueMail = () => `iso-${crypto.randomBytes(5).toString("hex")}@example.test`;
const profile = { name: "Übernahme GmbH", phone: "030 1234567", street: "Hauptstraße 1", postalCode: "10115", city: "Berlin" };

/**
 * Every operation that needs a login, and the least access level that may call it:
 * `staff` (any staff user), `admin`, or `operator` (the platform operator's token).
 * `own` is the caller's firm; the call should be valid input, so only access decides the answer.
 */
const operations: Array<[name: string, access: "staff" | "admin" | "operator", call: Call]> = [
  ["tenant", "staff", (c) => c.request(TenantDocument)],
  ["brokerProfile", "staff", (c) => c.request(BrokerProfileDocument)],
  ["staffUsers", "staff", (c) => c.request(StaffUsersDocument, { first: 10 })],
  ["staffUsers.totalCount", "staff", (c) => c.request(StaffUsersCountDocument, {})],
  ["node(Tenant)", "staff", (c, own) => c.request(NodeDocument, { id: toGlobalId("Tenant", own.tenant.id) })],
  ["node(StaffUser)", "staff", (c, own) => c.request(NodeDocument, { id: toGlobalId("StaffUser", own.admin.id) })],
  ["updateMySettings", "staff", (c) => c.request(UpdateMySettingsDocument, { input: { emailNotifications: true } })],
  ["changeMyPassword", "staff", (c) => c.request(ChangeMyPasswordDocument, { input: { currentPassword: "Falsch-Passwort-1", newPassword: "Neues-Passwort-8" } })],
  ["logout", "staff", (c) => c.request(LogoutDocument)],
  ["notifications", "staff", (c) => c.request(NotificationsDocument, { first: 10 })],
  ["markNotificationsRead", "staff", (c) => c.request(MarkNotificationsReadDocument, { input: { all: true } })],
  ["inviteStaffUser", "admin", (c) => c.request(InviteStaffUserDocument, { input: { email: uniqueMail(), name: "Eingeladen", role: "ADMIN", permissions: ["CHAT"] } })],
  ["updateStaffUser", "admin", (c, own) => c.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", own.employee.id), role: "ADMIN", permissions: ["CHAT", "CLAIMS"] } })],
  ["updateBrokerProfile", "admin", (c) => c.request(UpdateBrokerProfileDocument, { input: profile })],
  ["createTenant", "operator", (c) => c.request(CreateTenantDocument, { input: { name: "Neue Firma", adminEmail: uniqueMail(), adminName: "Admin" } })],
  ["setCustomerAppEnabled", "operator", (c, own) => c.request(SetCustomerAppEnabledDocument, { input: { brokerId: own.tenant.brokerId, enabled: !own.tenant.customerAppEnabled } })],
];

/**
 * Operations that take an object's ID: the type of that object, an object of it in a firm, and the call.
 * A foreign firm's object must be indistinguishable from one that does not exist.
 */
const byId: Array<[name: string, type: string, objectOf: (firm: Firm) => string, call: (client: KundenappClient, id: string) => Promise<unknown>]> = [
  ["node(id) of a Tenant", "Tenant", (firm) => firm.tenant.id, (c, id) => c.request(NodeDocument, { id })],
  ["node(id) of a StaffUser", "StaffUser", (firm) => firm.employee.id, (c, id) => c.request(NodeDocument, { id })],
  ["updateStaffUser", "StaffUser", (firm) => firm.employee.id, (c, id) => c.request(UpdateStaffUserDocument, { input: { id, name: "Übernommen", permissions: ["CHAT", "CLAIMS"] } })],
  ["node(id) of a Notification", "Notification", (firm) => seeded.get(firm)!.notification, (c, id) => c.request(NodeDocument, { id })],
  ["markNotificationsRead", "Notification", (firm) => seeded.get(firm)!.notification, (c, id) => c.request(MarkNotificationsReadDocument, { input: { ids: [id] } })],
];

/** Queries that return a list of a firm's rows: the global IDs a client gets, and the global IDs of all a firm's rows of that type. */
const lists: Array<[name: string, listed: (client: KundenappClient) => Promise<string[]>, rowsOf: (firmId: string) => Promise<string[]>]> = [
  [
    "staffUsers",
    async (c) => (await c.request(StaffUsersDocument, { first: 100 })).staffUsers.edges.map((e) => e.node.id),
    async (firmId) => (await db().select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.tenantId, firmId))).map((r) => toGlobalId("StaffUser", r.id)),
  ],
  [
    "notifications",
    async (c) => (await c.request(NotificationsDocument, { first: 100 })).notifications.edges.map((e) => e.node.id),
    async (firmId) => (await db().select({ id: notifications.id }).from(notifications).where(eq(notifications.tenantId, firmId))).map((r) => toGlobalId("Notification", r.id)),
  ],
];

/** Every table with firm data and the column naming the firm: a forbidden call must not change any row in them. */
const firmTables: Array<[PgTable, AnyColumn]> = [
  [tenants, tenants.id],
  [staffUsers, staffUsers.tenantId],
  [oneTimeTokens, oneTimeTokens.tenantId],
  [sessions, sessions.tenantId],
  [notifications, notifications.tenantId],
];

let t: TestServer;
let f: ReturnType<typeof factories>;
let a: Firm;
let b: Firm;
const db = () => t.app.deps.database.db;
/** Objects made for each firm that the factories do not make. */
const seeded = new Map<Firm, { notification: string }>();

beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
  [a, b] = [await f.buildFirm(), await f.buildFirm()];
  for (const firm of [a, b]) {
    const rows = await db()
      .insert(notifications)
      .values([firm.admin, firm.employee].map((s) => ({ tenantId: firm.tenant.id, staffUserId: s.id, kind: "GENERAL" as const, title: "Hinweis", body: `für ${s.name}` })))
      .returning();
    seeded.set(firm, { notification: rows.find((r) => r.staffUserId === firm.admin.id)!.id });
  }
});
afterAll(() => t.close());

/** All rows of a firm, sorted, with session timestamps left out (reading with a token may touch them). */
async function snapshot(firmId: string) {
  const out: unknown[] = [];
  for (const [table, column] of firmTables) {
    const rows = (await db().select().from(table).where(eq(column, firmId))) as Array<Record<string, unknown>>;
    out.push(
      rows
        .map((r) => (table === sessions ? { id: r.id, staffUserId: r.staffUserId, expiresAt: r.expiresAt } : r))
        .sort((x, y) => String(x.id).localeCompare(String(y.id))),
    );
  }
  return out;
}

describe("another firm's objects are NOT_FOUND, exactly like objects that do not exist (rule B1, C3)", () => {
  it.each(byId)("%s", async (_, type, objectOf, call) => {
    const before = await snapshot(b.tenant.id);
    const foreign = await expectApiError(call(a.adminClient, toGlobalId(type, objectOf(b))), "NOT_FOUND");
    const missing = await expectApiError(call(a.adminClient, toGlobalId(type, crypto.randomUUID())), "NOT_FOUND");
    expect(foreign.message).toBe(missing.message);
    expect(foreign.errors.map((e) => e.extensions)).toEqual(missing.errors.map((e) => e.extensions));
    expect(await snapshot(b.tenant.id)).toEqual(before);
    // Not vacuous: the same call on the caller's own object works.
    await call(a.adminClient, toGlobalId(type, objectOf(a)));
  });
});

describe("lists never contain another firm's rows", () => {
  it.each(lists)("%s", async (_, listed, rowsOf) => {
    const [ownRows, foreignRows] = [await rowsOf(a.tenant.id), await rowsOf(b.tenant.id)];
    expect(foreignRows.length).toBeGreaterThan(0);
    for (const client of [a.adminClient, a.employeeClient]) {
      const ids = await listed(client);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.filter((id) => foreignRows.includes(id))).toEqual([]);
      expect(ids.filter((id) => !ownRows.includes(id))).toEqual([]);
    }
  });
});

describe("access levels", () => {
  const adminOnly = operations.filter(([, access]) => access === "admin");
  const operatorOnly = operations.filter(([, access]) => access === "operator");

  it.each(adminOnly)("%s: an employee gets FORBIDDEN and nothing changes", async (_, __, call) => {
    const before = [await snapshot(a.tenant.id), await snapshot(b.tenant.id)];
    await expectApiError(call(a.employeeClient, a), "FORBIDDEN");
    expect([await snapshot(a.tenant.id), await snapshot(b.tenant.id)]).toEqual(before);
  });

  it.each(operatorOnly)("%s: staff (admins included) get FORBIDDEN and nothing changes", async (_, __, call) => {
    const before = [await snapshot(a.tenant.id), await snapshot(b.tenant.id)];
    const tenantCount = (await db().select({ id: tenants.id }).from(tenants)).length;
    for (const client of [a.adminClient, a.employeeClient]) await expectApiError(call(client, a), "FORBIDDEN");
    expect([await snapshot(a.tenant.id), await snapshot(b.tenant.id)]).toEqual(before);
    expect((await db().select({ id: tenants.id }).from(tenants)).length).toBe(tenantCount);
  });

  it.each(operations)("%s: anonymous callers and unknown tokens get UNAUTHENTICATED", async (_, __, call) => {
    const before = [await snapshot(a.tenant.id), await snapshot(b.tenant.id)];
    await expectApiError(call(t.client(), a), "UNAUTHENTICATED");
    await expectApiError(call(t.client(`ks_${crypto.randomBytes(32).toString("base64url")}`), a), "UNAUTHENTICATED");
    expect([await snapshot(a.tenant.id), await snapshot(b.tenant.id)]).toEqual(before);
  });

  // Last: it runs each operation for real (promoting firm A's employee, among others).
  it.each(operations)("%s: the level it names may call it", async (_, access, call) => {
    const client = access === "operator" ? t.operator() : await f.staffClient(access === "admin" ? a.admin : a.employee);
    const outcome = await call(client, a).then(
      () => "ok",
      (err: { code?: string }) => err.code ?? "unknown",
    );
    expect(["UNAUTHENTICATED", "FORBIDDEN", "INTERNAL", "unknown"]).not.toContain(outcome);
  });

  it("covers every operation of the schema that needs a login", async () => {
    const { getSchema } = await import("../schema.js");
    const schema = await getSchema();
    const fields = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()!.getFields())];
    // Open to everyone by design: who am I, and the ways to log in.
    const open = new Set(["viewer", "login", "acceptStaffInvitation"]);
    const covered = new Set(operations.map(([name]) => name.replace(/[.(].*$/, "")));
    const missing = fields.filter((name) => !open.has(name) && !covered.has(name));
    expect(missing, "add these operations to `operations` in src/test/isolation.test.ts").toEqual([]);
  });
});
