/**
 * `npm run bench`: the API against a raw baseline, in one run (issue 14).
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench npm run bench   # PostgreSQL: the database is wiped
 *   npm run bench                                                                # PGlite: the API's figures only
 *
 * 1. Fills the demo firm with 10,000 customers, 50,000 contracts, 5,000 chats with 200,000 messages and 2,000
 *    claims (bench/seed.ts), plus sessions for the realtime clients.
 * 2. Starts the API (`src/main.ts serve`) and the baseline (bench/baseline.ts: node:http + postgres.js with
 *    hand-written SQL and the same JSON, checked equal before measuring; and a raw `ws` server) as processes.
 * 3. Drives HTTP load with autocannon from this process and sockets from a forked client process
 *    (bench/clients.ts): each figure is the median of BENCH_ROUNDS rounds, API and baseline alternating.
 * 4. Writes bench/results/<date>.json and .md and bench/results/latest.{json,md}.
 *
 * Options (environment): BENCH_ROUNDS (3), BENCH_SECONDS per round (5), BENCH_CONNECTIONS (10),
 * BENCH_FANOUT ("1000,5000,10000"), BENCH_E2E_CLIENTS (2000), BENCH_E2E_RATE (200), BENCH_SCALE_UP (1: also
 * measure the reads with 10× the data), BENCH_ONLY (a comma list of parts to run: reads, writes, fanout, e2e, scale;
 * default all), BENCH_SCREENS (a comma list of words from the screens'
 * names, e.g. "start,inbox": only those), BENCH_API_FLAGS (Node flags for the API process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to
 * profile the part that runs).
 */
