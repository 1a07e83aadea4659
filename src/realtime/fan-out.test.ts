/**
 * Issue 14, fan-out that scales: an event reaches every socket, and the work behind it is done once per
 * (operation, variables, access scope), not once per socket. Each viewer still gets what is theirs (rule F8:
 * unread counts are per staff user).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { parse } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import { nextWithin } from "../test/realtime.js";
import { GrantCustomerAccessDocument, MarkChatReadDocument, RevokeCustomerAccessDocument, SendMessageDocument, type KundenappClient } from "../sdk/client.js";
import { nothingWithin, settledReads } from "../test/realtime.js";
import { toGlobalId } from "../graphql/relay.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t?.close());

interface Added {
  messageAdded: { cursor: string; message: { body: string; fromCustomer: boolean; chat: { id: string; unreadCount: number } } };
}
const MESSAGES = parse(`subscription Fan($after: String) {
  messageAdded(after: $after) { cursor message { body fromCustomer chat { id unreadCount } } }
}`) as TypedDocumentNode<Added, { after?: string | null }>;

/** The same without the per-user unread count: nothing in it depends on who of the firm's CHAT staff reads it. */
const PLAIN = parse(`subscription Plain($after: String) {
  messageAdded(after: $after) { cursor message { body fromCustomer author { name } chat { id customer { name } } } }
}`) as TypedDocumentNode<Added, { after?: string | null }>;

const say = (app: KundenappClient, customerId: string, body: string) =>
  app.request(SendMessageDocument, { input: { customerId: toGlobalId("Customer", customerId), body, clientMessageId: crypto.randomUUID() } });

