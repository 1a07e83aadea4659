import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DataDirLockedError, LOCK_FILE, lockDataDir } from "./pglite-lock.js";

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, out })));
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe("one owner of a PGlite data directory", () => {
  it("refuses a second owner in the same process tree and takes over a lock whose process is gone", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-lock-"));
    try {
      // A lock left by a process that no longer exists (pid far above any pid_max).
      fs.writeFileSync(path.join(dir, LOCK_FILE), "99999999");
      const release = lockDataDir(dir);
      expect(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8")).toBe(String(process.pid));
      // A live owner (the parent process stands in for a running server).
      fs.writeFileSync(path.join(dir, LOCK_FILE), String(process.ppid));
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
      release(); // not ours any more: left alone
      expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes the CLI refuse with a clear message while the server runs, and work once it stopped", { timeout: 90_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-owner-"));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn", SEED_DEMO: "false", NODE_ENV: "development" };
    delete env.DATABASE_URL;
    const server = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
    const create = ["tenant", "create", "--name", "Zweiter Prozess GmbH", "--admin-email", "chefin@zweiter.example", "--admin-name", "Clara Chefin"];
    try {
      for (let i = 0; i < 300; i++) {
        if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const refused = await run(create, env);
      expect(refused.code).toBe(1);
      expect(refused.out).toContain(`in use by another process (pid ${server.pid})`);
      expect(refused.out).toMatch(/Stop the server first/);
      expect(refused.out).toMatch(/createTenant/);
      expect(refused.out).not.toContain("firm created");
      server.kill("SIGTERM");
      expect(await exited).toBe(0);
      const created = await run(create, env);
      expect(created.code).toBe(0);
      expect(created.out).toContain("firm created: Zweiter Prozess GmbH");
      const listed = await run(["tenant", "list"], env);
      expect(listed.out).toContain("Zweiter Prozess GmbH");
    } finally {
      if (server.exitCode === null) server.kill("SIGKILL");
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