import { spawn, fork, execFileSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import autocannon from "autocannon";
import WebSocket from "ws";
import { seedStatements, PER_BLOCK } from "./seed.js";
import { START_SCREEN, INBOX, CUSTOMER_SEARCH, MESSAGES, SEND_MESSAGE, REPORT_CLAIM, MESSAGE_ADDED, MESSAGE_ADDED_PER_VIEWER } from "./screens.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = process.env;
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 10);
const FANOUT = (env.BENCH_FANOUT ?? "1000,5000,10000").split(",").map(Number).filter((n) => n > 0);
const E2E_CLIENTS = Number(env.BENCH_E2E_CLIENTS ?? 2000);
/** Staff users the fan-out sockets belong to (sockets of one user share an execution; of different users not). */
const FANOUT_USERS = Number(env.BENCH_FANOUT_USERS ?? 100);
const E2E_RATE = Number(env.BENCH_E2E_RATE ?? 200);
const SCALE_UP = env.BENCH_SCALE_UP !== "0" && (env.BENCH_ONLY === undefined || env.BENCH_ONLY.includes("scale"));
const DB_URL = env.BENCH_DATABASE_URL;
const ONLY = new Set((env.BENCH_ONLY ?? "reads,writes,fanout,e2e,scale").split(",").map((p) => p.trim()));
const SCREENS = env.BENCH_SCREENS?.split(",").map((s) => s.trim());
const API_FLAGS = (env.BENCH_API_FLAGS ?? "").split(" ").filter(Boolean);
const API_PORT = 4700;
const BASE_PORT = 4701;
const RAW_WS_PORT = 4702;
/** Inspector ports (loopback only): the bench collects garbage in the servers before it reads their memory. */
const API_INSPECT = 9331;
const BASE_INSPECT = 9332;
const OPERATOR_TOKEN = crypto.randomBytes(24).toString("base64url");
const API = `http://127.0.0.1:${API_PORT}/graphql`;
const BASE = `http://127.0.0.1:${BASE_PORT}/graphql`;
const TICK = 100; // clock ticks per second in /proc/<pid>/stat (USER_HZ)
// The system clock as it reads now, in every process alike (performance.timeOrigin is fixed when a process starts:
// a clock step between the starts of the bench and the client process showed as seconds of latency).
const now = () => Date.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const round = (n: number, d = 2) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : null);
const uuidOf = (seed: string) => {
  const h = crypto.createHash("md5").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64url");
const log = (...args: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);

// ---- the database ---------------------------------------------------------------------------------------------

interface Sql {
  exec(statement: string): Promise<void>;
  rows<T>(statement: string): Promise<T[]>;
  close(): Promise<void>;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-bench-"));

async function openSql(): Promise<Sql> {
  if (DB_URL) {
    const { default: postgres } = await import("postgres");
    const pg = postgres(DB_URL, { onnotice: () => {}, max: 1 });
    return { exec: async (s) => void (await pg.unsafe(s)), rows: async <T>(s: string) => (await pg.unsafe(s)) as unknown as T[], close: () => pg.end() };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const db = await PGlite.create({ dataDir: path.join(dataDir, "pglite"), extensions: { pg_trgm } });
  return { exec: async (s) => void (await db.exec(s)), rows: async <T>(s: string) => (await db.query<T>(s)).rows, close: () => db.close() };
}

const serverEnv = (): NodeJS.ProcessEnv => ({
  ...env,
  NODE_ENV: "production",
  PORT: String(API_PORT),
  LOG_LEVEL: "warn",
  OPERATOR_TOKEN,
  SEED_DEMO: "false",
  WS_MAX_PER_USER: "1000",
  WS_MAX_PER_SESSION: "5",
  DATA_DIR: dataDir,
  ...(DB_URL ? { DATABASE_URL: DB_URL } : { DATABASE_URL: "" }),
});

/** The API runs as in production: the compiled build (`npm run build`, then `node dist/src/main.js`). */
const MAIN = path.join(root, "dist/src/main.js");

function cli(...args: string[]): void {
  execFileSync(process.execPath, [MAIN, ...args], { cwd: root, env: { ...serverEnv(), NODE_ENV: "development" }, stdio: ["ignore", "ignore", "inherit"] });
}

interface World {
  tenantId: string;
  adminId: string;
  staffTokens: string[];
  appTokens: Array<{ token: string; chatId: string }>;
  /** The demo app account's own customer (the writes are made in its name). */
  jonasCustomerId: string;
}

/** Sessions made straight in the database (a login costs an argon2 hash and is throttled per address). */
function sessionRows(tenantId: string, rows: Array<{ staff?: string; account?: string }>): { sql: string; tokens: string[] } {
  const tokens: string[] = [];
  const values = rows.map((r) => {
    const token = `ks_${crypto.randomBytes(32).toString("base64url")}`;
    tokens.push(token);
    const hash = crypto.createHash("sha256").update(token).digest("base64url");
    return `(gen_random_uuid(), '${tenantId}', '${hash}', ${r.staff ? `'${r.staff}'` : "null"}, ${r.account ? `'${r.account}'` : "null"}, now() + interval '1 day')`;
  });
  return { sql: `insert into sessions (id, tenant_id, token_hash, staff_user_id, app_account_id, expires_at) values ${values.join(",")}`, tokens };
}

/** Creates the bench database when the server does not have it yet (a fresh machine). */
async function ensureDatabase(url: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const pg = postgres(admin.toString(), { onnotice: () => {}, max: 1 });
  try {
    const found = await pg`select 1 from pg_database where datname = ${name}`;
    if (found.length === 0) await pg.unsafe(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await pg.end();
  }
}

async function prepareDatabase(): Promise<World> {
  if (DB_URL) {
    await ensureDatabase(DB_URL);
    const sql = await openSql();
    await sql.exec("drop schema if exists public cascade; drop schema if exists drizzle cascade; create schema public;");
    await sql.close();
  }
  log("migrating and seeding the demo firm");
  cli("seed");
  const sql = await openSql();
  try {
    const [t] = await sql.rows<{ id: string }>("select id from tenants where broker_id = 'K7Q2XM'");
    const [a] = await sql.rows<{ id: string }>(`select id from staff_users where tenant_id = '${t!.id}' and role = 'ADMIN'`);
    const tenantId = t!.id;
    const adminId = a!.id;
    log(`bulk data: ${PER_BLOCK.customers} customers, ${PER_BLOCK.contracts} contracts, ${PER_BLOCK.chats} chats, ~${PER_BLOCK.messages} messages, ${PER_BLOCK.claims} claims`);
    for (const s of seedStatements({ tenantId, staffId: adminId, from: 0, to: 1 })) await sql.exec(s);
    // Realtime clients: FANOUT_USERS more staff users with CHAT (a session per socket), and an app account for each of the first chats' customers.
    await sql.exec(`insert into staff_users (id, tenant_id, email, name, role, permissions, status)
      select md5('bench-staff-' || g)::uuid, '${tenantId}', 'staff' || g || '@bench.example', 'Staff ' || g, 'EMPLOYEE', '{CHAT}', 'ACTIVE' from generate_series(1, ${FANOUT_USERS}) g`);
    const maxFanout = Math.max(0, ...FANOUT);
    const staff = Array.from({ length: maxFanout }, (_, i) => ({ staff: uuidOf(`bench-staff-${1 + (i % FANOUT_USERS)}`) }));
    const staffTokens: string[] = [];
    for (let i = 0; i < staff.length; i += 1000) {
      const made = sessionRows(tenantId, staff.slice(i, i + 1000));
      await sql.exec(made.sql);
      staffTokens.push(...made.tokens);
    }
    await sql.exec(`update tenants set customer_app_enabled = true where id = '${tenantId}'`);
    await sql.exec(`insert into app_accounts (id, tenant_id, customer_id, email, status, activated_at)
      select md5('bench-account-' || g)::uuid, '${tenantId}', md5('bench-customer-' || (g * 2 - 1))::uuid, 'app' || g || '@bench.example', 'ACTIVE', now()
      from generate_series(1, ${E2E_CLIENTS}) g`);
    const accounts = Array.from({ length: E2E_CLIENTS }, (_, i) => ({ account: uuidOf(`bench-account-${i + 1}`) }));
    const appTokens: World["appTokens"] = [];
    for (let i = 0; i < accounts.length; i += 1000) {
      const made = sessionRows(tenantId, accounts.slice(i, i + 1000));
      await sql.exec(made.sql);
      made.tokens.forEach((token, j) => appTokens.push({ token, chatId: gid("Chat", uuidOf(`bench-chat-${i + j + 1}`)) }));
    }
    await sql.exec("analyze");
    const [jonas] = await sql.rows<{ customer_id: string }>("select customer_id from app_accounts where email = 'jonas.berger@demo.example'");
    return { tenantId, adminId, staffTokens, appTokens, jonasCustomerId: jonas!.customer_id };
  } finally {
    await sql.close();
  }
}

// ---- processes ------------------------------------------------------------------------------------------------

function children(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry), ...children(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds (user + system) of a process and its children. */
function cpuOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").slice(0).split(") ")[1]!.split(" ");
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone
    }
  }
  return ticks / TICK;
}

/** CPU seconds of every PostgreSQL process on this machine (the server's backends included). */
function postgresCpu(): number {
  const pids = fs
    .readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return fs.readFileSync(`/proc/${e}/comm`, "utf8").trim() === "postgres";
      } catch {
        return false;
      }
    })
    .map(Number);
  return cpuOf(pids);
}

