import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, OPERATOR_TOKEN, type TestServer } from "../test/harness.js";
import { factories, GOOD_PASSWORD } from "../test/factories.js";
import { nextWithin, raiseNotification } from "../test/realtime.js";
import { mailOutbox } from "../mail/outbox.table.js";
import { ApiError, LoginDocument, NotificationAddedDocument, ViewerDocument, type KundenappClient } from "../sdk/client.js";

/** `GET /metrics` (issue 13): scraped after known traffic, the figures must match it. */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, as far as these tests read it. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

class Scrape {
  constructor(readonly samples: Sample[]) {}
  /** The sum over every sample of `name` whose labels include `labels`. */
  get(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  }
  has(name: string): boolean {
    return this.samples.some((s) => s.name === name);
  }
}

let t: TestServer;
let f: ReturnType<typeof factories>;

beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t.close());

const metricsUrl = () => new URL("/metrics", t.url).toString();

async function scrape(): Promise<Scrape> {
  const res = await fetch(metricsUrl(), { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return new Scrape(parse(await res.text()));
}

/** Scrapes until `ok` holds (a socket's close reaches the server a moment after the client's). */
async function scrapeUntil(ok: (s: Scrape) => boolean): Promise<Scrape> {
  for (let i = 0; i < 50; i++) {
    const s = await scrape();
    if (ok(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  return scrape();
}

describe("access", () => {
  it("answers only the operator token, with the JSON error shape of every HTTP error", async () => {
    const staff = await f.buildStaff();
    const { login } = await t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } });
    const refused: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer wrong-token-wrong-token-wrong" },
      { authorization: `Bearer ${OPERATOR_TOKEN}x` },
      // A staff session is no operator.
      { authorization: `Bearer ${login.token}` },
    ];
    for (const headers of refused) {
      const res = await fetch(metricsUrl(), { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(await res.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: "UNAUTHENTICATED" } }] });
    }
  });

  it("does not exist without an operator token", async () => {
    const none = await startTestServer({ env: { OPERATOR_TOKEN: "" } });
    try {
      const res = await fetch(new URL("/metrics", none.url), { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ errors: [{ message: "Not found", extensions: { code: "NOT_FOUND" } }] });
    } finally {
      await none.close();
    }
  });
});

