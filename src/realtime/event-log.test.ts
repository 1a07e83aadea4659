import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories, GOOD_PASSWORD } from "../test/factories.js";
import { raiseNotification, nextWithin, nothingWithin, settledReads } from "../test/realtime.js";
import {
  AccessChangedDocument,
  ContractChangedDocument,
  CreateContractDocument,
  InsurersDocument,
  KundenappClient,
  NotificationAddedDocument,
  RevokeCustomerAccessDocument,
  UpdateContractDocument,
  ViewerDocument,
} from "../sdk/client.js";
import { toGlobalId } from "../graphql/relay.js";
import { staffUsers } from "../modules/staff/staff.table.js";
import { appAccountAccess } from "../modules/account/account.table.js";
import type { SessionViewer } from "../auth/viewer.js";
import { DIRECT, type DirectSink, type LiveEvent } from "./event-log.js";
import WebSocket from "ws";

let t: TestServer;
let f: ReturnType<typeof factories>;

beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t.close());

/** The viewer of a fresh session, as a subscription is started with. */
async function viewerOf(subject: { tenantId: string; staffUserId: string } | { tenantId: string; appAccountId: string }): Promise<SessionViewer> {
  const { sessionId } = await t.app.services.session.issue(subject);
  const v = (await t.app.services.session.reloadMany([sessionId])).get(sessionId);
  if (!v || (v.kind !== "staff" && v.kind !== "app")) throw new Error("no session viewer");
  return v;
}

function emit(tenantId: string, topic: string, audienceId: string | null) {
  const entityId = crypto.randomUUID();
  return t.app.services.events.transact((_tx, e) => e({ tenantId, topic, entityId, audienceId })).then(() => entityId);
}

describe("writing the log", () => {
  it("a transaction's events are written at its end in one statement, in the order they were emitted, after every firm's own lock", async () => {
    const a = await f.buildTenant();
    const b = await f.buildTenant();
    const after = { a: Number(await t.app.services.events.head(a.id)), b: Number(await t.app.services.events.head(b.id)) };
    const emitted = Array.from({ length: 15 }, (_, i) => ({ tenantId: i % 4 === 3 ? b.id : a.id, topic: `order.${i}`, entityId: crypto.randomUUID() }));
    const statements = await t.countStatements(() => t.app.services.events.transact(async (_tx, e) => {
      for (const ev of emitted) await e(ev);
    }));
    // BEGIN and COMMIT are not counted: one statement per firm (twelve events of one firm: their order is not text order).
    expect(statements).toBe(2);
    for (const [tenant, from] of [[a, after.a], [b, after.b]] as const) {
      const rows = await t.app.services.events.read(tenant.id, emitted.map((e) => e.topic), from);
      expect(rows.map((r) => r.entityId)).toEqual(emitted.filter((e) => e.tenantId === tenant.id).map((e) => e.entityId));
    }
    // A transaction that fails writes none of its events.
    await expect(t.app.services.events.transact(async (_tx, e) => {
      await e({ tenantId: a.id, topic: "order.failed", entityId: crypto.randomUUID() });
      throw new Error("changed my mind");
    })).rejects.toThrow("changed my mind");
    expect(await t.app.services.events.read(a.id, ["order.failed"], 0)).toEqual([]);
  });

  it("40 transactions of one firm at once: a reader following the log by cursor meanwhile gets every event once, ids rising", async () => {
    const tenant = await f.buildTenant();
    const events = t.app.services.events;
    const db = t.app.deps.database.db;
    // The dangerous moment made long: after a transaction's events have their ids and before it commits. Without the
    // firm's lock a later id could commit first, and a reader past it would never see the earlier one.
    const fn = sql.raw(`race_${tenant.id.replace(/-/g, "")}`);
    await db.execute(sql`create function ${fn}() returns trigger language plpgsql as $$ begin perform pg_sleep(random() * 0.01); return new; end $$`);
    await db.execute(sql`create trigger ${fn} after insert on events for each row when (new.tenant_id = ${sql.raw(`'${tenant.id}'`)}) execute function ${fn}()`);
    try {
      const start = Number(await events.head(tenant.id));
      const written: string[] = [];
      let writing = true;
      const seen: Array<{ id: number; entityId: string }> = [];
      const follow = (async () => {
        let cursor = start;
        // Read as a subscriber does, after the last id seen, until the writers are done and the log is drained.
        for (;;) {
          const done = !writing;
          const rows = await events.read(tenant.id, ["race.a", "race.b"], cursor);
          for (const r of rows) seen.push({ id: r.id, entityId: r.entityId });
          if (rows.length) cursor = rows.at(-1)!.id;
          else if (done) return;
          else await new Promise((r) => setTimeout(r, 2));
        }
      })();
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          events.transact(async (tx, e) => {
            // Uneven transactions, so that they commit in another order than they began.
            await tx.execute(sql`select pg_sleep(${(i % 5) * 0.004})`);
            for (const topic of ["race.a", "race.b"]) {
              const entityId = crypto.randomUUID();
              written.push(entityId);
              await e({ tenantId: tenant.id, topic, entityId });
            }
          }),
        ),
      );
      writing = false;
      await follow;
      expect(seen.map((r) => r.entityId).sort()).toEqual([...written].sort());
      expect(seen.every((r, i) => i === 0 || r.id > seen[i - 1]!.id)).toBe(true);
    } finally {
      await db.execute(sql`drop trigger ${fn} on events`);
      await db.execute(sql`drop function ${fn}()`);
    }
  });
});