interface Proc {
  child: ChildProcess;
  pids(): number[];
  stop(): Promise<void>;
}

async function waitFor(url: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not come up`);
}

function track(child: ChildProcess): Proc {
  return {
    child,
    pids: () => [child.pid!, ...children(child.pid!)],
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function startApi(): Promise<Proc> {
  const child = spawn(process.execPath, [`--inspect=127.0.0.1:${API_INSPECT}`, ...API_FLAGS, MAIN, "serve"], { cwd: root, env: serverEnv(), stdio: ["ignore", "inherit", "ignore"] });
  await waitFor(`http://127.0.0.1:${API_PORT}/healthz`);
  return track(child);
}

async function startBaseline(): Promise<Proc | null> {
  if (!DB_URL) return null;
  const child = spawn(process.execPath, [`--inspect=127.0.0.1:${BASE_INSPECT}`, "--import", "tsx", "bench/baseline.ts", DB_URL, String(BASE_PORT), String(RAW_WS_PORT)], { cwd: root, stdio: ["ignore", "inherit", "ignore"] });
  await waitFor(`http://127.0.0.1:${BASE_PORT}/stats`);
  return track(child);
}

/**
 * A server's memory after a full garbage collection, through its inspector (Chrome DevTools protocol): the JS heap
 * and the memory outside it (socket buffers, ArrayBuffers) that its objects hold, and the RSS.
 */
