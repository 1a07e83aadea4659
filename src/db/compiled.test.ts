/**
 * Compiled reads (db/compiled.ts, issue 14): the start screen, the inbox and the message page are built once per
 * shape with the viewer's ids as placeholders. What a user would notice if that went wrong: another account's
 * rows (ids baked into a shared text), or access granted or taken away only after a restart (rule C3/D9).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import { toGlobalId } from "../graphql/relay.js";
import { appAccountAccess } from "../modules/account/account.table.js";
import { and, eq, sql } from "drizzle-orm";
import { CompiledQueries } from "./compiled.js";
import { openDatabase } from "./client.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import type { AppViewer } from "../auth/viewer.js";
import { ContractsDocument, CreateContractDocument, InsurersDocument, OverviewDocument, type KundenappClient } from "../sdk/client.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t.close());

const unique = () => crypto.randomBytes(4).toString("hex");

async function addContract(staff: KundenappClient, customer: { id: string }, status: "AKTIV" | "ANGEBOT") {
  const { insurers } = await staff.request(InsurersDocument, {});
  const { createContract } = await staff.request(CreateContractDocument, {
    input: { customerId: toGlobalId("Customer", customer.id), insurerId: insurers[0]!.id, contractNumber: `V-${unique()}`, status, visibleToCustomer: true },
  });
  return createContract.contract.id;
}

async function startScreen(app: KundenappClient) {
  const [{ overview }, { contracts }] = await Promise.all([app.request(OverviewDocument, {}), app.request(ContractsDocument, { first: 50 })]);
  return { contracts: overview.contractCount, offers: overview.openOfferCount, ids: contracts.edges.map((e) => e.node.id).sort() };
}

describe("compiled reads", () => {
  it("C3/D9: one compiled start screen serves each account its own customers', across firms, and a grant or revocation counts at once", async () => {
    const a = await f.buildFirm();
    const b = await f.buildFirm();
    const household = await f.buildHousehold(a.tenant); // own + one granted customer
    const single = await f.buildAppAccount({ tenant: b.tenant });
    const singleApp = await f.appClient(single);
    const neighbour = await f.buildCustomer({ tenant: b.tenant });

    const aOwn = await addContract(a.adminClient, household.own, "AKTIV");
    const aGranted = await addContract(a.adminClient, household.granted, "ANGEBOT");
    const bOwn = await addContract(b.adminClient, single.customer, "AKTIV");
    const bNeighbour = await addContract(b.adminClient, neighbour, "AKTIV");

    // Alternating accounts with two customers and with one: the same compiled statements, each account's own ids.
    expect(await startScreen(household.app)).toEqual({ contracts: 1, offers: 1, ids: [aOwn, aGranted].sort() });
    expect(await startScreen(singleApp)).toEqual({ contracts: 1, offers: 0, ids: [bOwn] });
    expect(await startScreen(household.app)).toEqual({ contracts: 1, offers: 1, ids: [aOwn, aGranted].sort() });

    // A household grant (D9) shows the neighbour's contract on the next read, without a new login.
    await f.grantAccess(single, neighbour);
    expect(await startScreen(singleApp)).toEqual({ contracts: 2, offers: 0, ids: [bOwn, bNeighbour].sort() });
    // And its revocation hides it again at once.
    const db = t.app.deps.database.db;
    await db.delete(appAccountAccess).where(and(eq(appAccountAccess.appAccountId, single.id), eq(appAccountAccess.customerId, neighbour.id)));
    expect(await startScreen(singleApp)).toEqual({ contracts: 1, offers: 0, ids: [bOwn] });
    // Meanwhile the other firm's account was never served the neighbour's contract.
    expect((await startScreen(household.app)).ids).not.toContain(bNeighbour);

    // In parallel, the two accounts interleaved: still each its own.
    const screens = await Promise.all(Array.from({ length: 20 }, (_, i) => startScreen(i % 2 ? singleApp : household.app)));
    screens.forEach((screen, i) => expect(screen.ids).toEqual(i % 2 ? [bOwn] : [aOwn, aGranted].sort()));
  });

  it("a read whose key misses a value its SQL depends on fails under test instead of serving the first request's text", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const viewer: AppViewer = { kind: "app", sessionId: crypto.randomUUID(), tenantId: firm.tenant.id, accountId: account.id, customerId: account.customerId, customerIds: new Set([account.customerId]) };
    const compiled = new CompiledQueries(t.app.deps.database.db, "probe", true);
    // Right: the name is a placeholder, so one text serves both names.
    const byName = (name: string) =>
      compiled.run("by-name", viewer, (db, v) => db.select({ id: tenants.id }).from(tenants).where(and(eq(tenants.id, v.tenantId), eq(tenants.name, sql.placeholder("name")))), { name });
    expect(await byName(firm.tenant.name)).toEqual([{ id: firm.tenant.id }]);
    expect(await byName("someone else")).toEqual([]);
    // Wrong: a filter that is set or not, and a key that does not say which.
    const filtered = (name?: string) =>
      compiled.run("filtered", viewer, (db, v) => db.select({ id: tenants.id }).from(tenants).where(and(eq(tenants.id, v.tenantId), name ? eq(tenants.name, sql.placeholder("name")) : undefined)), { name });
    expect(await filtered()).toEqual([{ id: firm.tenant.id }]);
    await expect(filtered("someone else")).rejects.toThrow(/the key misses something/);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("behind a pooler that cannot keep prepared statements", () => {
  it("DATABASE_PREPARE=false: compiled reads and named statements run unprepared; by default they are prepared", async () => {
    for (const prepare of [false, true]) {
      const database = await openDatabase({ databaseUrl: t.databaseUrl, poolMax: 1, prepare });
      try {
        const [tenant] = await database.db.insert(tenants).values({ name: `Pool ${unique()}`, brokerId: `P${unique().slice(0, 5).toUpperCase()}` }).returning();
        const viewer: AppViewer = { kind: "app", sessionId: crypto.randomUUID(), tenantId: tenant!.id, accountId: crypto.randomUUID(), customerId: crypto.randomUUID(), customerIds: new Set() };
        const compiled = new CompiledQueries(database.db, "pool", false);
        for (let i = 0; i < 2; i++) {
          expect(await compiled.run("tenant", viewer, (db, v) => db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, v.tenantId)))).toEqual([{ id: tenant!.id }]);
        }
        // One connection: its prepared statements are the ones this pool made.
        const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from pg_prepared_statements`);
        expect(row!.n > 0).toBe(prepare);
        await database.db.delete(tenants).where(eq(tenants.id, tenant!.id));
      } finally {
        await database.close();
      }
    }
  });
});
