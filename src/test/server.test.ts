import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Lexer, Source, TokenKind } from "graphql";
import { startTestServer, openTestDatabase, type TestServer } from "./harness.js";
import { factories, upload } from "./factories.js";
import { PNG } from "./fixtures.js";
import { DOWNLOAD_TTL_MS } from "../files/file.service.js";
import { nextWithin } from "./realtime.js";
import { KundenappClient, LoginDocument, NotificationAddedDocument, UpdateBrokerProfileDocument, ViewerDocument } from "../sdk/client.js";
import { DEMO } from "../db/seed.js";
import { argon2Hasher } from "../auth/password.js";
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from "../server.js";
import { LIMITS } from "../graphql/limits.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
let staff: KundenappClient;

beforeAll(async () => {
  t = await startTestServer({ env: { WS_INIT_TIMEOUT_MS: "300", ALLOWED_ORIGINS: "https://crm.example" } });
  f = factories(t);
  staff = await f.staffClient(await f.buildStaff());
});
afterAll(() => t.close());

const raw = (query: string, token?: string) =>
  fetch(t.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });

/** Opens a raw WebSocket and resolves with how it ended: the close code, or the HTTP status of a refused upgrade. */
function rawSocket(headers: Record<string, string> = {}, onOpen?: (ws: WebSocket) => void): Promise<{ closeCode?: number; httpStatus?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(t.url.replace("http", "ws"), "graphql-transport-ws", { headers });
    ws.on("open", () => onOpen?.(ws));
    ws.on("close", (code) => resolve({ closeCode: code }));
    ws.on("unexpected-response", (_req, res) => resolve({ httpStatus: res.statusCode }));
    ws.on("error", () => undefined);
  });
}

describe("health", () => {
  it("answers /healthz and /readyz", async () => {
    expect(await (await fetch(t.url.replace("/graphql", "/healthz"))).json()).toEqual({ status: "ok" });
    const ready = await fetch(t.url.replace("/graphql", "/readyz"));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });
});

