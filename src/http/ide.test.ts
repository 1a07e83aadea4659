import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import { raiseNotification } from "../test/realtime.js";
import { LoginDocument } from "../sdk/client.js";
import { IDE_PREFIX } from "./ide.js";

/** Debian's Chromium (or CHROMIUM_PATH); nothing is downloaded from a browser vendor. */
const CHROMIUM = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p): p is string => !!p && fs.existsSync(p));
if (!CHROMIUM) console.warn("src/http/ide.test.ts: SKIPPING the browser tests: no Chromium at /usr/bin/chromium (apt-get install -y chromium, or set CHROMIUM_PATH)");

/** The little of the DOM the in-page functions use (this project compiles without the DOM library). */
interface CodeMirrorElement {
  CodeMirror: { getValue(): string; setValue(v: string): void; documentAST?: { loc?: { source: { body: string } } } | null };
}
interface Dom {
  document: { querySelector(selector: string): CodeMirrorElement | null };
  received: unknown[];
}

const html = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

describe("the IDE page over HTTP", () => {
  let dev: TestServer;
  let prod: TestServer;
  let prodOn: TestServer;
  beforeAll(async () => {
    [dev, prod, prodOn] = await Promise.all([
      startTestServer({ env: { NODE_ENV: "development" } }),
      startTestServer({ env: { NODE_ENV: "production" } }),
      startTestServer({ env: { NODE_ENV: "production", GRAPHIQL: "true" } }),
    ]);
  });
  afterAll(() => Promise.all([dev.close(), prod.close(), prodOn.close()]));

  it("serves GraphiQL to a browser in development, from this server only, naming no versions", async () => {
    const res = await fetch(dev.url, { headers: html });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const page = await res.text();
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(4);
    for (const src of sources) expect(src === "data:," || src.startsWith(IDE_PREFIX), src).toBe(true);
    expect(page).not.toMatch(/\d+\.\d+\.\d+/);
    expect(page).not.toMatch(/cdn|unpkg|jsdelivr|apollographql|googleapis/i);
    for (const src of sources.filter((s) => s.startsWith(IDE_PREFIX))) {
      const asset = await fetch(new URL(src, dev.url));
      expect(asset.status, src).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, src).toBeGreaterThan(100);
    }
    expect((await fetch(new URL(`${IDE_PREFIX}nothing.js`, dev.url))).status).toBe(404);
  });

  it("still answers operations on GET and POST", async () => {
    const get = await fetch(`${dev.url}?query=${encodeURIComponent("{ __typename }")}`, { headers: { ...html, "apollo-require-preflight": "1" } });
    expect(await get.json()).toEqual({ data: { __typename: "Query" } });
    const post = await fetch(dev.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(await post.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("shows no landing page in production unless GRAPHIQL=true", async () => {
    const off = await fetch(prod.url, { headers: html });
    expect(off.headers.get("content-type")).not.toContain("text/html");
    expect((await fetch(new URL(`${IDE_PREFIX}graphiql.js`, prod.url))).status).toBe(404);
    const on = await fetch(prodOn.url, { headers: html });
    expect(on.status).toBe(200);
    expect(await on.text()).toContain(`${IDE_PREFIX}graphiql.js`);
  });
});

describe.skipIf(!CHROMIUM)("GraphiQL in headless Chromium", () => {
  let t: TestServer;
  let browser: Browser;
  let staff: Awaited<ReturnType<ReturnType<typeof factories>["buildStaff"]>>;
  let token: string;
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-ide-test-"));

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestServer({ env: { NODE_ENV: "development" } }),
      // As root (CI containers) Chromium needs --no-sandbox.
      chromium.launch({ executablePath: CHROMIUM!, args: ["--no-sandbox"] }),
    ]);
    staff = await factories(t).buildStaff();
    const { login } = await t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } });
    token = login.token;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A context whose every request (HTTP or WebSocket) must stay on `allowed` origins; the others are blocked and listed. */
  async function guardedContext(allowed: string[]): Promise<{ context: BrowserContext; page: Page; outside: string[] }> {
    const context = await browser.newContext();
    const outside: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (allowed.includes(new URL(url).origin)) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    page.on("websocket", (ws) => {
      const origin = new URL(ws.url()).origin.replace(/^ws/, "http");
      if (!allowed.includes(origin)) outside.push(ws.url());
    });
    page.on("pageerror", (err) => outside.push(`page error: ${err.message}`));
    return { context, page, outside };
  }

  const editor = (page: Page, selector: string, value: string) =>
    page.evaluate(
      ([sel, text]) => {
        const el = (globalThis as unknown as Dom).document.querySelector(sel!);
        if (!el?.CodeMirror) throw new Error(`no editor at ${sel}`);
        el.CodeMirror.setValue(text!);
      },
      [selector, value],
    );
  const QUERY = ".graphiql-query-editor .CodeMirror";
  const HEADERS = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror";
  const result = (page: Page) =>
    page.evaluate(() => (globalThis as unknown as Dom).document.querySelector(".result-window .CodeMirror")!.CodeMirror.getValue());

  /** Sets the query and waits until GraphiQL has parsed it (debounced): before that it still sees the old operations. */
  async function setQuery(page: Page, query: string): Promise<void> {
    await editor(page, QUERY, query);
    await page.waitForFunction(
      ([sel, text]) => (globalThis as unknown as Dom).document.querySelector(sel!)!.CodeMirror.documentAST?.loc?.source.body === text,
      [QUERY, query],
    );
  }

  async function run(page: Page, query: string, expected: string): Promise<string> {
    await setQuery(page, query);
    await page.click(".graphiql-execute-button");
    await page.waitForFunction(
      (text) => (globalThis as unknown as Dom).document.querySelector(".result-window .CodeMirror")!.CodeMirror.getValue().includes(text),
      expected,
      { timeout: 10_000 },
    );
    return result(page);
  }

  /** Raises notifications until one arrives: the subscription reads "now" when it starts, so an event raised before that is not its own. */
  async function raiseUntil(arrived: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "Browser-Ereignis" });
      const deadline = Date.now() + 500;
      while (Date.now() < deadline) {
        if (await arrived()) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error("no notification arrived in the browser");
  }

  it("runs a query with a pasted token, shows the docs, receives a subscription event, and loads nothing from elsewhere", async () => {
    const origin = new URL(t.url).origin;
    const { context, page, outside } = await guardedContext([origin]);
    await page.goto(t.url);
    await page.waitForSelector(".graphiql-container");

    await editor(page, HEADERS, JSON.stringify({ Authorization: `Bearer ${token}` }));
    expect(await run(page, "query Me { viewer { kind } }", '"kind": "STAFF"')).toContain("STAFF");

    // The schema's documentation, from introspection over the same endpoint.
    await page.click('button[aria-label="Show Documentation Explorer"]');
    const docs = page.locator(".graphiql-doc-explorer");
    await docs.getByText("Subscription", { exact: true }).click();
    await docs.getByText("notificationAdded", { exact: true }).waitFor({ timeout: 10_000 });

    await setQuery(page, "subscription Live { notificationAdded { cursor notification { title } } }");
    await page.click(".graphiql-execute-button");
    await raiseUntil(async () => (await result(page)).includes("Browser-Ereignis"));

    const shot = path.join(outDir, "graphiql.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`IDE screenshot: ${shot}`);
    expect(fs.statSync(shot).size).toBeGreaterThan(1000);
    expect(outside).toEqual([]);
    await context.close();
  });

  it("uses the token of a login mutation run in the IDE", async () => {
    const { context, page, outside } = await guardedContext([new URL(t.url).origin]);
    await page.goto(t.url);
    await page.waitForSelector(".graphiql-container");
    // Without a token the viewer is nobody.
    expect(await run(page, "query Anonymous { viewer { kind } }", '"viewer": null')).not.toContain("STAFF");
    await run(page, `mutation Login { login(input: { email: "${staff.email}", password: "${staff.password}" }) { token } }`, '"token"');
    expect(await run(page, "query Me { viewer { kind } }", '"kind": "STAFF"')).toContain("STAFF");
    expect(outside).toEqual([]);
    await context.close();
  });

  it("lets a page on another local port query and subscribe across origins", async () => {
    const app = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><title>Front-end on its own dev server</title><p>app</p>");
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    const appOrigin = `http://localhost:${(app.address() as AddressInfo).port}`;
    const apiOrigin = new URL(t.url).origin;
    const { context, page, outside } = await guardedContext([appOrigin, apiOrigin]);
    try {
      await page.goto(appOrigin);
      // A preflighted request (Authorization header) from localhost:<port> to 127.0.0.1:<api port>.
      const answer = await page.evaluate(
        async ([url, bearer]) => {
          const res = await fetch(url!, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
            body: JSON.stringify({ query: "{ viewer { kind } }" }),
          });
          return res.json() as Promise<unknown>;
        },
        [t.url, token],
      );
      expect(answer).toEqual({ data: { viewer: { kind: "STAFF" } } });

      await page.evaluate(
        ([url, bearer]) =>
          new Promise<void>((resolve, reject) => {
            const w = globalThis as unknown as Dom;
            w.received = [];
            const ws = new WebSocket(url!, "graphql-transport-ws");
            ws.onerror = () => reject(new Error("the WebSocket was refused"));
            ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${bearer}` } }));
            ws.onmessage = (msg) => {
              const m = JSON.parse(String(msg.data)) as { type: string; payload?: unknown };
              if (m.type === "connection_ack") {
                ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { notificationAdded { notification { title } } }" } }));
                resolve();
              }
              if (m.type === "next") w.received.push(m.payload);
            };
          }),
        [t.server.wsUrl, token],
      );
      await raiseUntil(() => page.evaluate(() => (globalThis as unknown as Dom).received.length > 0));
      const received = await page.evaluate(() => (globalThis as unknown as Dom).received[0]);
      expect(received).toEqual({ data: { notificationAdded: { notification: { title: "Browser-Ereignis" } } } });
      expect(outside).toEqual([]);
    } finally {
      await context.close();
      await new Promise((resolve) => app.close(resolve));
    }
  });
});
