import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/**
 * What this process counts, in one registry: Prometheus scrapes a process, so counters live as long as it does.
 * Figures that belong to a running server (sockets, the outbox, the pool) are gauges read at scrape time
 * (src/http/metrics.ts). Label values are bounded: operation names are capped (see `operationLabel`), error codes
 * and limits come from the code.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const graphqlOperations = new Counter({
  name: "kundenapp_graphql_operations_total",
  help: "GraphQL operations by operation name, type (query, mutation, subscription; unknown when it did not parse), outcome (ok, error) and transport (http, ws). A subscription counts once, when it starts.",
  labelNames: ["operation", "type", "outcome", "transport"] as const,
  registers: [registry],
});

export const graphqlDuration = new Histogram({
  name: "kundenapp_graphql_operation_duration_seconds",
  help: "How long queries and mutations took, from receipt to answer (subscriptions are not timed).",
  labelNames: ["operation", "type", "transport"] as const,
  buckets: SECONDS,
  registers: [registry],
});

export const graphqlErrors = new Counter({
  name: "kundenapp_graphql_errors_total",
  help: "Errors sent to clients, by extensions.code and transport.",
  labelNames: ["code", "transport"] as const,
  registers: [registry],
});

export const eventDeliveryLag = new Histogram({
  name: "kundenapp_event_delivery_lag_seconds",
  help: "From an event's creation (its commit) to its hand-over to a subscriber; replays after `after:` count with their age.",
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const dbStatements = new Counter({
  name: "kundenapp_db_statements_total",
  help: "SQL statements this process sent to the database (statements per request = its rise / requests; `npm run bench` reports it).",
  registers: [registry],
});

export const rateLimitHits = new Counter({
  name: "kundenapp_rate_limit_hits_total",
  help: "Attempts refused by a rate limit, by limit (login:pair0..2, login:account, login:addr are login throttling).",
  labelNames: ["limit"] as const,
  registers: [registry],
});

/** Counts refused attempts by the kind of key (its first two segments, e.g. `login:addr`), never by the key itself. */
export function countRateLimitHits(keys: string[]): void {
  for (const key of new Set(keys.map((k) => k.split(":").slice(0, 2).join(":")))) rateLimitHits.inc({ limit: key });
}

/** Seconds from each creation time to `now`. */
export function observeDeliveryLag(now: number, createdAt: Date[]): void {
  for (const at of createdAt) eventDeliveryLag.observe(Math.max(0, now - at.getTime()) / 1000);
}

const MAX_OPERATION_NAMES = 200;
const seenNames = new Set<string>();

/** A client chooses operation names: only well-formed ones become labels, and at most a few hundred; the rest are "other". */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return "anonymous";
  if (!/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name)) return "other";
  if (seenNames.has(name)) return name;
  if (seenNames.size >= MAX_OPERATION_NAMES) return "other";
  seenNames.add(name);
  return name;
}

export type Transport = "http" | "ws";

/** One finished operation (or a started subscription): its count, its errors by code and, for queries and mutations, its duration. */
export function recordOperation(op: {
  transport: Transport;
  name: string | null | undefined;
  type: string | undefined;
  errors: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined;
  seconds?: number;
}): void {
  const operation = operationLabel(op.name);
  const type = op.type ?? "unknown";
  const failed = !!op.errors && op.errors.length > 0;
  graphqlOperations.inc({ operation, type, outcome: failed ? "error" : "ok", transport: op.transport });
  if (op.seconds !== undefined && type !== "subscription") graphqlDuration.observe({ operation, type, transport: op.transport }, op.seconds);
  recordErrors(op.transport, op.errors);
}

/** Errors by code; an error without one counts as INTERNAL, as the error formatter answers it. */
export function recordErrors(transport: Transport, errors: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined): void {
  for (const e of errors ?? []) {
    const code = typeof e.extensions?.code === "string" ? e.extensions.code : "INTERNAL";
    graphqlErrors.inc({ code, transport });
  }
}
