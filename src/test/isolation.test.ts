/**
 * Firm isolation and access levels, for every operation of the API (rules B1, C3).
 *
 * The rows live with their modules (`src/modules/<f>/<f>.access.ts`, `src/files/file.access.ts`): who may call
 * each operation, the IDs it takes, the lists it returns and the subscriptions it offers. This file runs every
 * module's rows against the checks below; the guards at the end read the schema and fail while an operation,
 * an ID argument, a connection or a subscription has no row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { startTestServer, expectApiError, type TestServer } from "./harness.js";
import { AppViewerDocument, SetDocumentVisibilityDocument, type KundenappClient } from "../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../graphql/relay.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import { customers } from "../modules/customer/customer.table.js";
import { eq } from "drizzle-orm";
import {
  buildAccessWorld,
  connectionsWithoutRows,
  idArgumentsWithoutRows,
  operationsWithoutRows,
  snapshot,
  stalePending,
  rowsOfOneAudience,
  subscriptionsWithoutRows,
  type AccessWorld,
  type ModuleAccess,
} from "./access-registry.js";
import { discoverRows } from "./discover.js";
import type { StaffPermission } from "../auth/viewer.js";

/** Every module's rows, from its `<f>.access.ts` (found by name: nothing to list here). */
const modules = await discoverRows<ModuleAccess>(".access.ts");
const operations = modules.flatMap((m) => m.operations);
const byId = modules.flatMap((m) => m.byId);
const lists = modules.flatMap((m) => m.lists);
const subscriptions = modules.flatMap((m) => m.subscriptions);
/** Rows as `[name, row]`, so a test is titled by the row's name alone. */
const named = <R extends { name: string }>(rows: R[]) => rows.map((row) => [row.name, row] as const);

let t: TestServer;
let w: AccessWorld;
beforeAll(async () => {
  t = await startTestServer();
  w = await buildAccessWorld(t);
});
afterAll(() => t.close());

/** A fresh staff user of firm A with exactly these permissions, logged in (rule B1: rows that need a permission). */
async function staffOfA(role: "ADMIN" | "EMPLOYEE", permissions: StaffPermission[]): Promise<KundenappClient> {
  return w.f.staffClient(await w.f.buildStaff({ tenant: w.a.tenant, role, permissions }));
}

/** Both firms' rows, for "nothing changed". */
const both = async () => [await snapshot(w, w.a.tenant.id), await snapshot(w, w.b.tenant.id)];

describe("another firm's objects are NOT_FOUND, exactly like objects that do not exist (rule B1, C3)", () => {
  it.each(named(byId))("%s", async (_, { type, objectOf, call, filter, as }) => {
    const { a, b } = w;
    // An app-only operation asks as firm A's app account, every other one as its admin.
    const caller = as === "app" ? await w.f.appClient(w.app) : a.adminClient;
    const before = await snapshot(w, b.tenant.id);
    const [foreignId, missingId, ownId] = [toGlobalId(type, objectOf(b, w)), toGlobalId(type, crypto.randomUUID()), toGlobalId(type, objectOf(a, w))];
    if (filter) {
      // A list filter: another firm's object narrows the list exactly as an unknown one does; the caller's own does not.
      const [foreign, missing] = [await call(caller, foreignId, w), await call(caller, missingId, w)];
      expect(foreign).toEqual(missing);
      expect(await snapshot(w, b.tenant.id)).toEqual(before);
      expect(await call(caller, ownId, w)).not.toEqual(missing);
      return;
    }
    const foreign = await expectApiError(call(caller, foreignId, w), "NOT_FOUND");
    const missing = await expectApiError(call(caller, missingId, w), "NOT_FOUND");
    expect(foreign.message).toBe(missing.message);
    expect(foreign.errors.map((e) => e.extensions)).toEqual(missing.errors.map((e) => e.extensions));
    expect(await snapshot(w, b.tenant.id)).toEqual(before);
    // Not vacuous: the same call on the caller's own object works.
    await call(caller, ownId, w);
  });
});

describe("lists never contain another firm's rows", () => {
  it.each(named(lists))("%s", async (_, { listed, rowsOf, permission }) => {
    const { a, b } = w;
    const [ownRows, foreignRows] = [await rowsOf(a.tenant.id, w), await rowsOf(b.tenant.id, w)];
    expect(foreignRows.length).toBeGreaterThan(0);
    // A list that needs a permission (rule B1) is read by an employee holding it.
    for (const client of [a.adminClient, permission ? await staffOfA("EMPLOYEE", [permission]) : a.employeeClient]) {
      const ids = await listed(client, w);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.filter((id) => foreignRows.includes(id))).toEqual([]);
      expect(ids.filter((id) => !ownRows.includes(id))).toEqual([]);
    }
  });
});