describe("one log read per firm per process", () => {
  it("200 subscribers of one firm cost one read of the event log per wake-up, not 200, and each gets its own event once", async () => {
    const tenant = await f.buildTenant();
    const hash = await t.app.deps.hasher.hash(GOOD_PASSWORD);
    const users = await t.app.deps.database.db
      .insert(staffUsers)
      .values(Array.from({ length: 200 }, (_, i) => ({ tenantId: tenant.id, email: `fan-${i}-${crypto.randomUUID()}@example.test`, name: `Fan ${i}`, role: "EMPLOYEE" as const, status: "ACTIVE" as const, passwordHash: hash })))
      .returning();
    const clients: KundenappClient[] = [];
    const subs = [];
    // Subscriptions start when first read: resume from "now" so none misses the first event however late it starts.
    const now = await t.headCursor(tenant.id);
    for (const u of users) {
      const { token } = await t.app.services.session.issue({ tenantId: tenant.id, staffUserId: u.id });
      const c = new KundenappClient({ url: t.url, token, webSocketImpl: WebSocket });
      clients.push(c);
      subs.push(c.subscribe(NotificationAddedDocument, { after: now }));
    }
    try {
      // First round: every subscription is registered and caught up once its first event arrives.
      await raiseNotification(t.app.services, { tenantId: tenant.id, staffUserIds: users.map((u) => u.id), title: "eins" });
      const first = await Promise.all(subs.map((s) => nextWithin(s, 15_000)));
      expect(first.every((r) => r.value?.notificationAdded.notification.title === "eins")).toBe(true);

      // Second round: one notification for everyone, then one for a single user, each one wake-up.
      const before = await settledReads(t.app.services);
      await raiseNotification(t.app.services, { tenantId: tenant.id, staffUserIds: users.map((u) => u.id), title: "zwei" });
      const second = await Promise.all(subs.map((s) => nextWithin(s, 15_000)));
      expect(second.map((r) => r.value?.notificationAdded.notification.title)).toEqual(users.map(() => "zwei"));
      expect(t.app.services.events.reads - before).toBe(1);

      await raiseNotification(t.app.services, { tenantId: tenant.id, staffUserIds: [users[7]!.id], title: "nur für sieben" });
      expect((await nextWithin(subs[7]!, 5_000)).value?.notificationAdded.notification.title).toBe("nur für sieben");
      expect(t.app.services.events.reads - before).toBe(2);
      // Nobody else got it.
      await nothingWithin(subs[8]!, 300);
    } finally {
      await Promise.all(subs.map((s) => s.return?.()));
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it("a wake-up for a topic nobody in the firm watches costs no read", async () => {
    const staff = await f.buildStaff();
    const client = await f.staffClient(staff);
    const sub = client.subscribe(NotificationAddedDocument, { after: await t.headCursor(staff.tenantId) });
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "warm" });
    await nextWithin(sub);
    const before = await settledReads(t.app.services);
    await emit(staff.tenantId, "nobody.listens", null);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.app.services.events.reads).toBe(before);
    await sub.return?.();
  });
});

