import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "../test/harness.js";

/** A front-end on its own dev server (issue 13): local origins in development, same host (or ALLOWED_ORIGINS) in production. */

const LOCAL = ["http://localhost:5173", "http://127.0.0.1:8080", "http://[::1]:3000", "https://localhost:4443"];
const FOREIGN = ["https://evil.example", "http://localhost.evil.example:5173", "http://192.168.1.20:5173"];

function preflight(t: TestServer, origin: string): Promise<Response> {
  return fetch(t.url, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
  });
}

function post(t: TestServer, origin: string): Promise<Response> {
  return fetch(t.url, { method: "POST", headers: { origin, "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
}

/** Opens a WebSocket with a browser's Origin header: "open", or the HTTP status of a refused upgrade. */
function socket(t: TestServer, origin: string): Promise<"open" | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(t.server.wsUrl, "graphql-transport-ws", { headers: { origin } });
    ws.on("open", () => {
      resolve("open");
      ws.close();
    });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("error", () => undefined);
  });
}

describe("in development", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { NODE_ENV: "development" } });
  });
  afterAll(() => t.close());

  it("answers CORS preflights and requests from any port of localhost, 127.0.0.1 and [::1]", async () => {
    for (const origin of LOCAL) {
      const res = await preflight(t, origin);
      expect(res.status, origin).toBe(204);
      expect(res.headers.get("access-control-allow-origin"), origin).toBe(origin);
      expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
      const answer = await post(t, origin);
      expect(answer.headers.get("access-control-allow-origin"), origin).toBe(origin);
      expect(await answer.json()).toEqual({ data: { __typename: "Query" } });
    }
  });

  it("still answers no other origin", async () => {
    for (const origin of FOREIGN) {
      expect((await preflight(t, origin)).headers.get("access-control-allow-origin"), origin).toBeNull();
      expect((await post(t, origin)).headers.get("access-control-allow-origin"), origin).toBeNull();
    }
  });

  it("accepts WebSockets from local origins and refuses others", async () => {
    for (const origin of LOCAL) expect(await socket(t, origin), origin).toBe("open");
    for (const origin of FOREIGN) expect(await socket(t, origin), origin).toBe(403);
  });
});

describe("in production", () => {
  let prod: TestServer;
  let configured: TestServer;
  beforeAll(async () => {
    [prod, configured] = await Promise.all([
      startTestServer({ env: { NODE_ENV: "production" } }),
      startTestServer({ env: { NODE_ENV: "production", ALLOWED_ORIGINS: "http://localhost:5173" } }),
    ]);
  });
  afterAll(() => Promise.all([prod.close(), configured.close()]));

  it("allows only the same host, over HTTP and WebSocket", async () => {
    for (const origin of LOCAL) {
      expect((await preflight(prod, origin)).headers.get("access-control-allow-origin"), origin).toBeNull();
      expect(await socket(prod, origin), origin).toBe(403);
    }
    const same = new URL(prod.url).origin;
    expect((await preflight(prod, same)).headers.get("access-control-allow-origin")).toBe(same);
    expect(await socket(prod, same)).toBe("open");
  });

  it("allows what ALLOWED_ORIGINS names, and no other local port", async () => {
    expect((await preflight(configured, "http://localhost:5173")).headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(await socket(configured, "http://localhost:5173")).toBe("open");
    expect((await preflight(configured, "http://localhost:5174")).headers.get("access-control-allow-origin")).toBeNull();
    expect(await socket(configured, "http://localhost:5174")).toBe(403);
  });
});
