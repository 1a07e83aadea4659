import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { DEMO } from "../db/seed.js";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe("SIGTERM while requests and sockets are in flight", () => {
  it("answers every request sent before it, closes 20 sockets with 1001 and exits 0", { timeout: 90_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-drain-"));
    const port = await freePort();
    // NODE_ENV development: Apollo would install its own SIGTERM handler there unless told not to.
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn", SEED_DEMO: "true", NODE_ENV: "development", TRUST_PROXY: "1", WS_MAX_PER_SESSION: "20", WS_MAX_PER_USER: "20" };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}/graphql`;
    const login = (i: number) =>
      fetch(url, {
        method: "POST",
        // Each from its own address, so the login throttle does not answer them instead.
        headers: { "content-type": "application/json", "x-forwarded-for": `10.77.${i}.1` },
        body: JSON.stringify({ query: "mutation($input: LoginInput!) { login(input: $input) { token } }", variables: { input: { email: DEMO.admin.email, password: DEMO.admin.password } } }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: { login: { token: string } }; errors?: unknown } }));
    try {
      for (let i = 0; i < 300; i++) {
        if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const token = (await login(0)).body.data!.login.token;
      const closes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          new Promise<{ closed: Promise<number> }>((ready) => {
            const ws = new WebSocket(url.replace("http", "ws"), "graphql-transport-ws", { headers: { "x-forwarded-for": `10.78.${i}.1` } });
            const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
            ws.on("error", () => undefined);
            ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
            ws.on("message", (data) => {
              if ((JSON.parse(String(data)) as { type: string }).type !== "connection_ack") return;
              ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { notificationAdded { cursor } }" } }));
              ready({ closed });
            });
          }),
        ),
      );
      // 50 logins (each an argon2id check) sent 30 ms before the signal: most are still queued or under way when it arrives.
      const requests = Array.from({ length: 50 }, (_, i) => login(i + 1));
      await new Promise((r) => setTimeout(r, 30));
      child.kill("SIGTERM");
      const answers = await Promise.all(requests);
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
      expect(answers.filter((a) => a.body.data?.login.token.startsWith("ks_"))).toHaveLength(50);
      expect(await Promise.all(closes.map((c) => c.closed))).toEqual(Array(20).fill(1001));
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("`npm start` passes SIGTERM on: the server drains and nothing is left running", { timeout: 90_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-npmstart-"));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn", SEED_DEMO: "false", NODE_ENV: "development" };
    delete env.DATABASE_URL;
    const npm = spawn("npm", ["start"], { env, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
    const ready = () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    try {
      for (let i = 0; i < 300 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await ready()).toBe(true);
      npm.kill("SIGTERM");
      expect(await exited).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(await ready()).toBe(false);
      // The data directory's lock was released: its owner is gone.
      expect(fs.existsSync(path.join(dataDir, "pglite", "kundenapp.lock"))).toBe(false);
    } finally {
      if (npm.exitCode === null) npm.kill("SIGKILL");
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