describe("query limits on HTTP and WebSocket alike", () => {
  const aliases = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: viewer { kind }`).join(" ")} }`;
  /** Tokens as graphql-js's parser counts them for `maxTokens`: all but the end of the document. */
  const tokenCount = (query: string) => {
    const lexer = new Lexer(new Source(query));
    let n = 0;
    while (lexer.advance().kind !== TokenKind.EOF) n++;
    return n;
  };
  /**
   * A document of exactly `n` tokens that no other limit refuses: the tokens are a long default value of a variable
   * that a skipped field uses (many fields would meet the cost limit, one field repeated graphql-js's overlap check).
   */
  const withTokens = (n: number) => {
    const doc = (k: number) => `query ($s: [ClaimStatus!] = [${Array<string>(k).fill("CLOSED").join(" ")}]) { __typename claims(status: $s) @include(if: false) { totalCount } }`;
    return doc(n - tokenCount(doc(0)));
  };
  const tokens = withTokens(LIMITS.maxTokens + 1);

  it("refuses too many aliases over HTTP", async () => {
    const body = (await (await raw(aliases, "x")).json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("refuses too many aliases and too many tokens over WebSocket", async () => {
    for (const [query, code] of [
      [aliases, "GRAPHQL_VALIDATION_FAILED"],
      [tokens, "GRAPHQL_PARSE_FAILED"],
    ] as const) {
      const it = staff.socket().iterate({ query });
      await expect(it.next()).rejects.toMatchObject([{ extensions: { code } }]);
    }
  });

  it("refuses one token over the limit over HTTP, and parses a document right at it", async () => {
    expect([tokenCount(tokens), tokenCount(withTokens(LIMITS.maxTokens))]).toEqual([LIMITS.maxTokens + 1, LIMITS.maxTokens]);
    const res = await raw(tokens);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { data?: unknown; errors: Array<{ extensions: { code: string } }> };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(["GRAPHQL_PARSE_FAILED"]);
    expect(body.data).toBeUndefined();
    // At the limit the same kind of document runs, so the one above fails for its tokens alone.
    expect(await (await raw(withTokens(LIMITS.maxTokens))).json()).toEqual({ data: { __typename: "Query" } });
  });

  it("refuses a body over 1 MiB", async () => {
    const res = await raw(`{ viewer { kind } } # ${"x".repeat(1_100_000)}`);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(httpError("BAD_USER_INPUT"));
  });

  it("allows at most the per-connection number of subscriptions on one socket", async () => {
    const subs = Array.from({ length: MAX_SUBSCRIPTIONS_PER_SOCKET }, () => staff.subscribe(NotificationAddedDocument, {}));
    // Start them all; graphql-ws sends the subscribe messages once each iterator is pulled.
    const pending = subs.map((s) => s.next().catch(() => undefined));
    const extra = staff.subscribe(NotificationAddedDocument, {});
    await expect(nextWithin(extra, 3_000)).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await Promise.all(subs.map((s) => s.return?.()));
    void pending;
  });

  it("closes a socket whose message is larger than 64 KiB", async () => {
    const { login } = await t.client().request(LoginDocument, { input: { email: (await f.buildStaff({ password: "Sicher-Passwort-42" })).email, password: "Sicher-Passwort-42" } });
    const result = await rawSocket({}, (ws) => {
      ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${login.token}` } }));
      ws.once("message", () => ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: `{ viewer { kind } } #${"x".repeat(70_000)}` } })));
    });
    expect(result.closeCode).toBe(1009);
  });

  it("closes a socket that does not send connection_init in time", async () => {
    expect((await rawSocket()).closeCode).toBe(4408);
  });
});

describe("origins", () => {
  it("refuses a WebSocket from a foreign browser origin, accepts configured and same-host ones", async () => {
    expect((await rawSocket({ origin: "https://evil.example" })).httpStatus).toBe(403);
    // Allowed ones get through the upgrade (and then time out waiting for connection_init).
    expect((await rawSocket({ origin: "https://crm.example" })).closeCode).toBe(4408);
    expect((await rawSocket({ origin: new URL(t.url).origin })).closeCode).toBe(4408);
  });

  it("answers CORS only for allowed origins", async () => {
    const preflight = (origin: string) => fetch(t.url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    expect((await preflight("https://crm.example")).headers.get("access-control-allow-origin")).toBe("https://crm.example");
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });
});

/** An error answered outside GraphQL: the shape of a GraphQL error, so a client reads every error one way. */
const httpError = (code: string) => ({ errors: [{ message: expect.any(String), extensions: { code } }] });

describe("errors", () => {
  it("answers an unknown path and an expired download link with 404 and NOT_FOUND, shaped like a GraphQL error", async () => {
    const origin = new URL(t.url).origin;
    for (const path of ["/nowhere", "/graphql/extra", "/files/"]) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/json/);
      expect(await res.json(), path).toEqual(httpError("NOT_FOUND"));
    }

    // A download link that works, then the same link once it has expired.
    const firm = await f.buildFirm();
    const logo = await upload(firm.adminClient, { purpose: "LOGO", bytes: PNG, contentType: "image/png", fileName: "logo" });
    const profile = { name: "Makler 404 GmbH", phone: "030 1234567", street: "Hauptstraße 1", postalCode: "10115", city: "Berlin" };
    const { updateBrokerProfile } = await firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, logoFileId: logo.fileId } });
    const url = updateBrokerProfile.brokerProfile.logoUrl!;
    expect((await fetch(url)).status).toBe(200);
    t.clock.advance(DOWNLOAD_TTL_MS + 60_000);
    try {
      const expired = await fetch(url);
      expect(expired.status).toBe(404);
      expect(await expired.json()).toEqual(httpError("NOT_FOUND"));
    } finally {
      // The other tests here run on the real time.
      t.clock.advance(-(DOWNLOAD_TTL_MS + 60_000));
    }
  });

  it("answers a body that is not JSON with 400 and BAD_USER_INPUT", async () => {
    const res = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{ not json" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(httpError("BAD_USER_INPUT"));
  });

  it("masks unexpected errors as INTERNAL with no SQL, stack or parameters", async () => {
    // A server whose database goes away: every query fails inside the driver.
    const database = await openTestDatabase();
    const broken = await startTestServer({ database });
    try {
      const staffRow = await factories(broken).buildStaff();
      if (database.kind === "pglite") await database.close();
      else await database.pg!.end({ timeout: 1 });
      const res = await fetch(broken.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "mutation($e: EmailAddress!) { login(input: { email: $e, password: \"Geheim-123!\" }) { token } }", variables: { e: staffRow.email } }),
      });
      const text = await res.text();
      const body = JSON.parse(text) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0]).toMatchObject({ message: "Internal error", extensions: { code: "INTERNAL" } });
      expect(text).not.toMatch(/select|rate_limits|staff_users|stack|Geheim/i);
      expect(text).not.toContain(staffRow.email);
    } finally {
      await broken.server.close(1_000);
      await broken.app.close().catch(() => undefined);
    }
  });

  it("gives a null viewer without a valid token", async () => {
    expect((await t.client().request(ViewerDocument)).viewer).toBeNull();
    expect((await t.client("ks_unknown").request(ViewerDocument)).viewer).toBeNull();
  });
});