describe("app accounts' lists never contain another customer's or another firm's rows (rule C3)", () => {
  it.each(named(lists.filter((l) => l.app)))("%s", async (_, { listed, rowsOf, app }) => {
    const { a, b } = w;
    const client = await w.f.appClient(w.app);
    const { viewer } = await client.request(AppViewerDocument);
    const accessible = viewer!.customers.map((c) => fromGlobalId(c.id)!.id);
    const others = (await w.db().select({ id: customers.id }).from(customers).where(eq(customers.tenantId, a.tenant.id)))
      .map((c) => c.id)
      .filter((id) => !accessible.includes(id));
    const [ownRows, otherCustomersRows, foreignFirmRows] = [await app!.rowsOfCustomers(accessible, w), await app!.rowsOfCustomers(others, w), await rowsOf(b.tenant.id, w)];
    // Not vacuous: other customers of the firm have rows, and the account lists some of its own.
    expect(otherCustomersRows.length).toBeGreaterThan(0);
    const ids = await listed(client, w);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => otherCustomersRows.includes(id) || foreignFirmRows.includes(id))).toEqual([]);
    expect(ids.filter((id) => !ownRows.includes(id))).toEqual([]);
  });
});

describe("subscriptions never deliver another firm's, another user's or customer's, or a revoked grant's events", () => {
  const table = subscriptions.flatMap((row) => row.cases.map((foreign) => [row.name, foreign, row] as const));
  it.each(table)("%s: no event of %s arrives", async (_, foreign, row) => {
    const { subscriber, raiseForeign } = await row.open(w, foreign);
    try {
      // Live first: its own event arrives (and a replay from the start held nothing else).
      const first = await subscriber.raiseOwn();
      expect(await subscriber.next()).toBe(first);
      // The foreign event, then one of its own: the first thing it receives must be its own.
      await raiseForeign();
      const own = await subscriber.raiseOwn();
      expect(await subscriber.next()).toBe(own);
    } finally {
      await subscriber.close();
    }
  });

  // A field both kinds of login may subscribe to (a row for each audience) has no kind to refuse.
  it.each(rowsOfOneAudience(subscriptions).map((s) => [s.name, s.audience, s] as const))("%s: only %s logins may subscribe; the other kind gets FORBIDDEN", async (_, audience, { subscribeOnce }) => {
    const client = audience === "staff" ? await w.f.appClient(w.app) : await w.f.staffClient(w.a.employee);
    await expectApiError(subscribeOnce(client), "FORBIDDEN");
    await client.close();
  });
});