describe("subscription fan-out", () => {
  it("F8/F9: a message reaches 8 sockets of two staff users with each user's own unread count, executed once per user (once in all without the per-user field)", async () => {
    const firm = await f.buildFirm();
    const ada = await f.buildStaff({ tenant: firm.tenant, permissions: ["CHAT"] });
    const bo = await f.buildStaff({ tenant: firm.tenant, permissions: ["CHAT"] });
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const app = await f.appClient(await f.buildAppAccount({ customer }));
    const first = await say(app, customer.id, "Erste Frage");
    const chatId = first.sendMessage.chat.id;
    // Ada has read the first message, Bo has not.
    const adaClients = await Promise.all([1, 2, 3, 4, 5].map(() => f.staffClient(ada)));
    await adaClients[0]!.request(MarkChatReadDocument, { input: { chatId, upToMessageId: first.sendMessage.message.id } });
    const boClients = await Promise.all([1, 2, 3].map(() => f.staffClient(bo)));

    const after = await t.headCursor(firm.tenant.id);
    // One socket per client (each its own session), each with the same operation and variables.
    const streams = [...adaClients, ...boClients].map((c) => c.subscribe(MESSAGES, { after }));
    // Subscribed once the first event comes through: a message both users already know about.
    await say(app, customer.id, "Zweite Frage");
    for (const s of streams) expect((await nextWithin(s, 5_000)).value?.messageAdded.message.body).toBe("Zweite Frage");

    const before = t.server.subscriptionExecutions();
    await say(app, customer.id, "Dritte Frage");
    const got = await Promise.all(streams.map(async (s) => (await nextWithin(s, 5_000)).value!.messageAdded));
    expect(got.map((g) => g.message.body)).toEqual(Array(8).fill("Dritte Frage"));
    // Rule F8, per staff user: Ada read up to the first message (2 unread since), Bo never read (3).
    expect(got.slice(0, 5).map((g) => g.message.chat.unreadCount)).toEqual([2, 2, 2, 2, 2]);
    expect(got.slice(5).map((g) => g.message.chat.unreadCount)).toEqual([3, 3, 3]);
    // The same cursor everywhere: one event.
    expect(new Set(got.map((g) => g.cursor)).size).toBe(1);
    // Executed once for Ada's five sockets and once for Bo's three.
    expect(t.server.subscriptionExecutions() - before).toBe(2);
    await Promise.all(streams.map((s) => s.return?.()));

    // Without the per-user field, the eight sockets of the two users (same role, same permissions) share one execution.
    const head = await t.headCursor(firm.tenant.id);
    const plain = [...adaClients, ...boClients].map((c) => c.subscribe(PLAIN, { after: head }));
    await say(app, customer.id, "Vierte Frage");
    for (const s of plain) expect((await nextWithin(s, 5_000)).value?.messageAdded.message.body).toBe("Vierte Frage");
    const beforePlain = t.server.subscriptionExecutions();
    await say(app, customer.id, "Fünfte Frage");
    const plainGot = await Promise.all(plain.map(async (s) => (await nextWithin(s, 5_000)).value!.messageAdded));
    expect(plainGot.map((g) => g.message.body)).toEqual(Array(8).fill("Fünfte Frage"));
    expect(t.server.subscriptionExecutions() - beforePlain).toBe(1);
    await Promise.all(plain.map((s) => s.return?.()));
  });

  it("the statements behind one event do not grow with the sockets of a user", async () => {
    const firm = await f.buildFirm();
    const staff = await f.buildStaff({ tenant: firm.tenant, permissions: ["CHAT"] });
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const app = await f.appClient(await f.buildAppAccount({ customer }));
    await say(app, customer.id, "Hallo");

    async function costWith(sockets: number): Promise<number> {
      const clients = await Promise.all(Array.from({ length: sockets }, () => f.staffClient(staff)));
      const after = await t.headCursor(firm.tenant.id);
      const streams = clients.map((c) => c.subscribe(MESSAGES, { after }));
      await say(app, customer.id, `warm ${sockets}`);
      for (const s of streams) await nextWithin(s, 5_000);
      await settledReads(t.app.services);
      let received = 0;
      const statements = await t.countStatements(async () => {
        await say(app, customer.id, `count ${sockets}`);
        for (const s of streams) if ((await nextWithin(s, 5_000)).value?.messageAdded.message.body === `count ${sockets}`) received++;
      });
      expect(received).toBe(sockets);
      await Promise.all(streams.map((s) => s.return?.()));
      await Promise.all(clients.map((c) => c.close()));
      return statements;
    }
    expect(await costWith(6)).toBe(await costWith(1));
  });

  it("C3/F9: a message in one customer's chat re-loads only the sessions that may receive it, however many customers' phones are connected", async () => {
    const firm = await f.buildFirm();
    const customers = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => f.buildCustomer({ tenant: firm.tenant })));
    const apps = await Promise.all(customers.map(async (c) => f.appClient(await f.buildAppAccount({ customer: c }))));
    for (const [i, app] of apps.entries()) await say(app, customers[i]!.id, `Hallo ${i}`);

    async function costWith(listening: number): Promise<{ statements: number; reloaded: number }> {
      const after = await t.headCursor(firm.tenant.id);
      const streams = apps.slice(0, listening).map((a) => a.subscribe(PLAIN, { after }));
      // Every phone subscribed (its own message arrived) before counting.
      for (const [i, stream] of streams.entries()) {
        await say(apps[i]!, customers[i]!.id, `warm ${listening}`);
        expect((await nextWithin(stream, 5_000)).value?.messageAdded.message.body).toBe(`warm ${listening}`);
      }
      await settledReads(t.app.services);
      let got = "";
      const reloadedBefore = t.app.services.events.reloadedSessions;
      const statements = await t.countStatements(async () => {
        await say(apps[0]!, customers[0]!.id, `count ${listening}`);
        got = (await nextWithin(streams[0]!, 5_000)).value!.messageAdded.message.body;
      });
      expect(got).toBe(`count ${listening}`);
      const reloaded = t.app.services.events.reloadedSessions - reloadedBefore;
      // The other customers' phones hear nothing of it.
      for (const other of streams.slice(1)) await nothingWithin(other, 100);
      await Promise.all(streams.map((x) => x.return?.()));
      return { statements, reloaded };
    }
    const one = await costWith(1);
    const seven = await costWith(7);
    expect(seven.statements).toBe(one.statements);
    // Only the session of the customer whose chat it is was re-loaded to check it.
    expect([one.reloaded, seven.reloaded]).toEqual([1, 1]);
  });

  it("C3: two firms' staff on the same operation, messages sent in both at once: every socket gets its own firm's, never the other's", async () => {
    const firms = await Promise.all([f.buildFirm(), f.buildFirm()]);
    const built = await Promise.all(
      firms.map(async (firm) => {
        const customer = await f.buildCustomer({ tenant: firm.tenant });
        const app = await f.appClient(await f.buildAppAccount({ customer }));
        const staff = await Promise.all([1, 2, 3].map(() => f.buildStaff({ tenant: firm.tenant, permissions: ["CHAT"] })));
        return { firm, customer, app, clients: await Promise.all(staff.map((s) => f.staffClient(s))) };
      }),
    );
    // The very same document and variables in both firms (one operation for the server): resume after the newer of
    // the two firms' heads, which misses nothing of either (event ids are one sequence).
    const after = String(Math.max(...(await Promise.all(firms.map((firm) => t.app.services.events.head(firm.tenant.id))))));
    const sides = built.map((b) => ({ ...b, streams: b.clients.map((c) => c.subscribe(PLAIN, { after })) }));
    // Subscribed once a first message has come through on every socket.
    await Promise.all(sides.map((side) => say(side.app, side.customer.id, `warm ${side.firm.tenant.id}`)));
    for (const side of sides) for (const s of side.streams) expect((await nextWithin(s, 5_000)).value?.messageAdded.message.body).toBe(`warm ${side.firm.tenant.id}`);
    // Five messages in each firm, all sent at once.
    await Promise.all(sides.flatMap((side) => [0, 1, 2, 3, 4].map((i) => say(side.app, side.customer.id, `${side.firm.tenant.id} #${i}`))));
    for (const side of sides) {
      for (const s of side.streams) {
        const bodies: string[] = [];
        for (let i = 0; i < 5; i++) bodies.push((await nextWithin(s, 5_000)).value!.messageAdded.message.body);
        expect(bodies.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${side.firm.tenant.id} #${i}`));
        await nothingWithin(s, 200);
      }
    }
    await Promise.all(sides.flatMap((side) => side.streams.map((s) => s.return?.())));
  });

  it("D9/C3: an account granted another customer hears that customer's chat at once, without subscribing again, and stops at once when revoked", async () => {
    const firm = await f.buildFirm();
    const [jonas, lena] = await Promise.all([f.buildCustomer({ tenant: firm.tenant }), f.buildCustomer({ tenant: firm.tenant })]);
    const jonasAccount = await f.buildAppAccount({ customer: jonas! });
    const jonasApp = await f.appClient(jonasAccount);
    const lenaApp = await f.appClient(await f.buildAppAccount({ customer: lena! }));
    await say(lenaApp, lena!.id, "Vorher");

    const after = await t.headCursor(firm.tenant.id);
    const stream = jonasApp.subscribe(PLAIN, { after });
    await say(jonasApp, jonas!.id, "Eigene Frage");
    expect((await nextWithin(stream, 5_000)).value?.messageAdded.message.body).toBe("Eigene Frage");
    // Not yet his: Lena's message passes him by (and his known audience stays without her).
    await say(lenaApp, lena!.id, "Noch nicht");
    await nothingWithin(stream, 300);

    const access = { appAccountId: toGlobalId("AppAccount", jonasAccount.id), customerId: toGlobalId("Customer", lena!.id) };
    await firm.adminClient.request(GrantCustomerAccessDocument, { input: access });
    await say(lenaApp, lena!.id, "Jetzt für beide");
    expect((await nextWithin(stream, 5_000)).value?.messageAdded.message.body).toBe("Jetzt für beide");

    await firm.adminClient.request(RevokeCustomerAccessDocument, { input: access });
    await say(lenaApp, lena!.id, "Wieder nur für Lena");
    await say(jonasApp, jonas!.id, "Wieder eigene");
    expect((await nextWithin(stream, 5_000)).value?.messageAdded.message.body).toBe("Wieder eigene");
    await stream.return?.();
  });
});