async function memoryOf(inspectPort: number): Promise<{ heap: number; external: number; rss: number }> {
  const [target] = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const ws = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  let next = 0;
  const call = (method: string, params: unknown = {}) =>
    new Promise<any>((resolve) => {
      const id = ++next;
      const onMessage = (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown };
        if (msg.id !== id) return;
        ws.off("message", onMessage);
        resolve(msg.result);
      };
      ws.on("message", onMessage);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call("HeapProfiler.collectGarbage");
  await call("HeapProfiler.collectGarbage");
  const result = await call("Runtime.evaluate", { expression: "JSON.stringify(process.memoryUsage())", returnByValue: true });
  ws.close();
  const m = JSON.parse(result.result.value as string) as { heapUsed: number; external: number; rss: number };
  return { heap: m.heapUsed, external: m.external, rss: m.rss };
}

// ---- HTTP load ------------------------------------------------------------------------------------------------

async function post(url: string, query: string, variables: unknown, token?: string): Promise<any> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
  return r.json();
}

async function statementsOf(target: "api" | "baseline"): Promise<number> {
  if (target === "baseline") return ((await (await fetch(`http://127.0.0.1:${BASE_PORT}/stats`)).json()) as { statements: number }).statements;
  const text = await (await fetch(`http://127.0.0.1:${API_PORT}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).text();
  return Number(/^kundenapp_db_statements_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

interface LoadFigure {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerReq: number;
  pgCpuMsPerReq: number | null;
  sqlPerReq: number;
  errors: number;
}

/** The API's background workers (outbox, sweeps) send a few statements a second of their own: subtracted per run. */
let idleStatementsPerSecond = 0;

async function measureIdleStatements(): Promise<void> {
  const s0 = await statementsOf("api");
  const t0 = performance.now();
  await sleep(3000);
  idleStatementsPerSecond = Math.max(0, (await statementsOf("api")) - s0 - 1) / ((performance.now() - t0) / 1000);
  log(`idle: ${idleStatementsPerSecond.toFixed(2)} statements/s from the API's background workers`);
}

async function load(target: "api" | "baseline", proc: Proc, body: () => string, token: string, seconds = SECONDS, connections = CONNECTIONS): Promise<LoadFigure> {
  const url = target === "api" ? API : BASE;
  const pids = proc.pids();
  const [cpu0, pg0, sql0] = [cpuOf(pids), DB_URL ? postgresCpu() : 0, await statementsOf(target)];
  const t0 = performance.now();
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, setupRequest: (req: any) => ({ ...req, body: body() }) }],
  });
  const [cpu1, pg1, sql1] = [cpuOf(pids), DB_URL ? postgresCpu() : 0, await statementsOf(target)];
  const n = Math.max(1, result.requests.total);
  const background = target === "api" ? idleStatementsPerSecond * ((performance.now() - t0) / 1000) : 0;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerReq: ((cpu1 - cpu0) * 1000) / n,
    pgCpuMsPerReq: DB_URL ? ((pg1 - pg0) * 1000) / n : null,
    sqlPerReq: Math.max(0, sql1 - sql0 - background) / n,
    errors: result.errors + result.non2xx,
  };
}

function medianOf(figures: LoadFigure[]): LoadFigure {
  const pick = (k: keyof LoadFigure) => median(figures.map((f) => (f[k] as number | null) ?? NaN));
  return { rps: pick("rps"), p50: pick("p50"), p99: pick("p99"), cpuMsPerReq: pick("cpuMsPerReq"), pgCpuMsPerReq: DB_URL ? pick("pgCpuMsPerReq") : null, sqlPerReq: pick("sqlPerReq"), errors: figures.reduce((s, f) => s + f.errors, 0) };
}

interface ScreenDef {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  viewer: "staff" | "app";
}

interface ScreenResult {
  screen: string;
  sameJson: boolean | null;
  api: LoadFigure;
  baseline: LoadFigure | null;
}

async function screensRound(defs: ScreenDef[], api: Proc, baseline: Proc | null, tokens: { staff: string; app: string }): Promise<ScreenResult[]> {
  const results: ScreenResult[] = [];
  for (const d of defs) {
    const token = tokens[d.viewer];
    const body = JSON.stringify({ query: d.query, variables: d.variables });
    let sameJson: boolean | null = null;
    const mine = await post(API, d.query, d.variables, token);
    if (mine.errors) throw new Error(`${d.name}: ${JSON.stringify(mine.errors)}`);
    if (baseline) {
      sameJson = isDeepStrictEqual(mine, await post(BASE, d.query, d.variables, token));
      if (!sameJson) log(`${d.name}: the baseline's JSON differs from the API's`);
    }
    const a: LoadFigure[] = [];
    const b: LoadFigure[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      a.push(await load("api", api, () => body, token));
      if (baseline) b.push(await load("baseline", baseline, () => body, token));
    }
    results.push({ screen: d.name, sameJson, api: medianOf(a), baseline: baseline ? medianOf(b) : null });
    log(d.name, JSON.stringify(results.at(-1)));
  }
  return results;
}

