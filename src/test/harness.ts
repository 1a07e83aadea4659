import fs from "node:fs";
import crypto from "node:crypto";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { inject } from "vitest";
import { loadConfig, type Config } from "../config.js";
import { createApp, type App, type AppOverrides } from "../app.js";
import { startServer, type RunningServer } from "../server.js";
import { SWEEP_QUERY_START } from "../modules/session/session.service.js";
import { openDatabase, type Database } from "../db/client.js";
import { OffsetClock } from "../clock.js";
import { createLogger } from "../log.js";
import { KundenappClient, ApiError } from "../sdk/client.js";
import { SmtpTransport } from "../mail/transport.js";
import { startSmtpServer, type SmtpTestServer } from "./smtp.js";

export const OPERATOR_TOKEN = "test-operator-token-0123456789abcdef";

export interface TestServer {
  app: App;
  server: RunningServer;
  config: Config;
  clock: OffsetClock;
  url: string;
  /** PostgreSQL only: the URL of this server's database, for a second instance or process on it. */
  databaseUrl: string | undefined;
  /** The SMTP server that receives the app's mail, when started with `{ smtp: true }`. */
  smtp: SmtpTestServer;
  /**
   * How many SQL statements `fn` made (through the server's own database: not another instance's, nor
   * those of an `opts.database` the caller opened). Tests prove that a screen costs a constant number.
   */
  countStatements(fn: () => Promise<unknown>): Promise<number>;
  /** The cursor of "now" in a firm's event log: a subscription started `after` it misses nothing that happens next. */
  headCursor(tenantId: string): Promise<string>;
  /** A client with no token (or the given one); each gets its own client address, so throttling is per test. */
  client(token?: string): KundenappClient;
  operator(): KundenappClient;
  close(): Promise<void>;
}

/**
 * The database a test file runs on. PostgreSQL (TEST_DATABASE_URL): a database of its own, copied from the
 * run's migrated template, so one file's worker never picks up another file's due mail or notifications;
 * dropped when closed. Otherwise a PGlite copy of the migrated template.
 */
export async function openTestDatabase(onQuery?: (sql: string) => void): Promise<Database> {
  const template = inject("databaseUrl");
  if (template) {
    const { default: postgres } = await import("postgres");
    const admin = postgres(inject("adminDatabaseUrl")!, { max: 1, onnotice: () => {} });
    const templateName = new URL(template).pathname.slice(1);
    const name = `${templateName}_${crypto.randomBytes(4).toString("hex")}`;
    await admin.unsafe(`create database ${name} template ${templateName}`);
    const url = new URL(template);
    url.pathname = `/${name}`;
    const database = await openDatabase({ databaseUrl: url.toString(), poolMax: 5, onQuery });
    const close = database.close;
    database.close = async () => {
      await close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
    return database;
  }
  const dump = inject("pgliteDump");
  if (!dump) throw new Error("global setup did not provide a database");
  return openDatabase({ loadDataDir: new Blob([fs.readFileSync(dump)]), onQuery });
}

export function testConfig(extra: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    OPERATOR_TOKEN,
    SEED_DEMO: "false",
    TRUST_PROXY: "true",
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-data-")),
    ...extra,
  });
}

/** A real server on a free port over a real database, with a clock tests can move. */
export async function startTestServer(
  opts: {
    env?: Record<string, string>;
    overrides?: AppOverrides;
    /** A database the caller opened and closes. */
    database?: Database;
    /** Another server whose (PostgreSQL) database this one shares, through a pool of its own: a second instance. */
    sameDatabaseAs?: TestServer;
    smtp?: boolean;
  } = {},
): Promise<TestServer> {
  const config = testConfig(opts.env);
  const smtp = opts.smtp ? await startSmtpServer() : undefined;
  const mailer = smtp ? { mailer: new SmtpTransport(smtp.url, "Kundenapp <no-reply@kundenapp.example>") } : {};
  const clock = new OffsetClock();
  const shared = opts.sameDatabaseAs?.databaseUrl;
  if (opts.sameDatabaseAs && !shared) throw new Error("sameDatabaseAs needs PostgreSQL");
  let statements = 0;
  // The socket sweep re-checks open sockets' sessions every second whatever a test does: not part of any screen's cost.
  const onQuery = (query: string) => {
    if (!query.startsWith(SWEEP_QUERY_START)) statements++;
  };
  const database = opts.database ?? (shared ? await openDatabase({ databaseUrl: shared, poolMax: 5, onQuery }) : await openTestDatabase(onQuery));
  const log = createLogger(config.logLevel);
  // The worker runs only when a test drives it (app.worker.runOnce()), so time-based jobs are deterministic.
  const app = await createApp(config, { clock, log, database, startWorker: false, ...mailer, ...opts.overrides });
  const server = await startServer({ config, log, services: app.services });
  const clients: KundenappClient[] = [];
  const client = (token?: string) => {
    const c = new KundenappClient({
      url: server.url,
      token,
      webSocketImpl: WebSocket,
      lazyCloseTimeoutMs: 60_000,
      headers: { "x-forwarded-for": `10.${crypto.randomInt(256)}.${crypto.randomInt(256)}.${crypto.randomInt(256)}` },
    });
    clients.push(c);
    return c;
  };
  return {
    app,
    server,
    config,
    clock,
    url: server.url,
    databaseUrl: database.connectionUrl,
    get smtp(): SmtpTestServer {
      if (!smtp) throw new Error("start the test server with { smtp: true }");
      return smtp;
    },
    client,
    async countStatements(fn) {
      const before = statements;
      await fn();
      return statements - before;
    },
    headCursor: async (tenantId) => String(await app.services.events.head(tenantId)),
    operator: () => client(OPERATOR_TOKEN),
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await server.close(2_000);
      await app.close();
      if (!opts.database) await database.close();
      await smtp?.close();
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** Awaits a promise that must fail with an API error of the given code; returns the error. */
export async function expectApiError(promise: Promise<unknown>, code: string): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`);
      return err;
    }
    throw err;
  }
  throw new Error(`expected an API error ${code}, but the call succeeded`);
}
