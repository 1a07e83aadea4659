import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories, GOOD_PASSWORD } from "../test/factories.js";
import { PDF } from "../test/fixtures.js";
import { raiseNotification } from "../test/realtime.js";
import { startTcpProxy, type TcpProxy } from "../test/tcp-proxy.js";
import { packSdk } from "../tools/sdk-pack.js";
import { schemaHash } from "../../codegen.js";
import { DocumentsDocument } from "./index.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
/** What the example project installs besides the SDK, packed from the repository's node_modules (the registry is never asked). */
const DEPENDENCIES = ["graphql", "graphql-ws", "ws", "@types/ws", "@types/node", "undici-types"];

/** A tarball of an installed package; kept between runs, they do not change for a version. */
async function packInstalled(name: string, cacheDir: string): Promise<string> {
  const dir = path.join(ROOT, "node_modules", name);
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string };
  const file = path.join(cacheDir, `${name.replace("@", "").replace("/", "-")}-${version}.tgz`);
  if (fs.existsSync(file)) return file;
  // Packed aside and renamed: an interrupted run leaves no half-written tarball in the cache.
  const scratch = fs.mkdtempSync(path.join(cacheDir, "packing-"));
  try {
    // --ignore-scripts: a published package's prepack would try to rebuild it from sources it does not ship.
    const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch, dir], { maxBuffer: 16 << 20 });
    fs.renameSync(path.join(scratch, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename), file);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return file;
}

type Line = Record<string, unknown> & { step: string };

/** The example's stdout, one JSON object per line, awaited in order. */
function linesOf(child: ChildProcess) {
  const queue: Line[] = [];
  const waiting: Array<(line: Line | null) => void> = [];
  let ended = false;
  createInterface({ input: child.stdout! })
    .on("line", (text) => {
      const line = JSON.parse(text) as Line;
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else queue.push(line);
    })
    .on("close", () => {
      ended = true;
      for (const waiter of waiting.splice(0)) waiter(null);
    });
  return {
    /** The next line; fails the test if the program ended first. */
    async next(): Promise<Line> {
      const line = queue.shift() ?? (ended ? null : await new Promise<Line | null>((resolve) => waiting.push(resolve)));
      if (!line) throw new Error("the example ended early");
      return line;
    },
  };
}

