import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import { LoginDocument } from "../sdk/client.js";
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from "./websocket.js";
import { CLOSE_TOO_MANY_SOCKETS } from "./session-sockets.js";

const PER_SESSION = 3;
const PER_USER = 5;

let t: TestServer;
let f: ReturnType<typeof factories>;
const open: WebSocket[] = [];
beforeAll(async () => {
  t = await startTestServer({ env: { WS_MAX_PER_SESSION: String(PER_SESSION), WS_MAX_PER_USER: String(PER_USER) } });
  f = factories(t);
});
afterAll(async () => {
  for (const ws of open) ws.terminate();
  await t.close();
});

interface Outcome {
  ws: WebSocket;
  acked: boolean;
  close?: { code: number; reason: string };
}

/** Opens a raw graphql-ws socket with this token: acknowledged, or closed with a code and reason. */
function connect(token: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(t.url.replace("http", "ws"), "graphql-transport-ws");
    open.push(ws);
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    ws.on("message", (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === "connection_ack") resolve({ ws, acked: true });
    });
    ws.on("close", (code, reason) => resolve({ ws, acked: false, close: { code, reason: reason.toString() } }));
    ws.on("error", () => undefined);
  });
}

const login = async (staff: { email: string; password: string }): Promise<string> =>
  (await t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } })).login.token;

describe("sockets per session and per user", () => {
  it("lets one token open only WS_MAX_PER_SESSION of 40 sockets opened at once; the rest close with 4429", async () => {
    const token = await login(await f.buildStaff());
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => connect(token)));
    expect(outcomes.filter((o) => o.acked)).toHaveLength(PER_SESSION);
    const refused = outcomes.filter((o) => !o.acked);
    expect(refused).toHaveLength(40 - PER_SESSION);
    for (const o of refused) expect(o.close).toEqual({ code: CLOSE_TOO_MANY_SOCKETS, reason: `Too many connections for this session (at most ${PER_SESSION})` });
    // Closing one frees its place.
    const first = outcomes.find((o) => o.acked)!.ws;
    await new Promise<void>((resolve) => {
      first.once("close", () => resolve());
      first.close();
    });
    await new Promise((r) => setTimeout(r, 50));
    expect((await connect(token)).acked).toBe(true);
    expect((await connect(token)).close?.code).toBe(CLOSE_TOO_MANY_SOCKETS);
  });

  it("caps one user's sockets over all their sessions at WS_MAX_PER_USER", async () => {
    const staff = await f.buildStaff();
    const tokens = await Promise.all(Array.from({ length: 4 }, () => login(staff)));
    const outcomes = await Promise.all(tokens.flatMap((token) => Array.from({ length: PER_SESSION }, () => connect(token))));
    expect(outcomes.filter((o) => o.acked)).toHaveLength(PER_USER);
    for (const o of outcomes.filter((x) => !x.acked)) expect(o.close?.code).toBe(CLOSE_TOO_MANY_SOCKETS);
    expect(outcomes.filter((o) => o.close?.reason === `Too many connections for this user (at most ${PER_USER})`).length).toBeGreaterThan(0);
    // Another user is not affected.
    expect((await connect(await login(await f.buildStaff()))).acked).toBe(true);
  });

  it(`allows exactly ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions on one socket, as documented, and refuses the next`, async () => {
    const { ws, acked } = await connect(await login(await f.buildStaff()));
    expect(acked).toBe(true);
    const answers = new Map<string, string>();
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { id?: string; type: string; payload?: Array<{ extensions?: { code?: string } }> };
      if (message.id && !answers.has(message.id)) answers.set(message.id, message.type === "error" ? (message.payload?.[0]?.extensions?.code ?? "error") : message.type);
    });
    const query = "subscription { notificationAdded { cursor } }";
    for (let i = 1; i <= MAX_SUBSCRIPTIONS_PER_SOCKET + 1; i++) ws.send(JSON.stringify({ id: String(i), type: "subscribe", payload: { query } }));
    await expect.poll(() => answers.get(String(MAX_SUBSCRIPTIONS_PER_SOCKET + 1)), { timeout: 5_000 }).toBe("RATE_LIMITED");
    // None of the first 25 was refused.
    await new Promise((r) => setTimeout(r, 300));
    expect([...answers.entries()].filter(([id]) => Number(id) <= MAX_SUBSCRIPTIONS_PER_SOCKET)).toEqual([]);
  });
});