describe("subscriptions decide with the live viewer", () => {
  /** Collects a watch's events in the background. */
  function collect<T>(it: AsyncIterableIterator<LiveEvent<T>>) {
    const got: T[] = [];
    let ended = false;
    const done = (async () => {
      for await (const e of it) got.push(e.value);
      ended = true;
    })();
    return { got, done, get ended() { return ended; } };
  }
  const until = async (cond: () => boolean, ms = 3_000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error("condition not met in time");
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it("a revoked household grant stops that customer's events at once; the account's own keep coming (audience: a set of customer ids)", async () => {
    const account = await f.buildAppAccount();
    const partner = await f.buildCustomer({ tenant: account.tenant });
    await f.grantAccess(account, partner);
    const viewer = await viewerOf({ tenantId: account.tenantId, appAccountId: account.id });
    const topic = `test.customer.${crypto.randomUUID()}`;
    const stream = t.app.services.events.watch<string>({
      viewer,
      topic,
      after: await t.headCursor(viewer.tenantId),
      audience: (v) => (v.kind === "app" ? v.customerIds : null),
      load: async (_v, rows) => rows.map((r) => ({ cursor: String(r.id), value: r.entityId })),
    });
    const c = collect(stream);
    const a = await emit(account.tenantId, topic, partner.id);
    await until(() => c.got.length === 1);
    expect(c.got).toEqual([a]);
    await t.app.deps.database.db.delete(appAccountAccess).where(eq(appAccountAccess.appAccountId, account.id));
    const hidden = await emit(account.tenantId, topic, partner.id);
    const own = await emit(account.tenantId, topic, account.customerId);
    await until(() => c.got.length === 2);
    expect(c.got).toEqual([a, own]);
    expect(c.got).not.toContain(hidden);
    await stream.return?.();
    await c.done;
  });

  it("a removed permission stops events at once, without ending the subscription; given back, new events flow again (audience: a permission)", async () => {
    const staff = await f.buildStaff({ permissions: ["CHAT"] });
    const viewer = await viewerOf({ tenantId: staff.tenantId, staffUserId: staff.id });
    const topic = `test.chat.${crypto.randomUUID()}`;
    const stream = t.app.services.events.watch<string>({
      viewer,
      topic,
      after: await t.headCursor(viewer.tenantId),
      audience: (v) => (v.kind === "staff" && v.permissions.has("CHAT") ? "firm" : null),
      load: async (_v, rows) => rows.map((r) => ({ cursor: String(r.id), value: r.entityId })),
    });
    const c = collect(stream);
    const first = await emit(staff.tenantId, topic, null);
    await until(() => c.got.length === 1);
    await t.app.deps.database.db.update(staffUsers).set({ permissions: [] }).where(eq(staffUsers.id, staff.id));
    const hidden = await emit(staff.tenantId, topic, null);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.got).toEqual([first]);
    expect(c.ended).toBe(false);
    await t.app.deps.database.db.update(staffUsers).set({ permissions: ["CHAT"] }).where(eq(staffUsers.id, staff.id));
    const later = await emit(staff.tenantId, topic, null);
    await until(() => c.got.length === 2);
    expect(c.got).toEqual([first, later]);
    expect(c.got).not.toContain(hidden);
    await stream.return?.();
    await c.done;
  });

  it("the stream ends when its session ends, and another firm's events never reach it", async () => {
    const staff = await f.buildStaff({ permissions: ["CHAT"] });
    const stranger = await f.buildStaff({ permissions: ["CHAT"] });
    const viewer = await viewerOf({ tenantId: staff.tenantId, staffUserId: staff.id });
    const topic = `test.firm.${crypto.randomUUID()}`;
    const c = collect(
      t.app.services.events.watch<string>({
        viewer,
        topic,
        after: await t.headCursor(viewer.tenantId),
        audience: () => "firm",
        load: async (_v, rows) => rows.map((r) => ({ cursor: String(r.id), value: r.entityId })),
      }),
    );
    await emit(stranger.tenantId, topic, null);
    const mine = await emit(staff.tenantId, topic, null);
    await until(() => c.got.length === 1);
    expect(c.got).toEqual([mine]);
    await t.app.services.session.end([viewer.sessionId]);
    await emit(staff.tenantId, topic, null);
    await c.done;
    expect(c.ended).toBe(true);
    expect(c.got).toEqual([mine]);
  });

  it("over the API: a deactivated user's notification stream stops, while the socket of a colleague goes on", async () => {
    const firm = await f.buildFirm();
    const after = await t.headCursor(firm.tenant.id);
    const sub = firm.employeeClient.subscribe(NotificationAddedDocument, { after });
    const colleague = firm.adminClient.subscribe(NotificationAddedDocument, { after });
    await raiseNotification(t.app.services, { tenantId: firm.tenant.id, staffUserIds: [firm.employee.id, firm.admin.id], title: "vorher" });
    expect((await nextWithin(sub)).value?.notificationAdded.notification.title).toBe("vorher");
    expect((await nextWithin(colleague)).value?.notificationAdded.notification.title).toBe("vorher");
    await t.app.deps.database.db.update(staffUsers).set({ status: "DEACTIVATED" }).where(eq(staffUsers.id, firm.employee.id));
    await raiseNotification(t.app.services, { tenantId: firm.tenant.id, staffUserIds: [firm.employee.id, firm.admin.id], title: "nachher" });
    expect((await nextWithin(colleague)).value?.notificationAdded.notification.title).toBe("nachher");
    const next = await nextWithin(sub).catch((err: unknown) => ({ error: err }));
    expect("value" in next ? next.value : undefined).toBeUndefined();
    // The admin's socket is still usable for other operations.
    expect((await firm.adminClient.request(ViewerDocument)).viewer).toBeTruthy();
    await colleague.return?.();
  });

  it("over the API: a revoked household grant stops that customer's contract events at once, on a socket whose other subscription goes on", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const partner = await f.buildCustomer({ tenant: firm.tenant });
    await f.grantAccess(account, partner);
    const app = await f.appClient(account);
    const { insurers } = await firm.adminClient.request(InsurersDocument);
    const make = async (customerId: string, contractNumber: string) =>
      (
        await firm.adminClient.request(CreateContractDocument, {
          input: { customerId: toGlobalId("Customer", customerId), insurerId: insurers[0]!.id, contractNumber, visibleToCustomer: true },
        })
      ).createContract.contract.id;
    const own = await make(account.customerId, "EIGEN-1");
    const theirs = await make(partner.id, "PARTNER-1");
    const after = await t.headCursor(firm.tenant.id);
    // Both subscriptions share the app client's one WebSocket.
    const contracts = app.subscribe(ContractChangedDocument, { after });
    const access = app.subscribe(AccessChangedDocument, { after });
    const touch = (id: string, premiumCents: number) => firm.adminClient.request(UpdateContractDocument, { input: { id, premiumCents } });

    await touch(theirs, 1000);
    expect((await nextWithin(contracts)).value?.contractChanged.contract.contractNumber).toBe("PARTNER-1");
    await firm.adminClient.request(RevokeCustomerAccessDocument, {
      input: { appAccountId: toGlobalId("AppAccount", account.id), customerId: toGlobalId("Customer", partner.id) },
    });
    expect((await nextWithin(access)).value?.accessChanged.customers.map((c: { id: string }) => c.id)).toEqual([toGlobalId("Customer", account.customerId)]);
    await touch(theirs, 2000);
    await touch(own, 3000);
    // The partner's change is never delivered: the next event is the account's own contract.
    const next = (await nextWithin(contracts)).value?.contractChanged.contract;
    expect(next).toMatchObject({ contractNumber: "EIGEN-1", premium: { cents: 3000 } });
    await contracts.return?.();
    await access.return?.();
  });
});


