import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eq, inArray } from "drizzle-orm";
import WebSocket from "ws";
import { startTestServer, OPERATOR_TOKEN, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import { raiseNotification, nextWithin } from "../test/realtime.js";
import { startSmtpServer } from "../test/smtp.js";
import { KundenappClient, LoginDocument, NotificationAddedDocument } from "../sdk/client.js";
import { SmtpTransport } from "../mail/transport.js";
import { notifications } from "../modules/notification/notification.table.js";
import { mailOutbox } from "../mail/outbox.table.js";
import { EMAIL_AFTER_MS } from "../modules/notification/notification.service.js";

const databaseUrl = inject("databaseUrl");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`second server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("second server did not become ready");
}

// Several instances on one database: only meaningful (and only possible) on PostgreSQL.
describe.skipIf(!databaseUrl)("several server processes on one PostgreSQL", () => {
  let a: TestServer;
  let b: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const mailer = () => new SmtpTransport(smtp.url, "Kundenapp <no-reply@kundenapp.example>");
    a = await startTestServer({ overrides: { mailer: mailer() } });
    b = await startTestServer({ overrides: { mailer: mailer() }, sameDatabaseAs: a });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await smtp?.close();
  });

  it("an event raised through one process reaches a subscriber held by another process", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], {
      env: { ...process.env, DATABASE_URL: a.databaseUrl!, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", SEED_DEMO: "false", OPERATOR_TOKEN, NODE_ENV: "test" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      await waitReady(`http://127.0.0.1:${port}/readyz`, child);
      const f = factories(a);
      const staff = await f.buildStaff();
      const remote = new KundenappClient({ url: `http://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, lazyCloseTimeoutMs: 10_000 });
      const { login } = await remote.request(LoginDocument, { input: { email: staff.email, password: staff.password } });
      remote.setToken(login.token);
      const sub = remote.subscribe(NotificationAddedDocument, { after: "0" });
      await raiseNotification(a.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "über Prozessgrenzen" });
      const got = await nextWithin(sub, 5_000);
      expect(got.value?.notificationAdded.notification.title).toBe("über Prozessgrenzen");
      await sub.return?.();
      await remote.close();
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  });

  it("an event raised through one instance wakes a subscriber on another instance (separate pools and LISTEN connections)", async () => {
    const staff = await factories(a).buildStaff();
    const client = await factories(b).staffClient(staff);
    const sub = client.subscribe(NotificationAddedDocument, { after: "0" });
    await raiseNotification(a.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "von A" });
    expect((await nextWithin(sub)).value?.notificationAdded.notification.title).toBe("von A");
    await sub.return?.();
  });

  it("two workers escalating and mailing at once email each notification exactly once (rule F4)", async () => {
    const f = factories(a);
    const tenant = await f.buildTenant();
    const users = await Promise.all(Array.from({ length: 8 }, () => f.buildStaff({ tenant })));
    const raised = [];
    for (let i = 0; i < 5; i++) raised.push(...(await raiseNotification(a.app.services, { tenantId: tenant.id, staffUserIds: users.map((u) => u.id), title: `Runde ${i}` })));
    expect(raised).toHaveLength(40);
    a.clock.advance(EMAIL_AFTER_MS + 1_000);
    b.clock.advance(EMAIL_AFTER_MS + 1_000);

    // Small batches so both workers really interleave on the same rows.
    const drain = async (t: TestServer) => {
      let total = 0;
      for (;;) {
        const { queued, skipped } = await t.app.services.notification.escalateDue(3);
        total += queued;
        if (queued + skipped === 0) return total;
      }
    };
    const [byA, byB] = await Promise.all([drain(a), drain(b)]);
    const ids = raised.map((r) => r.id);
    const db = a.app.deps.database.db;
    const states = await db.select({ s: notifications.emailState }).from(notifications).where(inArray(notifications.id, ids));
    expect(states.every((s) => s.s === "QUEUED")).toBe(true);
    const mails = await db.select().from(mailOutbox).where(inArray(mailOutbox.template, ids.map((id) => `notification:${id}`)));
    expect(mails).toHaveLength(40);
    expect(new Set(mails.map((m) => m.template)).size).toBe(40);
    // Other tests' notifications may fall due too; ours are all among what the two workers queued.
    expect(byA + byB).toBeGreaterThanOrEqual(40);

    const before = smtp.received.length;
    await Promise.all([a.app.services.outbox.deliverDue(), b.app.services.outbox.deliverDue(), a.app.services.outbox.deliverDue(), b.app.services.outbox.deliverDue()]);
    await Promise.all([a.app.services.outbox.deliverDue(), b.app.services.outbox.deliverDue()]);
    await smtp.waitFor(before + 40);
    await new Promise((r) => setTimeout(r, 300));
    const ours = smtp.received.slice(before).filter((m) => users.some((u) => m.to.includes(u.email)));
    expect(ours).toHaveLength(40);
    const sent = await db.select({ status: mailOutbox.status }).from(mailOutbox).where(eq(mailOutbox.tenantId, tenant.id));
    expect(sent.every((m) => m.status === "SENT")).toBe(true);
  });
});