describe("access levels", () => {
  const adminOnly = operations.filter(({ access }) => access === "admin");
  const operatorOnly = operations.filter(({ access }) => access === "operator");
  const appOnly = operations.filter(({ access }) => access === "app");
  const needPermission = operations.filter(({ permission }) => permission);

  it.each(named(adminOnly))("%s: an employee gets FORBIDDEN and nothing changes", async (_, { call }) => {
    const before = await both();
    await expectApiError(call(w.a.employeeClient, w.a, w), "FORBIDDEN");
    expect(await both()).toEqual(before);
  });

  it.each(named(operatorOnly))("%s: staff (admins included) get FORBIDDEN and nothing changes", async (_, { call }) => {
    const before = await both();
    const tenantCount = (await w.db().select({ id: tenants.id }).from(tenants)).length;
    for (const client of [w.a.adminClient, w.a.employeeClient]) await expectApiError(call(client, w.a, w), "FORBIDDEN");
    expect(await both()).toEqual(before);
    expect((await w.db().select({ id: tenants.id }).from(tenants)).length).toBe(tenantCount);
  });

  it.each(needPermission.map((row) => [row.name, row.permission, row] as const))(
    "%s: staff without %s (an employee, an admin) get FORBIDDEN and nothing changes",
    async (_, permission, { call }) => {
      const others: StaffPermission[] = (["CHAT", "CLAIMS"] as const).filter((p) => p !== permission);
      const clients = [await staffOfA("EMPLOYEE", others), await staffOfA("ADMIN", others)];
      const before = await both();
      for (const client of clients) await expectApiError(call(client, w.a, w), "FORBIDDEN");
      expect(await both()).toEqual(before);
    },
  );

  it("app-only rows say what an app account of the firm gets", () => {
    expect(appOnly.filter(({ app }) => !app).map(({ name }) => name)).toEqual([]);
  });

  it.each(named(appOnly))("%s: staff (admins included) get FORBIDDEN and nothing changes", async (_, { call }) => {
    const before = await both();
    for (const client of [w.a.adminClient, w.a.employeeClient]) await expectApiError(call(client, w.a, w), "FORBIDDEN");
    expect(await both()).toEqual(before);
  });

  it.each(named(operations))("%s: anonymous callers and unknown tokens get UNAUTHENTICATED", async (_, { call }) => {
    const before = await both();
    await expectApiError(call(t.client(), w.a, w), "UNAUTHENTICATED");
    await expectApiError(call(t.client(`ks_${crypto.randomBytes(32).toString("base64url")}`), w.a, w), "UNAUTHENTICATED");
    expect(await both()).toEqual(before);
  });

  describe("app accounts (rule C3)", () => {
    const staffOnly = operations.filter(({ app }) => !app);
    const appCallable = operations.filter(({ app }) => app === "ok");
    const hiddenFromApps = operations.filter(({ app }) => app === "hidden");
    let appClient: KundenappClient;
    beforeAll(async () => {
      appClient = await w.f.appClient(w.app);
      // Released to the customer, whatever the rows above did with its category: an app account sees only released documents.
      await w.a.adminClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [toGlobalId("Document", w.of(w.a).document)], visible: true } });
    });

    it("operation names are unique across modules", () => {
      const names = operations.map(({ name }) => name);
      expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    });

    it.each(named(staffOnly))("%s: an app account of the firm gets FORBIDDEN and nothing changes", async (_, { call }) => {
      const before = await both();
      await expectApiError(call(appClient, w.a, w), "FORBIDDEN");
      expect(await both()).toEqual(before);
    });

    it.each(named(appCallable))("%s: an app account of the firm may call it", async (_, { call }) => {
      // A session of its own each: `logout` ends the one it runs with.
      const outcome = await call(await w.f.appClient(w.app), w.a, w).then(
        () => "ok",
        (err: { code?: string; message?: string }) => `${err.code ?? "unknown"}: ${err.message}`,
      );
      expect(outcome).toBe("ok");
    });

    it.each(named(hiddenFromApps))("%s: an app account of the firm may ask, but the object is not one it sees: NOT_FOUND", async (_, { call }) => {
      await expectApiError(call(appClient, w.a, w), "NOT_FOUND");
    });

    it("viewer (open to everyone): an app account is told who it is", async () => {
      const { viewer } = await appClient.request(AppViewerDocument);
      expect(viewer).toMatchObject({ kind: "APP_ACCOUNT", appAccount: { id: toGlobalId("AppAccount", w.app.id) }, tenant: { brokerId: w.a.tenant.brokerId } });
    });
  });

  // Last: it runs each operation for real (promoting firm A's employee, among others).
  it.each(named(operations))("%s: the level it names may call it", async (_, { access, call, permission }) => {
    const client =
      access === "operator"
        ? t.operator()
        : access === "app"
          ? await w.f.appClient(w.app)
          : permission
            ? await staffOfA(access === "admin" ? "ADMIN" : "EMPLOYEE", [permission])
            : await w.f.staffClient(access === "admin" ? w.a.admin : w.a.employee);
    const outcome = await call(client, w.a, w).then(
      () => "ok",
      (err: { code?: string }) => err.code ?? "unknown",
    );
    expect(["UNAUTHENTICATED", "FORBIDDEN", "INTERNAL", "unknown"]).not.toContain(outcome);
  });

  it("covers every operation of the schema that needs a login", async () => {
    const { getSchema } = await import("../schema.js");
    const missing = operationsWithoutRows(await getSchema(), modules);
    expect(missing, "add an operation row (who may call it) to the module's <f>.access.ts, or name it in `open`").toEqual([]);
  });
});

describe("the registry covers the schema", () => {
  it("every ID argument has a row proving another firm's object is NOT_FOUND", async () => {
    const { getSchema } = await import("../schema.js");
    const schema = await getSchema();
    expect(idArgumentsWithoutRows(schema, modules), "add a `byId` row for these arguments to the module's <f>.access.ts").toEqual([]);
    expect(stalePending(schema, modules), "these types exist now: replace the `pending` entry with a `byId` row").toEqual([]);
  });

  it("every connection has a list row, checked for staff and, where app accounts may call it, for app accounts", async () => {
    const { getSchema } = await import("../schema.js");
    expect(connectionsWithoutRows(await getSchema(), modules), "add a `lists` row (with `app` where app accounts may call it) to the module's <f>.access.ts").toEqual([]);
  });

  it("every subscription has a row for another firm, and for app accounts another customer and a revoked household grant", async () => {
    const { getSchema } = await import("../schema.js");
    expect(subscriptionsWithoutRows(await getSchema(), modules), "add a `subscriptions` row (with these cases) to the module's <f>.access.ts").toEqual([]);
  });
});