describe("introspection", () => {
  it("is off in production, over HTTP and WebSocket", async () => {
    const prod = await startTestServer({ env: { NODE_ENV: "production" } });
    try {
      const s = await factories(prod).buildStaff();
      const client = await factories(prod).staffClient(s);
      const res = await fetch(prod.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __schema { queryType { name } } }" }) });
      const body = (await res.json()) as { errors?: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors?.[0]?.message).toMatch(/introspection/i);
      expect(body.errors?.[0]?.extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
      await expect(client.socket().iterate({ query: "{ __schema { queryType { name } } }" }).next()).rejects.toBeTruthy();
    } finally {
      await prod.close();
    }
  });

  it("is on in development", async () => {
    const res = await raw("{ __schema { queryType { name } } }");
    expect(await res.json()).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
  });
});

describe("graceful shutdown", () => {
  it("lets requests in flight finish before it stops", async () => {
    // Password checks wait at a gate, so a dozen logins are surely under way when close() starts.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const hasher = { hash: argon2Hasher.hash, verify: async (hash: string, password: string) => (await gate, argon2Hasher.verify(hash, password)) };
    const own = await startTestServer({ overrides: { hasher } });
    const staffRow = await factories(own).buildStaff();
    // Each from its own address: twelve at once from one address would meet the login limit (counted before the check).
    const logins = Array.from({ length: 12 }, () => own.client().request(LoginDocument, { input: { email: staffRow.email, password: staffRow.password } }));
    while (own.server.inFlight() < logins.length) await new Promise((r) => setTimeout(r, 5));
    const closed = own.close();
    // Shutting down: not ready for new work, but what is in hand goes on.
    await new Promise((r) => setTimeout(r, 50));
    open();
    const results = await Promise.all(logins);
    await closed;
    expect(results.every((r) => r.login.token.startsWith("ks_"))).toBe(true);
  });

  it("closes WebSockets with 1001 and stops taking connections", async () => {
    const own = await startTestServer();
    const s = await factories(own).buildStaff();
    const client = await factories(own).staffClient(s);
    const closed = new Promise<number>((resolve) => client.socket().on("closed", (e) => resolve((e as { code: number }).code)));
    const sub = client.subscribe(NotificationAddedDocument, {});
    void sub.next().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    await own.close();
    expect(await closed).toBe(1001);
    await expect(fetch(own.url, { method: "POST", body: "{}" })).rejects.toBeTruthy();
  });
});

describe("the server process", () => {
  it("on SIGTERM closes its sockets with 1001 and exits 0", { timeout: 60_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-sigterm-"));
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const { port: p } = s.address() as net.AddressInfo;
        s.close(() => resolve(p));
      });
    });
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn", SEED_DEMO: "true", NODE_ENV: "development" };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}/graphql`;
    try {
      for (let i = 0; i < 300; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const client = new KundenappClient({ url, webSocketImpl: WebSocket, lazyCloseTimeoutMs: 30_000 });
      const { login } = await client.request(LoginDocument, { input: { email: DEMO.admin.email, password: DEMO.admin.password } });
      client.setToken(login.token);
      const connected = new Promise((resolve) => client.socket().on("connected", resolve));
      const closed = new Promise<number>((resolve) => client.socket().on("closed", (e) => resolve((e as { code: number }).code)));
      const sub = client.subscribe(NotificationAddedDocument, {});
      void sub.next().catch(() => undefined);
      await connected;
      child.kill("SIGTERM");
      expect(await closed).toBe(1001);
      expect(await exited).toBe(0);
      await client.close();
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