describe("direct delivery (issue 14: one execution and one payload for every socket of an operation and scope)", () => {
  const until = async (cond: () => boolean, ms = 5_000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error("condition not met in time");
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  /** A socket as the WebSocket server binds it: executes through `run`, records what is written to it. */
  function sink(operation: string, run: (e: LiveEvent<unknown>) => Promise<string | null>, writable = () => true) {
    const written: string[] = [];
    const s: DirectSink = {
      operation,
      perViewer: false,
      execute: run,
      write: (payload) => {
        if (!writable()) return false;
        written.push(payload);
        return true;
      },
    };
    return { s, written };
  }

  it("five subscribers of one operation and scope: one load and one execution per event, the same payload written to each, in order", async () => {
    const tenant = await f.buildTenant();
    const tenantId = tenant.id;
    const everyone = await Promise.all([1, 2, 3, 4, 5].map(() => f.buildStaff({ tenant, permissions: ["CHAT"] })));
    const topic = `test.direct.${crypto.randomUUID()}`;
    const after = await t.headCursor(tenantId);
    let loads = 0;
    let executions = 0;
    const sinks = everyone.map(() => sink("op-1", async (e) => `{"data":${JSON.stringify(e.value)},"n":${++executions}}`));
    const streams = [];
    for (const [i, u] of everyone.entries()) {
      const stream = t.app.services.events.watch<string>({
        viewer: await viewerOf({ tenantId, staffUserId: u.id }),
        topic,
        after,
        audience: () => "firm",
        load: async (_v, rows) => (loads++, rows.map((r) => ({ cursor: String(r.id), value: r.entityId }))),
      });
      stream[DIRECT](sinks[i]!.s);
      // The iterator's next() starts the subscription and settles only when the stream ends.
      const ended = stream.next();
      streams.push({ stream, ended });
    }
    await new Promise((r) => setTimeout(r, 200));
    const a = await emit(tenantId, topic, null);
    await until(() => sinks.every((x) => x.written.length === 1));
    const b = await emit(tenantId, topic, null);
    await until(() => sinks.every((x) => x.written.length === 2));
    for (const x of sinks) expect(x.written.map((w) => JSON.parse(w).data)).toEqual([a, b]);
    // Every socket was written the very same payload, made by one execution per event.
    expect(new Set(sinks.map((x) => x.written[1])).size).toBe(1);
    expect(executions).toBe(2);
    expect(loads).toBe(2);
    for (const { stream, ended } of streams) {
      await stream.return?.();
      expect((await ended).done).toBe(true);
    }
  });

  /** A firm-wide subscription of one staff user's session, switched to direct delivery into `s`. */
  async function directWatch(staff: { id: string; tenantId: string }, topic: string, s: DirectSink) {
    const stream = t.app.services.events.watch<string>({
      viewer: await viewerOf({ tenantId: staff.tenantId, staffUserId: staff.id }),
      topic,
      after: await t.headCursor(staff.tenantId),
      audience: () => "firm",
      load: async (_v, rows) => rows.map((r) => ({ cursor: String(r.id), value: r.entityId })),
    });
    stream[DIRECT](s);
    return stream;
  }

  it("an event whose execution has errors goes through the iterator (formatted per socket), and later ones keep their order", async () => {
    const staff = await f.buildStaff({ permissions: ["CHAT"] });
    const topic = `test.direct.${crypto.randomUUID()}`;
    let fail = true;
    const x = sink("op-2", async (e) => (fail ? null : JSON.stringify(e.value)));
    const stream = await directWatch(staff, topic, x.s);
    const first = stream.next();
    await new Promise((r) => setTimeout(r, 200));
    const a = await emit(staff.tenantId, topic, null);
    // The failed one comes out of the iterator, for graphql-ws to execute and format with the socket's own hooks.
    expect((await first).value?.value).toBe(a);
    fail = false;
    const second = stream.next();
    const b = await emit(staff.tenantId, topic, null);
    await until(() => x.written.length === 1);
    expect(x.written).toEqual([JSON.stringify(b)]);
    await stream.return?.();
    expect((await second).done).toBe(true);
  });

  it("a socket that has fallen too far behind ends its subscription with RATE_LIMITED (it resumes with after:)", async () => {
    const staff = await f.buildStaff({ permissions: ["CHAT"] });
    const topic = `test.direct.${crypto.randomUUID()}`;
    const x = sink("op-3", async (e) => JSON.stringify(e.value), () => false);
    const stream = await directWatch(staff, topic, x.s);
    const ended = stream.next();
    await new Promise((r) => setTimeout(r, 200));
    await emit(staff.tenantId, topic, null);
    await expect(ended).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(x.written).toEqual([]);
  });
});