describe("the SDK as a package (@kundenapp/sdk)", () => {
  let t: TestServer;
  let proxy: TcpProxy;
  let work: string;
  let installed: string;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-sdk-example-"));
    const depsCache = path.join(os.tmpdir(), "kundenapp-sdk-test-deps");
    fs.mkdirSync(depsCache, { recursive: true });
    const [server, tarball, ...deps] = await Promise.all([
      startTestServer(),
      packSdk(path.join(work, "packed")),
      ...DEPENDENCIES.map((name) => packInstalled(name, depsCache)),
    ]);
    t = server;
    proxy = await startTcpProxy(t.url);
    fs.writeFileSync(path.join(work, "package.json"), JSON.stringify({ name: "sdk-example", private: true, type: "module" }));
    // --offline: everything comes from the tarballs; a missing dependency fails here instead of being downloaded.
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock", tarball, ...deps], { cwd: work });
    installed = path.join(work, "node_modules/@kundenapp/sdk");
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await t?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("is ESM with type declarations, its README and CHANGELOG, and needs only graphql and graphql-ws", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as Record<string, Record<string, string> | string>;
    expect(manifest.type).toBe("module");
    expect(manifest.exports).toMatchObject({ ".": { types: "./dist/index.d.ts", import: "./dist/index.js" } });
    expect(Object.keys({ ...(manifest.dependencies as object), ...(manifest.peerDependencies as object) }).sort()).toEqual(["graphql", "graphql-ws"]);
    const files = fs.readdirSync(installed, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(installed, f)).isFile());
    expect(files).toEqual(expect.arrayContaining(["README.md", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts", "dist/client.d.ts", "dist/generated/graphql.d.ts"]));
    // Nothing of the repository's sources, tests or examples.
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    // The typed documents' types are declared in the package itself, in the code and in the declarations.
    const mentions = files.filter((f) => f.startsWith("dist/") && fs.readFileSync(path.join(installed, f), "utf8").includes("@graphql-typed-document-node"));
    expect(mentions).toEqual([]);
  });

  it("type-checks the README's example against the installed package, and a browser-side use without Node's types", async () => {
    fs.copyFileSync(path.join(ROOT, "src/sdk/examples/quickstart.ts"), path.join(work, "quickstart.ts"));
    const base = { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noUncheckedIndexedAccess: true, skipLibCheck: true };
    fs.writeFileSync(path.join(work, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...base, outDir: "out", types: ["node"] }, files: ["quickstart.ts"] }));
    await run(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: work }).catch((err: { stdout: string }) => {
      throw new Error(`tsc failed:\n${err.stdout}`);
    });
    expect(fs.existsSync(path.join(work, "out/quickstart.js"))).toBe(true);

    // A browser app: DOM types, no @types/node; the package's own declarations are checked too (skipLibCheck off for them).
    fs.writeFileSync(
      path.join(work, "browser.ts"),
      [
        'import { KundenappClient, ApiError, CustomersDocument, NotificationAddedDocument, type ResultOf, type VariablesOf } from "@kundenapp/sdk";',
        'const client = new KundenappClient({ url: "https://api.example/graphql", token: localStorage.getItem("token") ?? undefined });',
        "const page = await client.request(CustomersDocument, { first: 10 });",
        "const names: string[] = page.customers.edges.map((edge) => edge.node.name);",
        'const vars: VariablesOf<typeof CustomersDocument> = { first: 1, after: "x" };',
        'type Event = ResultOf<typeof NotificationAddedDocument>["notificationAdded"];',
        "const sub = client.subscribe(NotificationAddedDocument, {});",
        "for await (const { notificationAdded } of sub) { const e: Event = notificationAdded; console.log(e.cursor, sub.cursor, names, vars); }",
        'await client.upload({ purpose: "DOCUMENT", fileName: "a.pdf", contentType: "application/pdf", body: new Blob(["%PDF-"]) }).catch((e: ApiError) => e.code);',
        "// @ts-expect-error variables are typed",
        'await client.request(CustomersDocument, { first: "ten" });',
        "// @ts-expect-error results are typed",
        "page.customers.edges[0]?.node.nameOfTheCat;",
        "",
      ].join("\n"),
    );
    const browser = { ...base, lib: ["ES2023", "DOM", "DOM.Iterable"], types: [], noEmit: true };
    fs.writeFileSync(path.join(work, "tsconfig.browser.json"), JSON.stringify({ compilerOptions: browser, files: ["browser.ts", ...["index", "client", "typed-document", "generated/graphql", "generated/schema-hash"].map((f) => `node_modules/@kundenapp/sdk/dist/${f}.d.ts`)] }));
    await run(process.execPath, [TSC, "-p", "tsconfig.browser.json"], { cwd: work }).catch((err: { stdout: string }) => {
      throw new Error(`tsc (browser) failed:\n${err.stdout}`);
    });
  });

  it("runs the example against a server: logs in, pages, uploads, and follows notifications across two dropped connections, none lost or repeated", async () => {
    const f = factories(t);
    const tenant = await f.buildTenant();
    const staff = await f.buildStaff({ tenant, password: GOOD_PASSWORD });
    const names = [];
    for (let i = 1; i <= 5; i++) names.push((await f.buildCustomer({ tenant, firstName: "Kim", lastName: `Beispiel ${i}` })).lastName);
    const pdf = path.join(work, "police.pdf");
    fs.writeFileSync(pdf, PDF);
    const notify = (title: string) => raiseNotification(t.app.services, { tenantId: tenant.id, staffUserIds: [staff.id], title });
    // From "now": what is raised after this reaches the example, however quickly it subscribes.
    const head = await t.headCursor(tenant.id);

    const child = spawn(process.execPath, ["out/quickstart.js"], {
      cwd: work,
      env: { ...process.env, KUNDENAPP_URL: proxy.url, KUNDENAPP_EMAIL: staff.email, KUNDENAPP_PASSWORD: staff.password, KUNDENAPP_FILE: pdf, KUNDENAPP_AFTER: head, KUNDENAPP_EVENTS: "8" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const lines = linesOf(child);
    try {
      expect(await lines.next()).toEqual({ step: "sdk", schemaHash: schemaHash() });
      expect(await lines.next()).toMatchObject({ step: "login", kind: "STAFF" });
      // Five customers, two per page: three requests, each cursor passed on.
      const customers = await lines.next();
      expect(customers.step).toBe("customers");
      expect((customers.names as string[]).map((n) => n.replace("Kim ", "")).sort()).toEqual(names.sort());
      const upload = await lines.next();
      expect(upload).toMatchObject({ step: "upload", mimeType: "application/pdf", size: PDF.length, title: "police.pdf" });
      const staffClient = await f.staffClient(staff);
      const { documents } = await staffClient.request(DocumentsDocument, { first: 10 });
      expect(documents.edges.map((e) => e.node.id)).toEqual([upload.documentId]);

      const seen: Line[] = [];
      const receive = async (n: number) => {
        for (let i = 0; i < n; i++) seen.push(await lines.next());
      };
      for (const title of ["n1", "n2", "n3"]) await notify(title);
      await receive(3);
      // The network goes away: everything raised now can only reach the example through `after:` on its reconnect.
      proxy.down();
      for (const title of ["n4", "n5", "n6"]) await notify(title);
      proxy.up();
      await notify("n7");
      await receive(4);
      proxy.down();
      await notify("n8");
      proxy.up();
      await receive(1);
      expect(seen.map((l) => l.step)).toEqual(Array(8).fill("notification"));
      expect(seen.map((l) => l.title)).toEqual(["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"]);
      expect(new Set(seen.map((l) => l.cursor)).size).toBe(8);
      expect(await lines.next()).toEqual({ step: "done", cursor: seen.at(-1)!.cursor });
      expect(await exited).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nexample's stderr:\n${stderr}`, { cause: err });
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});
