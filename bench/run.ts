/**
 * `npm run bench`: figures, not verdicts. Starts a real server (PGlite in memory, or PostgreSQL with
 * BENCH_DATABASE_URL), builds a firm with many customers and documents, and reports latency,
 * throughput, SQL statements per request (which must not grow with the page size: DataLoader),
 * realtime fan-out and memory.
 */
import "reflect-metadata";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/app.js";
import { startServer } from "../src/server.js";
import { openDatabase } from "../src/db/client.js";
import { createLogger } from "../src/log.js";
import { seedDemo, DEMO } from "../src/db/seed.js";
import { KundenappClient, LoginDocument, CustomersDocument, DocumentsDocument, NotificationAddedDocument, ViewerDocument } from "../src/sdk/client.js";
import { tenants } from "../src/modules/tenant/tenant.table.js";
import { customers, customerResponsibleStaff } from "../src/modules/customer/customer.table.js";
import { staffUsers } from "../src/modules/staff/staff.table.js";
import { eq } from "drizzle-orm";

const CUSTOMERS = 2_000;
let statements = 0;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `op` `total` times with `concurrency` in flight; returns latency percentiles and throughput. */
async function load(name: string, total: number, concurrency: number, op: () => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const before = statements;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const t0 = performance.now();
        await op();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: total,
    concurrency,
    "req/s": Math.round(total / seconds),
    "p50 ms": +percentile(latencies, 50).toFixed(2),
    "p95 ms": +percentile(latencies, 95).toFixed(2),
    "p99 ms": +percentile(latencies, 99).toFixed(2),
    "SQL/request": +((statements - before) / total).toFixed(2),
  };
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-bench-"));
  const url = process.env.BENCH_DATABASE_URL;
  const config = loadConfig({ NODE_ENV: "production", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "warn", DATA_DIR: dataDir, SEED_DEMO: "false", ...(url ? { DATABASE_URL: url } : {}) });
  const database = await openDatabase({ databaseUrl: url, onQuery: () => statements++ });
  const log = createLogger("warn");
  const app = await createApp(config, { database, log, startWorker: false });
  await seedDemo(app.services);
  const server = await startServer({ config, log, services: app.services });
  const { db } = app.deps.database;

  // A bigger book of customers for the demo firm, each with the two demo staff responsible.
  const [tenant] = await db.select().from(tenants).where(eq(tenants.brokerId, DEMO.brokerId));
  const staff = await db.select().from(staffUsers).where(eq(staffUsers.tenantId, tenant!.id));
  const existing = await db.select({ id: customers.id }).from(customers).where(eq(customers.tenantId, tenant!.id));
  if (existing.length < CUSTOMERS) {
    for (let i = 0; i < CUSTOMERS; i += 500) {
      const rows = await db
        .insert(customers)
        .values(Array.from({ length: 500 }, (_, j) => ({ tenantId: tenant!.id, firstName: `Vorname${i + j}`, lastName: `Nachname${String(i + j).padStart(5, "0")}`, email: `k${i + j}@bench.example` })))
        .returning({ id: customers.id });
      await db.insert(customerResponsibleStaff).values(rows.flatMap((r) => staff.map((s, position) => ({ tenantId: tenant!.id, customerId: r.id, staffUserId: s.id, position }))));
    }
  }

  const staffClient = new KundenappClient({ url: server.url, webSocketImpl: WebSocket });
  const { login } = await staffClient.request(LoginDocument, { input: { email: DEMO.admin.email, password: DEMO.admin.password } });
  staffClient.setToken(login.token);
  const appClient = new KundenappClient({ url: server.url, webSocketImpl: WebSocket });
  const appLogin = await appClient.request(LoginDocument, { input: { email: DEMO.app.email, password: DEMO.app.password, brokerId: DEMO.brokerId } });
  appClient.setToken(appLogin.login.token);

  const results = [];
  // Warm up JIT, prepared statements and pools.
  await load("warm-up", 200, 8, () => staffClient.request(ViewerDocument));
  results.push(await load("viewer (session lookup)", 2_000, 16, () => staffClient.request(ViewerDocument)));
  const withStaff = async (first: number) => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${login.token}` },
      body: JSON.stringify({ query: `{ customers(first: ${first}) { edges { node { id name responsibleStaff { id name } } } } }` }),
    });
    await res.json();
  };
  results.push(await load("customers(first: 10) + responsibleStaff", 500, 8, () => withStaff(10)));
  results.push(await load("customers(first: 100) + responsibleStaff", 500, 8, () => withStaff(100)));
  results.push(await load("customers search 'nachname01'", 500, 8, () => staffClient.request(CustomersDocument, { search: "nachname01", first: 20 })));
  results.push(await load("app: documents (C3 scope)", 1_000, 8, () => appClient.request(DocumentsDocument, { first: 20 })));
  results.push(await load("login (argon2id, m=19456 t=2 p=1)", 50, 2, () => new KundenappClient({ url: server.url }).request(LoginDocument, { input: { email: DEMO.employee.email, password: DEMO.employee.password } })));

  // Realtime fan-out: N subscribers of one user, one notification; time until all have it.
  const SUBSCRIBERS = 200;
  const subs = Array.from({ length: SUBSCRIBERS }, () => new KundenappClient({ url: server.url, token: login.token, webSocketImpl: WebSocket }));
  const iterators = subs.map((c) => c.subscribe(NotificationAddedDocument, { after: "0" }));
  const firstEvents = iterators.map((it) => it.next());
  await new Promise((r) => setTimeout(r, 1500));
  const adminId = staff.find((s) => s.email === DEMO.admin.email)!.id;
  const t0 = performance.now();
  await app.services.events.transact((tx, emit) =>
    app.services.notification.notify(tx, emit, { tenantId: tenant!.id, staffUserIds: [adminId], kind: "GENERAL", title: "Bench", body: "fan-out" }),
  );
  await Promise.all(firstEvents);
  const fanout = performance.now() - t0;
  await Promise.all(iterators.map((it) => it.return?.()));
  await Promise.all(subs.map((c) => c.close()));

  const mem = process.memoryUsage();
  console.log(`\nkundenapp-api benchmark on ${url ? "PostgreSQL" : "PGlite (in memory)"}, ${os.cpus().length} cores, Node ${process.version}`);
  console.log(`customers in the firm: ${CUSTOMERS + 3}\n`);
  console.table(results);
  console.log(`realtime: ${SUBSCRIBERS} subscribers received one notification in ${fanout.toFixed(1)} ms`);
  const ratio = results[2]!["SQL/request"] / results[1]!["SQL/request"];
  console.log(`SQL statements per request, page of 100 vs page of 10: ${ratio.toFixed(2)}x (DataLoader keeps it flat)`);
  console.log(`memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);

  await staffClient.close();
  await appClient.close();
  await server.close(2_000);
  await app.close();
  await database.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
