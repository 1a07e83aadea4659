import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestServer, expectApiError, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import { PDF } from "../test/fixtures.js";
import { nextWithin, raiseNotification } from "../test/realtime.js";
import { startTcpProxy, type TcpProxy } from "../test/tcp-proxy.js";
import { KundenappClient, LoginDocument, LogoutDocument, NotificationAddedDocument, type NotificationAddedSubscription } from "./index.js";

let t: TestServer;
let proxy: TcpProxy;
beforeAll(async () => {
  t = await startTestServer();
  proxy = await startTcpProxy(t.url);
});
afterAll(async () => {
  await proxy.close();
  await t.close();
});

async function staffWithClient(client?: KundenappClient) {
  const f = factories(t);
  const staff = await f.buildStaff();
  const c = client ?? t.client();
  const { login } = await c.request(LoginDocument, { input: { email: staff.email, password: staff.password } });
  c.setToken(login.token);
  const notify = (title: string) => raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title });
  const head = await t.headCursor(staff.tenantId);
  return { staff, client: c, notify, head };
}

const title = (r: IteratorResult<NotificationAddedSubscription>) => (r.done ? "(ended)" : r.value.notificationAdded.notification.title);

describe("KundenappClient.subscribe resumes by itself", () => {
  it("after its socket was closed normally (1000) it continues after the last event: graphql-ws alone would send the first `after:` again and repeat events", async () => {
    const { client, notify, head } = await staffWithClient();
    let socket: WebSocket | undefined;
    client.socket().on("connected", (s) => (socket = s as WebSocket));
    const sub = client.subscribe(NotificationAddedDocument, { after: head });
    await notify("n1");
    await notify("n2");
    expect([title(await nextWithin(sub)), title(await nextWithin(sub))]).toEqual(["n1", "n2"]);
    const closed = new Promise((resolve) => client.socket().on("closed", resolve));
    socket!.close(1000, "gone");
    // Closed before anything else happens: the next events can only come through a new subscription.
    await closed;
    await notify("n3");
    await notify("n4");
    // n1 and n2 again would come first.
    expect([title(await nextWithin(sub)), title(await nextWithin(sub))]).toEqual(["n3", "n4"]);
    await sub.return();
  });

  it("after the network dropped, it reconnects with backoff and receives what happened meanwhile, once", async () => {
    const client = new KundenappClient({ url: proxy.url, webSocketImpl: WebSocket, reconnect: { initialDelayMs: 50 } });
    try {
      const { notify, head } = await staffWithClient(client);
      const sub = client.subscribe(NotificationAddedDocument, { after: head });
      await notify("a");
      expect(title(await nextWithin(sub))).toBe("a");
      proxy.down();
      await notify("b");
      await notify("c");
      proxy.up();
      await notify("d");
      expect([title(await nextWithin(sub)), title(await nextWithin(sub)), title(await nextWithin(sub))]).toEqual(["b", "c", "d"]);
      await sub.return();
    } finally {
      proxy.up();
      await client.close();
    }
  });

  it("when the connection hangs (no pong within half of `keepAliveMs`) it gives it up and resumes on a new one", async () => {
    const client = new KundenappClient({ url: proxy.url, webSocketImpl: WebSocket, keepAliveMs: 300, reconnect: { initialDelayMs: 50 } });
    try {
      const { notify, head } = await staffWithClient(client);
      const sub = client.subscribe(NotificationAddedDocument, { after: head });
      await notify("a");
      expect(title(await nextWithin(sub))).toBe("a");
      proxy.freeze();
      await notify("b");
      expect(title(await nextWithin(sub))).toBe("b");
      await notify("c");
      expect(title(await nextWithin(sub))).toBe("c");
      await sub.return();
    } finally {
      // The frozen connections (fetch keeps one alive too) go, so later tests start afresh.
      proxy.down();
      proxy.up();
      await client.close();
    }
  });

  it("`cursor` is the last returned event's: a new subscription with `after:` it continues right after", async () => {
    const { client, notify, head } = await staffWithClient();
    const first = client.subscribe(NotificationAddedDocument, { after: head });
    expect(first.cursor).toBeUndefined();
    for (const n of ["x1", "x2", "x3"]) await notify(n);
    const got = [await nextWithin(first), await nextWithin(first)];
    expect(first.cursor).toBe(got[1]!.done ? undefined : got[1]!.value.notificationAdded.cursor);
    await first.return();
    const again = client.subscribe(NotificationAddedDocument, { after: first.cursor });
    expect(title(await nextWithin(again))).toBe("x3");
    await again.return();
  });
});

describe("KundenappClient.subscribe ends with ApiError instead of reconnecting", () => {
  it("when the session ends (4401): UNAUTHENTICATED, then the iteration is over", async () => {
    const { client, notify, head } = await staffWithClient();
    const sub = client.subscribe(NotificationAddedDocument, { after: head });
    await notify("before");
    expect(title(await nextWithin(sub))).toBe("before");
    await client.request(LogoutDocument);
    const err = await expectApiError(nextWithin(sub), "UNAUTHENTICATED");
    expect(err.errors[0]!.extensions!.closeCode).toBe(4401);
    expect(await nextWithin(sub)).toEqual({ done: true, value: undefined });
  });

  it("when the token is refused at connection (4403): UNAUTHENTICATED", async () => {
    const sub = t.client("ks_not-a-token").subscribe(NotificationAddedDocument, {});
    const err = await expectApiError(nextWithin(sub), "UNAUTHENTICATED");
    expect(err.errors[0]!.extensions!.closeCode).toBe(4403);
  });

  it("when the server refuses the operation: its error code (here the cursor is not one)", async () => {
    const { client } = await staffWithClient();
    await expectApiError(nextWithin(client.subscribe(NotificationAddedDocument, { after: "not-a-cursor" })), "BAD_USER_INPUT");
  });

  it("when the server stays away for `reconnect.maxAttempts` attempts: NETWORK_ERROR", async () => {
    const client = new KundenappClient({ url: proxy.url, webSocketImpl: WebSocket, reconnect: { initialDelayMs: 20, maxAttempts: 2 } });
    try {
      const { head } = await staffWithClient(client);
      const connected = new Promise((resolve) => client.socket().on("connected", resolve));
      const sub = client.subscribe(NotificationAddedDocument, { after: head });
      await connected;
      proxy.down();
      await expectApiError(nextWithin(sub, 10_000), "NETWORK_ERROR");
    } finally {
      proxy.up();
      await client.close();
    }
  });
});

describe("KundenappClient.upload", () => {
  it("uploads the bytes and gives the fileId; a refused type throws ApiError FILE_TYPE", async () => {
    const { client } = await staffWithClient();
    const file = await client.upload({ purpose: "DOCUMENT", fileName: "a.pdf", contentType: "application/pdf", body: PDF });
    expect(file).toMatchObject({ size: PDF.length, mimeType: "application/pdf" });
    expect(file.fileId).toEqual(expect.any(String));
    const text = new TextEncoder().encode("just some text, not a document");
    await expectApiError(client.upload({ purpose: "DOCUMENT", fileName: "a.pdf", contentType: "application/pdf", body: text }), "FILE_TYPE");
  });
});