describe("after traffic", () => {
  it("counts and times HTTP operations by name and outcome, and errors by code", async () => {
    const staff = await f.staffClient(await f.buildStaff());
    const before = await scrape();
    for (let i = 0; i < 3; i++) await staff.request(ViewerDocument);
    const broken = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "query Broken { noSuchField }", operationName: "Broken" }),
    });
    expect(((await broken.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const after = await scrape();

    const viewerOk = { operation: "Viewer", type: "query", outcome: "ok", transport: "http" };
    expect(after.get("kundenapp_graphql_operations_total", viewerOk) - before.get("kundenapp_graphql_operations_total", viewerOk)).toBe(3);
    const viewerTimed = { operation: "Viewer", type: "query", transport: "http" };
    expect(after.get("kundenapp_graphql_operation_duration_seconds_count", viewerTimed) - before.get("kundenapp_graphql_operation_duration_seconds_count", viewerTimed)).toBe(3);
    expect(after.get("kundenapp_graphql_operation_duration_seconds_sum", viewerTimed)).toBeGreaterThan(before.get("kundenapp_graphql_operation_duration_seconds_sum", viewerTimed));
    const brokenErr = { operation: "Broken", outcome: "error", transport: "http" };
    expect(after.get("kundenapp_graphql_operations_total", brokenErr) - before.get("kundenapp_graphql_operations_total", brokenErr)).toBe(1);
    const validation = { code: "GRAPHQL_VALIDATION_FAILED", transport: "http" };
    expect(after.get("kundenapp_graphql_errors_total", validation) - before.get("kundenapp_graphql_errors_total", validation)).toBe(1);
  });

  it("counts login throttling hits", async () => {
    const staff = await f.buildStaff();
    const client = t.client();
    const before = await scrape();
    let wrong = 0;
    let throttled = 0;
    // Wrong passwords from one address until throttling answers (however many the limits allow).
    for (let i = 0; i < 40 && throttled === 0; i++) {
      try {
        await client.request(LoginDocument, { input: { email: staff.email, password: `${GOOD_PASSWORD}-wrong` } });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.code === "RATE_LIMITED") throttled++;
        else if (err.code === "UNAUTHENTICATED") wrong++;
        else throw err;
      }
    }
    expect(throttled).toBe(1);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => after.get(name, labels) - before.get(name, labels);
    expect(delta("kundenapp_rate_limit_hits_total", { limit: "login:pair0" })).toBe(1);
    expect(delta("kundenapp_graphql_errors_total", { code: "RATE_LIMITED", transport: "http" })).toBe(1);
    expect(delta("kundenapp_graphql_errors_total", { code: "UNAUTHENTICATED", transport: "http" })).toBe(wrong);
    expect(delta("kundenapp_graphql_operations_total", { operation: "Login", type: "mutation", outcome: "error" })).toBe(wrong + 1);
  });

  it("shows open sockets, live subscriptions, WebSocket operations and the delivery lag of events", async () => {
    const staffRow = await f.buildStaff();
    const staff: KundenappClient = await f.staffClient(staffRow);
    const before = await scrape();
    expect(before.get("kundenapp_websocket_connections")).toBe(0);
    expect(before.get("kundenapp_graphql_subscriptions")).toBe(0);

    // From the log's current head (a bare event id is a valid cursor): the event raised below arrives exactly once, however the start races it.
    const head = await t.app.services.events.head(staffRow.tenantId);
    const live = staff.subscribe(NotificationAddedDocument, { after: String(head) });
    const first = live.next();
    const query = staff.socket().iterate({ query: "query WsViewer { viewer { kind } }" });
    expect((await nextWithin(query)).value).toEqual({ data: { viewer: { kind: "STAFF" } } });
    const during = await scrapeUntil((s) => s.get("kundenapp_graphql_subscriptions") === 1);
    expect(during.get("kundenapp_websocket_connections")).toBe(1);
    expect(during.get("kundenapp_graphql_subscriptions")).toBe(1);

    await raiseNotification(t.app.services, { tenantId: staffRow.tenantId, staffUserIds: [staffRow.id], title: "Gemessen" });
    const got = await Promise.race([first, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no event")), 5_000))]);
    expect((got.value as { notificationAdded: { notification: { title: string } } }).notificationAdded.notification.title).toBe("Gemessen");

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => after.get(name, labels) - before.get(name, labels);
    expect(delta("kundenapp_event_delivery_lag_seconds_count")).toBe(1);
    expect(delta("kundenapp_event_delivery_lag_seconds_sum")).toBeLessThan(5);
    expect(delta("kundenapp_graphql_operations_total", { operation: "NotificationAdded", type: "subscription", outcome: "ok", transport: "ws" })).toBe(1);
    expect(delta("kundenapp_graphql_operations_total", { operation: "WsViewer", type: "query", outcome: "ok", transport: "ws" })).toBe(1);
    expect(delta("kundenapp_graphql_operation_duration_seconds_count", { operation: "WsViewer", transport: "ws" })).toBe(1);
    expect(delta("kundenapp_graphql_operation_duration_seconds_count", { operation: "NotificationAdded" })).toBe(0);

    await live.return?.();
    const ended = await scrapeUntil((s) => s.get("kundenapp_graphql_subscriptions") === 0);
    expect(ended.get("kundenapp_graphql_subscriptions")).toBe(0);
    await staff.close();
    const closed = await scrapeUntil((s) => s.get("kundenapp_websocket_connections") === 0);
    expect(closed.get("kundenapp_websocket_connections")).toBe(0);
  });

  it("reads the mail outbox backlog and its oldest age at scrape time", async () => {
    const before = await scrape();
    const now = t.clock.now().getTime();
    const mail = (ageSeconds: number) => ({
      template: "metrics-test",
      toAddress: "someone@example.test",
      subject: "Test",
      textBody: "Test",
      htmlBody: "<p>Test</p>",
      createdAt: new Date(now - ageSeconds * 1000),
      nextAttemptAt: new Date(now + 3_600_000),
    });
    await t.app.deps.database.db.insert(mailOutbox).values([mail(120), mail(30)]);
    const after = await scrape();
    expect(after.get("kundenapp_mail_outbox_pending") - before.get("kundenapp_mail_outbox_pending")).toBe(2);
    const oldest = after.get("kundenapp_mail_outbox_oldest_age_seconds");
    expect(oldest).toBeGreaterThanOrEqual(120);
    expect(oldest).toBeLessThan(before.get("kundenapp_mail_outbox_pending") > 0 ? Infinity : 180);
  });

  it("reports the database pool and the process", async () => {
    const s = await scrape();
    expect(s.get("kundenapp_db_pool_max")).toBe(t.app.deps.database.kind === "postgres" ? t.config.databasePoolMax : 1);
    if (t.app.deps.database.kind === "postgres") expect(s.get("kundenapp_db_connections")).toBeGreaterThan(0);
    expect(s.has("process_cpu_user_seconds_total")).toBe(true);
    expect(s.has("nodejs_eventloop_lag_seconds")).toBe(true);
  });
});
