/**
 * The benchmark's realtime clients, in a process of their own (forked by bench/run.ts, driven over IPC): opens
 * thousands of sockets (graphql-ws with a subscription each, or plain sockets to the raw `ws` server) and records,
 * for every event that arrives, how long after its sending it arrived. Events carry their send time as `t=<ms>`
 * in the message body; both processes read the same system clock (`Date.now()`, at millisecond resolution).
 */
import WebSocket from "ws";

// The system clock as it reads now, in every process alike (performance.timeOrigin is fixed when a process starts:
// a clock step between the starts of the bench and the client process showed as seconds of latency).
const now = () => Date.now();
let sockets: WebSocket[] = [];
let latencies: number[] = [];
let received = 0;

function record(text: string): void {
  const m = /t=(\d+(?:\.\d+)?)/.exec(text);
  if (!m) return;
  received++;
  latencies.push(now() - Number(m[1]));
}

/** One graphql-ws socket: init with the token, one subscription; resolves once subscribed (acknowledged). */
function graphqlSocket(url: string, token: string, query: string | null): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "graphql-transport-ws");
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    ws.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"connection_ack"')) {
        if (query) ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query } }));
        // The server starts the subscription before it reads the next message; a short settle follows in run.ts.
        return resolve(ws);
      }
      if (text.includes('"type":"next"')) return record(text);
      if (text.includes('"type":"error"')) reject(new Error(text));
    });
    ws.on("error", reject);
    ws.on("close", (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
  });
}

function rawSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("open", () => resolve(ws));
    ws.on("message", (data) => record(data.toString()));
    ws.on("error", reject);
  });
}

type Command =
  | { cmd: "connect"; kind: "graphql" | "raw"; url: string; tokens: string[]; query: string | null }
  | { cmd: "collect" }
  | { cmd: "close" };

process.on("message", (msg: Command) => {
  void (async () => {
    if (msg.cmd === "connect") {
      const { tokens, url, query, kind } = msg;
      let failed = 0;
      // In batches: a burst of thousands of handshakes at once measures the kernel's backlog, not the server.
      for (let i = 0; i < tokens.length; i += 250) {
        const batch = await Promise.allSettled(tokens.slice(i, i + 250).map((t) => (kind === "raw" ? rawSocket(url) : graphqlSocket(url, t, query))));
        for (const r of batch) r.status === "fulfilled" ? sockets.push(r.value) : failed++;
      }
      process.send!({ connected: sockets.length, failed });
    } else if (msg.cmd === "collect") {
      process.send!({ received, latencies });
      latencies = [];
      received = 0;
    } else if (msg.cmd === "close") {
      for (const s of sockets) s.terminate();
      sockets = [];
      process.send!({ closed: true });
    }
  })().catch((err: unknown) => process.send!({ error: String(err) }));
});
process.send!({ ready: true });