// ---- realtime -------------------------------------------------------------------------------------------------

interface Clients {
  send<T>(msg: unknown): Promise<T>;
  stop(): void;
}

function startClients(): Promise<Clients> {
  const child = fork(path.join(root, "bench/clients.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let waiting: ((m: any) => void) | undefined;
  child.on("message", (m) => waiting?.(m));
  const send = <T>(msg: unknown) =>
    new Promise<T>((resolve, reject) => {
      waiting = (m) => (m.error ? reject(new Error(m.error)) : resolve(m as T));
      child.send(msg as never);
    });
  return new Promise((resolve) => {
    waiting = () => resolve({ send, stop: () => child.kill() });
  });
}

interface Memory {
  /** JS heap and memory held outside it, after a full collection, per connection. */
  heapAndExternal: number;
  rss: number;
}

interface FanoutResult {
  clients: number;
  /** Which subscription: `scope` selects nothing per viewer (one execution per event), `viewer` the unread count. */
  document: "scope" | "viewer";
  connected: number;
  api: { p50: number; p99: number; delivered: number; expected: number };
  raw: { p50: number; p99: number; delivered: number; expected: number } | null;
  apiPerConnection: Memory;
  rawPerConnection: Memory | null;
}

async function perConnection(port: number, connect: () => Promise<number>): Promise<{ connected: number; memory: Memory }> {
  await sleep(1000);
  const m0 = await memoryOf(port);
  const connected = await connect();
  await sleep(2000);
  const m1 = await memoryOf(port);
  const per = (a: number, b: number) => (b - a) / Math.max(1, connected);
  return { connected, memory: { heapAndExternal: per(m0.heap + m0.external, m1.heap + m1.external), rss: per(m0.rss, m1.rss) } };
}

async function fanout(n: number, document: "scope" | "viewer", world: World, api: Proc, baseline: Proc | null, adminToken: string): Promise<FanoutResult> {
  const EVENTS = 5;
  const chatId = gid("Chat", uuidOf("bench-chat-1"));
  const clients = await startClients();
  try {
    const query = document === "viewer" ? MESSAGE_ADDED_PER_VIEWER : MESSAGE_ADDED;
    let failed = 0;
    const apiSide = await perConnection(API_INSPECT, async () => {
      const c = await clients.send<{ connected: number; failed: number }>({ cmd: "connect", kind: "graphql", url: API.replace("http", "ws"), tokens: world.staffTokens.slice(0, n), query });
      failed = c.failed;
      return c.connected;
    });
    log(`fan-out ${n} (${document}): ${apiSide.connected} sockets subscribed (${failed} failed), ${Math.round(apiSide.memory.heapAndExternal)} bytes heap+external, ${Math.round(apiSide.memory.rss)} bytes RSS each`);
    for (let e = 0; e < EVENTS; e++) {
      const sent = await post(API, SEND_MESSAGE, { input: { chatId, body: `fan-out t=${now()}`, clientMessageId: crypto.randomUUID() } }, adminToken);
      if (sent.errors) throw new Error(JSON.stringify(sent.errors));
      await sleep(1000 + n / 5);
    }
    await sleep(2000);
    const got = await clients.send<{ received: number; latencies: number[] }>({ cmd: "collect" });
    await clients.send({ cmd: "close" });
    let raw: FanoutResult["raw"] = null;
    let rawMemory: Memory | null = null;
    if (baseline && document === "scope") {
      const rawSide = await perConnection(BASE_INSPECT, async () => (await clients.send<{ connected: number }>({ cmd: "connect", kind: "raw", url: `ws://127.0.0.1:${RAW_WS_PORT}`, tokens: world.staffTokens.slice(0, n), query: null })).connected);
      rawMemory = rawSide.memory;
      for (let e = 0; e < EVENTS; e++) {
        // The same message the API sends, serialized once and written to every socket.
        const message = JSON.stringify({ id: "1", type: "next", payload: { data: { messageAdded: { cursor: "djE6MTIzNDU2", message: { id: gid("Message", crypto.randomUUID()), body: `fan-out t=${now()}`, createdAt: new Date().toISOString(), fromCustomer: false, author: { id: gid("StaffUser", world.adminId), name: "Anna Admin" }, chat: { id: chatId } } } } } });
        await fetch(`http://127.0.0.1:${BASE_PORT}/broadcast`, { method: "POST", body: message });
        await sleep(1000 + n / 5);
      }
      await sleep(1000);
      const rg = await clients.send<{ received: number; latencies: number[] }>({ cmd: "collect" });
      await clients.send({ cmd: "close" });
      raw = { p50: pct(rg.latencies, 50), p99: pct(rg.latencies, 99), delivered: rg.received, expected: rawSide.connected * EVENTS };
    }
    return {
      clients: n,
      document,
      connected: apiSide.connected,
      api: { p50: pct(got.latencies, 50), p99: pct(got.latencies, 99), delivered: got.received, expected: apiSide.connected * EVENTS },
      raw,
      apiPerConnection: apiSide.memory,
      rawPerConnection: rawMemory,
    };
  } finally {
    clients.stop();
  }
}

/** Chat end to end: staff send E2E_RATE messages a second into the chats of E2E_CLIENTS connected app clients. */
async function chatEndToEnd(world: World, adminToken: string, rate: number) {
  const clients = await startClients();
  try {
    const c = await clients.send<{ connected: number; failed: number }>({ cmd: "connect", kind: "graphql", url: API.replace("http", "ws"), tokens: world.appTokens.map((a) => a.token), query: MESSAGE_ADDED });
    await sleep(2000);
    const total = rate * SECONDS * 2;
    const started = now();
    const pending: Promise<unknown>[] = [];
    const sendLatencies: number[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      const target = world.appTokens[i % world.appTokens.length]!;
      const t0 = now();
      pending.push(post(API, SEND_MESSAGE, { input: { chatId: target.chatId, body: `e2e t=${t0}`, clientMessageId: crypto.randomUUID() } }, adminToken).then(() => sendLatencies.push(now() - t0)));
    }
    await Promise.all(pending);
    const achieved = total / ((now() - started) / 1000);
    await sleep(2000);
    const got = await clients.send<{ received: number; latencies: number[] }>({ cmd: "collect" });
    await clients.send({ cmd: "close" });
    return {
      clients: c.connected,
      rateTarget: rate,
      rateAchieved: round(achieved, 1),
      messages: total,
      delivered: got.received,
      p50: round(pct(got.latencies, 50)),
      p99: round(pct(got.latencies, 99)),
      sendP99: round(pct(sendLatencies, 99)),
    };
  } finally {
    clients.stop();
  }
}

// ---- main -----------------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  if (env.BENCH_SKIP_BUILD !== "1") {
    log("building (npm run build)");
    execFileSync("npm", ["run", "-s", "build"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  }
  const world = await prepareDatabase();
  let api = await startApi();
  const baseline = await startBaseline();
  try {
    const adminToken = (await post(API, `mutation { login(input: { email: "admin@demo.example", password: "Demo-Admin-2026!" }) { token } }`, {})).data.login.token as string;
    const appToken = (await post(API, `mutation { login(input: { email: "jonas.berger@demo.example", brokerId: "K7Q2XM", password: "Demo-Kunde-2026!" }) { token } }`, {})).data.login.token as string;
    const tokens = { staff: adminToken, app: appToken };
    await measureIdleStatements();
    const busyChat = gid("Chat", uuidOf("bench-chat-40"));
    const defs = ([
      { name: "start screen (app)", query: START_SCREEN, variables: {}, viewer: "app" },
      { name: "chat inbox, 50 chats (staff)", query: INBOX, variables: {}, viewer: "staff" },
      { name: "customer search (staff)", query: CUSTOMER_SEARCH, variables: { search: "hartm" }, viewer: "staff" },
      { name: "page of 50 messages (staff)", query: MESSAGES, variables: { id: busyChat }, viewer: "staff" },
    ] as ScreenDef[]).filter((d) => !SCREENS || SCREENS.some((s) => d.name.includes(s)));
    log("reads at 1× the data");
    const reads = ONLY.has("reads") ? await screensRound(defs, api, baseline, tokens) : [];

    log("writes");
    const customerId = gid("Customer", world.jonasCustomerId);
    const writes = !ONLY.has("writes") ? {} : {
      sendMessage: medianOf(
        await Promise.all([0].map(() => load("api", api, () => JSON.stringify({ query: SEND_MESSAGE, variables: { input: { customerId, body: "Eine Frage zum Vertrag", clientMessageId: crypto.randomUUID() } } }), appToken))),
      ),
      reportClaim: medianOf(
        await Promise.all([0].map(() => load("api", api, () => JSON.stringify({ query: REPORT_CLAIM, variables: { input: { customerId, dateOfLoss: "2026-11-30", description: "Fahrrad gestohlen", idempotencyKey: crypto.randomUUID() } } }), appToken))),
      ),
    };
    log("writes", JSON.stringify(writes));

    const fan: FanoutResult[] = [];
    if (ONLY.has("fanout")) {
      for (const n of FANOUT) fan.push(await fanout(n, "scope", world, api, baseline, adminToken));
      // The same with a per-viewer field (each staff user's unread count): one execution per user instead of one.
      fan.push(await fanout(Math.min(...FANOUT), "viewer", world, api, baseline, adminToken));
    }
    log("fan-out", JSON.stringify(fan));

    // At the target rate, and at half of it (below what one process on this machine can write, the latency of delivery itself).
    const e2e = [];
    for (const rate of E2E_CLIENTS > 0 && ONLY.has("e2e") ? [E2E_RATE, E2E_RATE / 2] : []) {
      log(`chat end to end: ${rate} messages/s with ${E2E_CLIENTS} clients`);
      e2e.push(await chatEndToEnd(world, adminToken, rate));
      log("end to end", JSON.stringify(e2e.at(-1)));
    }

    let readsAt10: ScreenResult[] | null = null;
    if (SCALE_UP) {
      log("adding 9× the data (10× in all)");
      if (!DB_URL) await api.stop();
      const sql = await openSql();
      for (const s of seedStatements({ tenantId: world.tenantId, staffId: world.adminId, from: 1, to: 10 })) await sql.exec(s);
      await sql.close();
      if (!DB_URL) api = await startApi();
      readsAt10 = await screensRound(defs, api, baseline, tokens);
    }

    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, database: DB_URL ? "PostgreSQL (postgres.js)" : "PGlite (in the API process)" },
      settings: { rounds: ROUNDS, secondsPerRound: SECONDS, connections: CONNECTIONS, fanoutUsers: FANOUT_USERS },
      volume: { ...PER_BLOCK, scaleUp: SCALE_UP ? 10 : 1 },
      reads,
      writes,
      fanout: fan,
      chatEndToEnd: e2e,
      readsAt10,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    const dir = path.join(root, "bench/results");
    fs.mkdirSync(dir, { recursive: true });
    const stamp = result.date.slice(0, 16).replace(/[:T]/g, "-");
    const md = markdown(result);
    // A run of some parts only (BENCH_ONLY) is for working on them: it goes to partial.*, which git ignores.
    for (const name of env.BENCH_ONLY ? ["partial"] : [stamp, "latest"]) {
      fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(result, null, 2) + "\n");
      fs.writeFileSync(path.join(dir, `${name}.md`), md);
    }
    console.log(md);
  } finally {
    await api.stop();
    await baseline?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function ratio(a: number | null | undefined, b: number | null | undefined): string {
  return a && b ? `${(a / b).toFixed(2)}×` : "–";
}

function markdown(r: any): string {
  const lines: string[] = [];
  const f = (n: number | null, d = 1) => (n === null || !Number.isFinite(n) ? "–" : n.toFixed(d));
  lines.push(`Benchmark of ${r.date.slice(0, 10)} on ${r.machine.cpus} cores (${r.machine.model}), Node ${r.machine.node}, ${r.machine.database}.`);
  lines.push(`Medians of ${r.settings.rounds} rounds of ${r.settings.secondsPerRound} s, ${r.settings.connections} connections. Data: ${r.volume.customers} customers, ${r.volume.contracts} contracts, ${r.volume.chats} chats with ${r.volume.messages} messages, ${r.volume.claims} claims.`, "");
  const readTable = (title: string, rows: ScreenResult[]) => {
    lines.push(`**${title}**`, "");
    lines.push("| screen | API req/s | baseline req/s | ratio | API p99 ms | baseline p99 ms | API CPU ms/req | baseline CPU ms/req | CPU ratio | PG CPU ms/req (API / baseline) | SQL/req (API / baseline) | same JSON |");
    lines.push("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const s of rows) {
      const b = s.baseline;
      lines.push(
        `| ${s.screen} | ${f(s.api.rps, 0)} | ${f(b?.rps ?? null, 0)} | ${ratio(s.api.rps, b?.rps)} | ${f(s.api.p99)} | ${f(b?.p99 ?? null)} | ${f(s.api.cpuMsPerReq, 2)} | ${f(b?.cpuMsPerReq ?? null, 2)} | ${ratio(s.api.cpuMsPerReq, b?.cpuMsPerReq)} | ${f(s.api.pgCpuMsPerReq, 2)} / ${f(b?.pgCpuMsPerReq ?? null, 2)} | ${f(s.api.sqlPerReq)} / ${f(b?.sqlPerReq ?? null)} | ${s.sameJson === null ? "–" : s.sameJson ? "yes" : "NO"} |`,
      );
    }
    lines.push("");
  };
  readTable("Reads at 1× the data", r.reads);
  if (r.readsAt10) {
    readTable("Reads at 10× the data", r.readsAt10);
    lines.push("| screen | API p50 ms at 1× | at 10× | ratio | API req/s ratio 10×/1× |", "|---|---|---|---|---|");
    r.reads.forEach((s: ScreenResult, i: number) => {
      const t = r.readsAt10[i] as ScreenResult;
      lines.push(`| ${s.screen} | ${f(s.api.p50)} | ${f(t.api.p50)} | ${ratio(t.api.p50, s.api.p50)} | ${ratio(t.api.rps, s.api.rps)} |`);
    });
    lines.push("");
  }
  lines.push("**Writes (API only)**", "", "| mutation | req/s | p50 ms | p99 ms | CPU ms/req | SQL/req | errors |", "|---|---|---|---|---|---|---|");
  for (const [name, w] of Object.entries(r.writes) as Array<[string, LoadFigure]>) lines.push(`| ${name} | ${f(w.rps, 0)} | ${f(w.p50)} | ${f(w.p99)} | ${f(w.cpuMsPerReq, 2)} | ${f(w.sqlPerReq)} | ${w.errors} |`);
  lines.push("", `**Subscription fan-out** (one new message to every connected staff client, the sockets spread over ${r.settings.fanoutUsers} staff users: from the send to its arrival)`, "");
  lines.push("| clients | subscription | API p50 ms | API p99 ms | raw ws p50 ms | raw ws p99 ms | p99 ratio | delivered (API / raw) | bytes per idle connection: heap+external (API / raw ws) | RSS (API / raw ws) |");
  lines.push("|---|---|---|---|---|---|---|---|---|---|");
  for (const x of r.fanout as FanoutResult[]) {
    const kb = (m: Memory | null, k: keyof Memory) => (m ? `${(m[k] / 1024).toFixed(1)} KB` : "–");
    lines.push(
      `| ${x.clients} | ${x.document === "viewer" ? "with a per-viewer field" : "same for the scope"} | ${f(x.api.p50)} | ${f(x.api.p99)} | ${f(x.raw?.p50 ?? null)} | ${f(x.raw?.p99 ?? null)} | ${ratio(x.api.p99, x.raw?.p99)} | ${x.api.delivered}/${x.api.expected} / ${x.raw ? `${x.raw.delivered}/${x.raw.expected}` : "–"} | ${kb(x.apiPerConnection, "heapAndExternal")} / ${kb(x.rawPerConnection, "heapAndExternal")} | ${kb(x.apiPerConnection, "rss")} / ${kb(x.rawPerConnection, "rss")} |`,
    );
  }
  for (const e of r.chatEndToEnd ?? []) {
    lines.push("", `**Chat end to end**: ${e.messages} messages at ${e.rateAchieved}/s (asked: ${e.rateTarget}/s) into the chats of ${e.clients} connected app clients: ${e.delivered} delivered, p50 ${e.p50} ms, p99 ${e.p99} ms from the send to the arrival (sendMessage p99 ${e.sendP99} ms).`);
  }
  lines.push("", `Run in ${r.seconds} s.`, "");
  return lines.join("\n");
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
