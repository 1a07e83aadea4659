import crypto from "node:crypto";
import type http from "node:http";
import { sql } from "drizzle-orm";
import { Gauge, Registry } from "prom-client";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import { ErrorCode } from "../errors.js";
import type { Logger } from "../log.js";
import { mailOutbox } from "../mail/outbox.table.js";
import { registry as processRegistry } from "../metrics/metrics.js";
import { bearer } from "../context.js";
import { sendError } from "./respond.js";

export const METRICS_PATH = "/metrics";

export interface MetricsSources {
  config: Config;
  database: Database;
  clock: Clock;
  log: Logger;
  /** Open WebSockets and live subscriptions of this server. */
  ws: { connections(): number; subscriptions(): number };
  /** HTTP requests being worked on. */
  httpInFlight(): number;
}

/** Compares without leaking, through timing, how much of the token was right. */
function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = crypto.createHash("sha256").update(given).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * `GET /metrics` in Prometheus' text format, for the operator token only (unset: no such page). The process-wide
 * counters (src/metrics/metrics.ts) plus this server's gauges, which are read when scraped: sockets, subscriptions,
 * the mail outbox and the database's connections.
 */
export class MetricsEndpoint {
  private readonly registry: Registry;
  private readonly outboxPending: Gauge;
  private readonly outboxOldest: Gauge;
  private readonly dbConnections: Gauge<"state">;

  constructor(private readonly sources: MetricsSources) {
    const server = new Registry();
    new Gauge({
      name: "kundenapp_websocket_connections",
      help: "Open GraphQL WebSockets.",
      registers: [server],
      collect() {
        this.set(sources.ws.connections());
      },
    });
    new Gauge({
      name: "kundenapp_graphql_subscriptions",
      help: "Live GraphQL subscriptions on the open WebSockets.",
      registers: [server],
      collect() {
        this.set(sources.ws.subscriptions());
      },
    });
    new Gauge({
      name: "kundenapp_http_requests_in_flight",
      help: "HTTP requests being worked on (this scrape included).",
      registers: [server],
      collect() {
        this.set(sources.httpInFlight());
      },
    });
    this.outboxPending = new Gauge({ name: "kundenapp_mail_outbox_pending", help: "Mails waiting in the outbox to be sent (PENDING).", registers: [server] });
    this.outboxOldest = new Gauge({
      name: "kundenapp_mail_outbox_oldest_age_seconds",
      help: "Age of the oldest mail waiting in the outbox; 0 when none waits.",
      registers: [server],
    });
    new Gauge({ name: "kundenapp_db_pool_max", help: "Connections the database pool may open (PostgreSQL; PGlite has one embedded connection).", registers: [server] }).set(
      sources.database.kind === "postgres" ? sources.config.databasePoolMax : 1,
    );
    this.dbConnections = new Gauge({
      name: "kundenapp_db_connections",
      help: "PostgreSQL only: connections of this application (all instances on the database) by state (active, idle, ...), from pg_stat_activity.",
      labelNames: ["state"] as const,
      registers: [server],
    });
    this.registry = Registry.merge([processRegistry, server]);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const expected = this.sources.config.operatorToken;
    if (!expected) return sendError(res, 404, ErrorCode.NOT_FOUND, "Not found");
    if (!sameToken(bearer(req.headers.authorization), expected)) {
      res.setHeader("www-authenticate", 'Bearer realm="metrics"');
      return sendError(res, 401, ErrorCode.UNAUTHENTICATED, "The operator token is required");
    }
    await this.readDatabase();
    const body = await this.registry.metrics();
    res.writeHead(200, { "content-type": this.registry.contentType, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  /** Figures that cost a query, read once per scrape; a failing database leaves them as they were and the scrape goes on. */
  private async readDatabase(): Promise<void> {
    const { database, clock, log } = this.sources;
    try {
      const [outbox] = await database.rows<{ pending: string | number; oldest: Date | string | null }>(
        sql`select count(*) as pending, min(${mailOutbox.createdAt}) as oldest from ${mailOutbox} where ${mailOutbox.status} = 'PENDING'`,
      );
      this.outboxPending.set(Number(outbox?.pending ?? 0));
      const oldest = outbox?.oldest ? new Date(outbox.oldest).getTime() : undefined;
      this.outboxOldest.set(oldest === undefined ? 0 : Math.max(0, clock.now().getTime() - oldest) / 1000);
      if (database.kind === "postgres") {
        const rows = await database.rows<{ state: string | null; n: string | number }>(
          sql`select coalesce(state, 'unknown') as state, count(*) as n from pg_stat_activity
              where datname = current_database() and application_name = 'kundenapp-api' group by 1`,
        );
        this.dbConnections.reset();
        for (const r of rows) this.dbConnections.set({ state: r.state ?? "unknown" }, Number(r.n));
      }
    } catch (err) {
      log.warn({ err }, "metrics: reading the outbox or the pool failed");
    }
  }
}
