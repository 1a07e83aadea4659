/**
 * Chat (rules F1–F9, E5, the chat half of B1, C3 and E1) through the SDK against the real test server: opening a
 * chat and choosing its operator, who is notified, messages live over WebSocket and resumed, read marks both ways,
 * archiving with a transcript PDF read back, the offer actions as chat messages, household access, retries,
 * attachments, bad text, and the inbox and history in a constant number of SQL statements.
 *
 * Every describe builds its own firm, so counts (chats, messages, notifications, events) are the test's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { and, count, eq, inArray } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { parse } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories, upload } from "../../test/factories.js";
import { PDF, PNG } from "../../test/fixtures.js";
import { eventOf, nextWithin, nothingWithin } from "../../test/realtime.js";
import {
  AcceptOfferDocument,
  ArchiveChatDocument,
  AskAboutOfferDocument,
  ChatChangedDocument,
  ChatDocument,
  ChatSettingsDocument,
  ChatWithCustomerDocument,
  ChatsDocument,
  ClaimDocument,
  ContractDocument,
  CreateContractDocument,
  DocumentCategoriesDocument,
  DocumentDownloadDocument,
  DocumentsDocument,
  InsurersDocument,
  MarkChatReadDocument,
  MarkNotificationsReadDocument,
  MessageAddedDocument,
  NodeDocument,
  OverviewWithChatDocument,
  ReportClaimDocument,
  RequestOfferDocument,
  RevokeCustomerAccessDocument,
  SendMessageDocument,
  SetChatOperatorDocument,
  SetResponsibleStaffDocument,
  StartChatDocument,
  UnreadMessageCountDocument,
  UpdateChatSettingsDocument,
  UpdateStaffUserDocument,
  type ChatChangedSubscription,
  type ChatsQueryVariables,
  type KundenappClient,
  type MessageAddedSubscription,
  type SendMessageInput,
} from "../../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../../graphql/relay.js";
import { files } from "../../files/file.table.js";
import { notifications } from "../notification/notification.table.js";
import { EMAIL_AFTER_MS } from "../notification/notification.service.js";
import { documents } from "../document/document.table.js";
import { LINE_OF_BUSINESS_LABELS } from "../contract/contract.enums.js";
import { chatAttachments, chatMessages, chatReads, chats } from "./chat.table.js";
import { MAX_MESSAGE_LENGTH } from "./chat.types.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer({ smtp: true });
  f = factories(t);
});
afterAll(() => t.close());

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
type Customer = Awaited<ReturnType<ReturnType<typeof factories>["buildCustomer"]>>;
type Staff = Awaited<ReturnType<ReturnType<typeof factories>["buildStaff"]>>;

const db = () => t.app.deps.database.db;
const gid = (type: string, id: string) => toGlobalId(type, id);
const dbId = (globalId: string) => fromGlobalId(globalId)!.id;
const unique = () => crypto.randomBytes(4).toString("hex");
const customerId = (c: { id: string }) => gid("Customer", c.id);
const staffId = (s: { id: string }) => gid("StaffUser", s.id);
/** The transcript's clock: German local time, as the PDF prints it. */
const germanTime = new Intl.DateTimeFormat("de-DE", { timeZone: "Europe/Berlin", dateStyle: "medium", timeStyle: "short" });

/** sendMessage as a client sends it: a fresh client message id unless given. */
async function send(client: KundenappClient, input: Omit<SendMessageInput, "clientMessageId"> & { clientMessageId?: string }) {
  const { sendMessage } = await client.request(SendMessageDocument, { input: { clientMessageId: crypto.randomUUID(), ...input } });
  return sendMessage;
}
/** The app writes for a customer it may access. */
const say = (app: KundenappClient, customer: { id: string }, body: string, extra: Partial<SendMessageInput> = {}) => send(app, { customerId: customerId(customer), body, ...extra });
/** Staff write in a chat (global ID). */
const reply = (staff: KundenappClient, chatId: string, body: string, extra: Partial<SendMessageInput> = {}) => send(staff, { chatId, body, ...extra });

/** The staff user ids notified of a chat (kind CHAT_MESSAGE, or OFFER_RESPONSE for an offer action; subject the chat), one entry per notification, sorted. */
async function notifiedOf(chatId: string): Promise<string[]> {
  const rows = await db()
    .select({ staffUserId: notifications.staffUserId })
    .from(notifications)
    .where(and(eq(notifications.subjectId, dbId(chatId)), inArray(notifications.kind, ["CHAT_MESSAGE", "OFFER_RESPONSE"])));
  return rows.map((r) => r.staffUserId).sort();
}
const sorted = (...ids: string[]) => [...ids].sort();

const openChatsOf = async (customer: { id: string }) =>
  (await db().select({ n: count() }).from(chats).where(and(eq(chats.customerId, customer.id), eq(chats.status, "OPEN"))))[0]!.n;
const messagesOf = async (chatId: string) => (await db().select({ n: count() }).from(chatMessages).where(eq(chatMessages.chatId, dbId(chatId))))[0]!.n;

function setResponsible(firm: Firm, customer: { id: string }, staff: Array<{ id: string }>) {
  return firm.adminClient.request(SetResponsibleStaffDocument, { input: { customerId: customerId(customer), staffUserIds: staff.map(staffId) } });
}

/** A staff user of the firm with the given permissions, logged in. */
async function staffWith(firm: Firm, permissions: Array<"CHAT" | "CLAIMS">, role: "ADMIN" | "EMPLOYEE" = "EMPLOYEE", name?: string) {
  const staff = await f.buildStaff({ tenant: firm.tenant, permissions, role, ...(name ? { name } : {}) });
  return { staff, client: await f.staffClient(staff) };
}

/** A customer of the firm with an ACTIVE app account, logged in. */
async function customerWithApp(firm: Firm, names: { firstName?: string; lastName?: string } = {}) {
  const customer = await f.buildCustomer({ tenant: firm.tenant, firstName: names.firstName ?? "Kim", lastName: names.lastName ?? `Kunde ${unique()}` });
  const account = await f.buildAppAccount({ customer });
  return { customer, account, app: await f.appClient(account) };
}

/** A contract of the customer made by the admin: an open offer unless told, visible to the customer. */
async function addContract(firm: Firm, customer: { id: string }, status: "ANGEBOT" | "AKTIV" = "ANGEBOT") {
  const { insurers } = await firm.adminClient.request(InsurersDocument, {});
  const { createContract } = await firm.adminClient.request(CreateContractDocument, {
    input: { customerId: customerId(customer), insurerId: insurers[0]!.id, contractNumber: `V-${unique()}`, status, visibleToCustomer: true },
  });
  return createContract.contract;
}

async function download(url: string) {
  const res = await fetch(url);
  return { status: res.status, contentType: res.headers.get("content-type"), bytes: Buffer.from(await res.arrayBuffer()) };
}


const added = (r: IteratorResult<MessageAddedSubscription>) => eventOf(r, "messageAdded");
const chatChanged = (r: IteratorResult<ChatChangedSubscription>) => eventOf(r, "chatChanged");

/** The text of a PDF, read back with pdf.js (lines joined by newlines), and its page count. */
async function pdfText(bytes: Buffer): Promise<{ text: string; pages: number }> {
  const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const fonts = path.join(path.dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json")), "standard_fonts") + path.sep;
  const pdf = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl: fonts, useSystemFonts: false }).promise;
  let text = "";
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent();
    for (const item of content.items) if ("str" in item) text += item.str + (item.hasEOL ? "\n" : "");
    text += "\n";
  }
  await pdf.destroy();
  return { text, pages: pdf.numPages };
}

// First in the file: before any test opens a WebSocket (the server re-checks the sessions of open sockets each second).
describe("the inbox and the history in a constant number of SQL statements", () => {
  /** A fresh firm's category for correspondence (raw id), read once through the API (categories are made on first read). */
  async function correspondence(firm: Firm): Promise<string> {
    const { documentCategories } = await firm.adminClient.request(DocumentCategoriesDocument, {});
    return dbId(documentCategories.find((c) => c.key === "CORRESPONDENCE")!.id);
  }

  /** Documents of a customer written straight to the tables (a PDF each, released): the attachments of seeded messages. */
  async function seedDocuments(firm: Firm, customer: { id: string }, n: number, categoryId: string): Promise<string[]> {
    const tenantId = firm.tenant.id;
    const fileRows = Array.from({ length: n }, (_, i) => ({
      id: crypto.randomUUID(),
      tenantId,
      purpose: "DOCUMENT" as const,
      status: "ATTACHED" as const,
      fileName: `anhang-${i}.pdf`,
      declaredType: "application/pdf",
      declaredSize: PDF.length,
      mimeType: "application/pdf",
      size: PDF.length,
      storageKey: `t/${tenantId}/seed-${crypto.randomUUID()}`,
      createdByStaffId: firm.admin.id,
    }));
    if (!n) return [];
    await db().insert(files).values(fileRows);
    const docs = await db()
      .insert(documents)
      .values(fileRows.map((file) => ({ tenantId, customerId: customer.id, categoryId, title: file.fileName, fileId: file.id, visibleToCustomer: true, uploadedByStaffId: firm.admin.id })))
      .returning({ id: documents.id });
    return docs.map((d) => d.id);
  }

  /** Messages of a chat written straight to the tables: both sides in turn, every third referring to a contract, every fifth with an attachment. */
  async function seedMessages(firm: Firm, chat: { id: string; customerId: string }, n: number, opts: { contractId: string; operatorId: string; accountId: string; categoryId: string }) {
    const base = t.clock.now().getTime() - n * 60_000;
    const rows = Array.from({ length: n }, (_, i) => ({
      id: uuidv7(),
      tenantId: firm.tenant.id,
      chatId: chat.id,
      kind: "TEXT" as const,
      body: `Nachricht ${i}`,
      fromCustomer: i % 2 === 0,
      authorAccountId: i % 2 === 0 ? opts.accountId : null,
      authorStaffId: i % 2 === 0 ? null : opts.operatorId,
      contractId: i % 3 === 0 ? opts.contractId : null,
      createdAt: new Date(base + i * 60_000),
    }));
    await db().insert(chatMessages).values(rows);
    const withAttachment = rows.filter((_, i) => i % 5 === 0);
    const docs = await seedDocuments(firm, { id: chat.customerId }, withAttachment.length, opts.categoryId);
    if (docs.length) await db().insert(chatAttachments).values(withAttachment.map((m, i) => ({ tenantId: firm.tenant.id, messageId: m.id, documentId: docs[i]!, position: "0" })));
    // Each side read half: unread counts and read ticks have something to count.
    const half = rows[Math.floor(n / 2)]!;
    await db()
      .insert(chatReads)
      .values([
        { tenantId: firm.tenant.id, chatId: chat.id, readerId: firm.admin.id, fromCustomer: false, upToMessageId: half.id, readAt: t.clock.now() },
        { tenantId: firm.tenant.id, chatId: chat.id, readerId: chat.customerId, fromCustomer: true, upToMessageId: half.id, readAt: t.clock.now() },
      ]);
    await db().update(chats).set({ lastActivityAt: rows[n - 1]!.createdAt }).where(eq(chats.id, chat.id));
  }

  /** A firm with `n` open chats (customers with app accounts, operators alternating, two messages each, one with an attachment) and one chat of `n` messages. */
  async function firmWithChats(n: number) {
    const firm = await f.buildFirm();
    const categoryId = await correspondence(firm);
    let app: KundenappClient | undefined;
    let big: { id: string; customerId: string } | undefined;
    for (let i = 0; i < n; i++) {
      const customer = await f.buildCustomer({ tenant: firm.tenant, lastName: `Inbox ${i} ${unique()}` });
      const account = await f.buildAppAccount({ customer });
      const contract = await addContract(firm, customer, "AKTIV");
      const operator = i % 2 ? firm.employee : firm.admin;
      const [chat] = await db()
        .insert(chats)
        .values({ tenantId: firm.tenant.id, customerId: customer.id, status: "OPEN", operatorStaffId: operator.id, lastActivityAt: t.clock.now() })
        .returning();
      const opts = { contractId: dbId(contract.id), operatorId: operator.id, accountId: account.id, categoryId };
      await seedMessages(firm, chat!, i === 0 ? n : 2, opts);
      if (i === 0) {
        app = await f.appClient(account);
        big = chat!;
      }
    }
    return { firm, app: app!, bigChat: gid("Chat", big!.id) };
  }

  it("F6/F8: 5 and 50 chats in the inbox (customer, operator, last message, unread count), and pages of 5 and 50 messages, cost the same", async () => {
    // Nothing runs in the background (no open WebSocket whose session the server re-checks each second): every statement counted is the screen's.
    expect(await t.countStatements(() => new Promise((resolve) => setTimeout(resolve, 1_100)))).toBe(0);
    const small = await firmWithChats(5);
    const large = await firmWithChats(50);

    async function inbox(client: KundenappClient, expected: number): Promise<number> {
      return t.countStatements(async () => {
        const { chats: page } = await client.request(ChatsDocument, { first: 50 });
        expect(page.edges).toHaveLength(expected);
        expect(page.totalCount).toBe(expected);
        for (const { node } of page.edges) {
          expect(node.customer.name).toMatch(/Inbox/);
          expect(node.operator?.name).toBeTruthy();
          expect(node.lastMessage?.body).toMatch(/^Nachricht/);
        }
        // The admin read half of the big chat; the small chats' second message is the operator's reply.
        expect(page.edges.some((e) => e.node.unreadCount > 0)).toBe(true);
      });
    }
    const inboxSmall = await inbox(small.firm.adminClient, 5);
    const inboxLarge = await inbox(large.firm.adminClient, 50);
    expect(inboxLarge).toBe(inboxSmall);
    expect(inboxSmall).toBeLessThan(15);

    async function history(client: KundenappClient, chatId: string, expected: number): Promise<number> {
      return t.countStatements(async () => {
        const { chat } = await client.request(ChatDocument, { id: chatId, first: 50 });
        const messages = chat.messages.edges.map((e) => e.node);
        expect(messages).toHaveLength(expected);
        expect(messages.filter((m) => m.contract).length).toBe(Math.ceil(expected / 3));
        expect(messages.filter((m) => m.attachments.length === 1 && m.attachments[0]!.downloadUrl).length).toBe(Math.ceil(expected / 5));
        expect(messages.filter((m) => m.author).length).toBe(Math.floor(expected / 2));
        expect(messages.some((m) => m.readByOtherSide) && messages.some((m) => !m.readByOtherSide)).toBe(true);
      });
    }
    // The chat's `lastMessage` is also the page's newest message: its attachments are looked up with the page's batch,
    // or in one statement of their own when its query answers first (PostgreSQL runs the two on a pool, in either
    // order). So a page costs the same or one more, whatever its size; an N+1 would cost dozens more.
    const staffSmall = await history(small.firm.adminClient, small.bigChat, 5);
    const staffLarge = await history(large.firm.adminClient, large.bigChat, 50);
    expect(Math.abs(staffLarge - staffSmall)).toBeLessThanOrEqual(1);
    const appSmall = await history(small.app, small.bigChat, 5);
    const appLarge = await history(large.app, large.bigChat, 50);
    expect(Math.abs(appLarge - appSmall)).toBeLessThanOrEqual(1);
    expect(Math.max(staffSmall, staffLarge, appSmall, appLarge)).toBeLessThan(15);

    // Issue 14: the inbox as the bench's screen selects it (customer, newest message, the viewer's unread count,
    // through a fragment) is the session's statement and the list's, plus one for the messages' authors, whatever
    // its size; and what comes with the page is what each chat gives on its own, through its loaders.
    const INBOX = parse(`query InboxScreen { chats(first: 50) { nodes { ...Row } } }
      fragment Row on Chat { id unreadCount customer { id name } lastMessage { id body fromCustomer createdAt author { id } } }`) as TypedDocumentNode<{ chats: { nodes: Array<Record<string, unknown> & { id: string }> } }>;
    const ONE = parse(`query OneChat($id: ID!) { chat(id: $id) { id unreadCount customer { id name } lastMessage { id body fromCustomer createdAt author { id } } } }`) as TypedDocumentNode<{ chat: Record<string, unknown> }, { id: string }>;
    for (const [firm, size] of [[small.firm, 5], [large.firm, 50]] as const) {
      let page: Array<Record<string, unknown> & { id: string }> = [];
      const statements = await t.countStatements(async () => {
        page = (await firm.adminClient.request(INBOX, {})).chats.nodes;
      });
      expect(page).toHaveLength(size);
      expect(statements).toBe(3);
      for (const node of page) expect(node).toEqual((await firm.adminClient.request(ONE, { id: node.id })).chat);
    }
    // C3/F8 for the app: its own chat only, with the customer's unread count (the office's messages after its mark),
    // the same with the page as on its own; another firm's app sees none of this firm's chats.
    for (const [app, other] of [[small.app, large.app], [large.app, small.app]] as const) {
      const page = (await app.request(INBOX, {})).chats.nodes;
      expect(page).toHaveLength(1);
      expect(page[0]).toEqual((await app.request(ONE, { id: page[0]!.id })).chat);
      expect((await other.request(INBOX, {})).chats.nodes.map((n) => n.id)).not.toContain(page[0]!.id);
    }
    // A page of messages with their authors' cards: the session's statement, the chat's and the page's with the authors.
    const PAGE = parse(`query MessagePage($id: ID!) { chat(id: $id) { messages(first: 50) { nodes { id author { id name } } } } }`) as TypedDocumentNode<
      { chat: { messages: { nodes: Array<{ id: string; author: { id: string; name: string } | null }> } } },
      { id: string }
    >;
    for (const [firm, chatId, size] of [[small.firm, small.bigChat, 5], [large.firm, large.bigChat, 50]] as const) {
      let nodes: Array<{ id: string; author: { id: string; name: string } | null }> = [];
      const statements = await t.countStatements(async () => {
        nodes = (await firm.adminClient.request(PAGE, { id: chatId })).chat.messages.nodes;
      });
      expect(nodes).toHaveLength(size);
      expect(statements).toBe(3);
      expect(nodes.filter((m) => m.author?.name).length).toBe(Math.floor(size / 2));
      // The newest message's author as the loader gives it (through lastMessage).
      expect(nodes[0]!.author?.id ?? null).toEqual(((await firm.adminClient.request(ONE, { id: chatId })).chat.lastMessage as { author: { id: string } | null }).author?.id ?? null);
    }
  });
});

describe("F1/F2: opening a chat and its operator", () => {
  let firm: Firm;
  beforeAll(async () => {
    firm = await f.buildFirm();
  });

  it("F2: the operator is the first responsible staff user with CHAT, skipping one without CHAT and a deactivated one; F3: only the operator is notified", async () => {
    const withoutChat = await staffWith(firm, ["CLAIMS"]);
    const deactivated = await staffWith(firm, ["CHAT"]);
    const first = await staffWith(firm, ["CHAT"], "EMPLOYEE", "Erste Wahl");
    const second = await staffWith(firm, ["CHAT"]);
    const c = await customerWithApp(firm);
    await setResponsible(firm, c.customer, [withoutChat.staff, deactivated.staff, first.staff, second.staff]);
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: staffId(deactivated.staff), active: false } });

    expect(await openChatsOf(c.customer)).toBe(0);
    const { chat, message } = await say(c.app, c.customer, "Hallo, ich habe eine Frage.");
    expect(chat).toMatchObject({ status: "OPEN", customer: { id: customerId(c.customer) }, operator: { id: staffId(first.staff), name: "Erste Wahl" } });
    expect(message).toMatchObject({ kind: "TEXT", body: "Hallo, ich habe eine Frage.", fromCustomer: true, author: null });
    expect(await notifiedOf(chat.id)).toEqual([first.staff.id]);
    // Staff see the same operator.
    expect((await firm.adminClient.request(ChatDocument, { id: chat.id })).chat.operator).toEqual({ id: staffId(first.staff), name: "Erste Wahl" });
  });

  it("F2: with no responsible staff user holding CHAT the chat has no operator until the first staff reply, whose author becomes it (a later reply changes nothing)", async () => {
    const withoutChat = await staffWith(firm, ["CLAIMS"]);
    const c = await customerWithApp(firm);
    await setResponsible(firm, c.customer, [withoutChat.staff]);
    const { chat } = await say(c.app, c.customer, "Ist da jemand?");
    expect(chat.operator).toBeNull();
    // F3 with no operator: every admin with CHAT.
    expect(await notifiedOf(chat.id)).toEqual([firm.admin.id]);

    const stream = firm.adminClient.subscribe(ChatChangedDocument, { after: await t.headCursor(firm.tenant.id) });
    const first = await reply(firm.employeeClient, chat.id, "Ja, ich kümmere mich.");
    expect(first.chat.operator).toEqual({ id: staffId(firm.employee), name: firm.employee.name });
    expect(first.message).toMatchObject({ fromCustomer: false, author: { id: staffId(firm.employee) } });
    // The operator change reaches other staff clients.
    expect(chatChanged(await nextWithin(stream)).chat).toMatchObject({ id: chat.id, operator: { id: staffId(firm.employee) } });
    const later = await reply(firm.adminClient, chat.id, "Ich lese mit.");
    expect(later.chat.operator?.id).toBe(staffId(firm.employee));
    await stream.return?.();
    // From now on a customer message notifies the operator only.
    await say(c.app, c.customer, "Danke!");
    expect(await notifiedOf(chat.id)).toEqual(sorted(firm.admin.id, firm.employee.id));
  });

  it("F2: staff with CHAT set the operator by hand, only to an active staff user with CHAT (BAD_USER_INPUT CHAT_PERMISSION otherwise); staff without CHAT get FORBIDDEN", async () => {
    const c = await customerWithApp(firm);
    const { chat } = await say(c.app, c.customer, "Bitte um Rückruf");
    const chatter = await staffWith(firm, ["CHAT"], "EMPLOYEE", "Hand Verlesen");
    const { setChatOperator } = await firm.employeeClient.request(SetChatOperatorDocument, { input: { chatId: chat.id, staffUserId: staffId(chatter.staff) } });
    expect(setChatOperator.chat.operator).toEqual({ id: staffId(chatter.staff), name: "Hand Verlesen" });
    const row = async () => (await db().select().from(chats).where(eq(chats.id, dbId(chat.id))))[0]!;
    const before = await row();

    const withoutChat = await staffWith(firm, ["CLAIMS"]);
    const inactive = await staffWith(firm, ["CHAT"]);
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: staffId(inactive.staff), active: false } });
    for (const target of [withoutChat.staff, inactive.staff]) {
      const err = await expectApiError(firm.adminClient.request(SetChatOperatorDocument, { input: { chatId: chat.id, staffUserId: staffId(target) } }), "BAD_USER_INPUT");
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.staffUserId", rule: "CHAT_PERMISSION" })]);
    }
    // Another firm's staff user is one that does not exist.
    const stranger = await f.buildStaff({ permissions: ["CHAT"] });
    await expectApiError(firm.adminClient.request(SetChatOperatorDocument, { input: { chatId: chat.id, staffUserId: staffId(stranger) } }), "NOT_FOUND");
    await expectApiError(withoutChat.client.request(SetChatOperatorDocument, { input: { chatId: chat.id, staffUserId: staffId(firm.admin) } }), "FORBIDDEN");
    expect(await row()).toEqual(before);
    // The hand-picked operator is the one notified now.
    await say(c.app, c.customer, "Noch etwas");
    expect((await notifiedOf(chat.id)).filter((id) => id === chatter.staff.id)).toHaveLength(1);
  });

  it("F1: staff open a chat only for a customer with an ACTIVE app account (CONFLICT ACTIVE_APP_ACCOUNT otherwise); an open one is returned as it is", async () => {
    const noAccount = await f.buildCustomer({ tenant: firm.tenant });
    const invited = await f.buildAppAccount({ tenant: firm.tenant, status: "INVITED", passwordHash: null, activatedAt: null });
    const deactivated = await f.buildAppAccount({ tenant: firm.tenant, status: "DEACTIVATED" });
    for (const customer of [noAccount, invited.customer, deactivated.customer]) {
      const err = await expectApiError(firm.employeeClient.request(StartChatDocument, { input: { customerId: customerId(customer) } }), "CONFLICT");
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.customerId", rule: "ACTIVE_APP_ACCOUNT" })]);
      expect(await openChatsOf(customer)).toBe(0);
    }
    const c = await customerWithApp(firm);
    await setResponsible(firm, c.customer, [firm.employee]);
    const { startChat } = await firm.adminClient.request(StartChatDocument, { input: { customerId: customerId(c.customer) } });
    // F2 applies here too: the first responsible staff user with CHAT, not the one who opened it.
    expect(startChat.chat).toMatchObject({ status: "OPEN", lastMessage: null, operator: { id: staffId(firm.employee) } });
    const again = await firm.employeeClient.request(StartChatDocument, { input: { customerId: customerId(c.customer) } });
    expect(again.startChat.chat.id).toBe(startChat.chat.id);
    // The customer's app sees it, and writes into it.
    expect((await c.app.request(ChatsDocument, {})).chats.edges.map((e) => e.node.id)).toEqual([startChat.chat.id]);
    expect((await say(c.app, c.customer, "Hallo")).chat.id).toBe(startChat.chat.id);
    // Another firm's customer is one that does not exist.
    const foreign = await customerWithApp(await f.buildFirm());
    await expectApiError(firm.adminClient.request(StartChatDocument, { input: { customerId: customerId(foreign.customer) } }), "NOT_FOUND");
    expect(await openChatsOf(foreign.customer)).toBe(0);
  });

  it("F1: two first messages sent at the same time give one chat holding both", async () => {
    const c = await customerWithApp(firm);
    const second = await f.appClient(c.account);
    const [a, b] = await Promise.all([say(c.app, c.customer, "Erste"), say(second, c.customer, "Zweite")]);
    expect(a.chat.id).toBe(b.chat.id);
    expect(await openChatsOf(c.customer)).toBe(1);
    expect(await messagesOf(a.chat.id)).toBe(2);
    const { chat } = await firm.adminClient.request(ChatDocument, { id: a.chat.id, first: 10 });
    expect(chat.messages.edges.map((e) => e.node.body).sort()).toEqual(["Erste", "Zweite"]);
  });
});

describe("F3/B1: who is notified, and staff without CHAT", () => {
  let firm: Firm;
  let noChatAdmin: { staff: Staff; client: KundenappClient };
  let noChatEmployee: { staff: Staff; client: KundenappClient };
  let secondAdmin: { staff: Staff; client: KundenappClient };
  beforeAll(async () => {
    firm = await f.buildFirm();
    noChatAdmin = await staffWith(firm, ["CLAIMS"], "ADMIN");
    noChatEmployee = await staffWith(firm, ["CLAIMS"]);
    secondAdmin = await staffWith(firm, ["CHAT"], "ADMIN");
  });

  it("F3: a customer message notifies the operator only; staff messages notify nobody", async () => {
    const c = await customerWithApp(firm);
    await setResponsible(firm, c.customer, [noChatEmployee.staff, firm.employee, firm.admin]);
    const { chat } = await say(c.app, c.customer, "Erste Nachricht");
    await say(c.app, c.customer, "Zweite Nachricht");
    expect(await notifiedOf(chat.id)).toEqual([firm.employee.id, firm.employee.id]);
    await reply(firm.employeeClient, chat.id, "Antwort");
    await reply(firm.adminClient, chat.id, "Noch eine Antwort");
    expect(await notifiedOf(chat.id)).toEqual([firm.employee.id, firm.employee.id]);
  });

  it("F3/B1: with no operator every admin with CHAT is notified: never an admin without CHAT, an employee, or a deactivated admin", async () => {
    const inactiveAdmin = await staffWith(firm, ["CHAT"], "ADMIN");
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: staffId(inactiveAdmin.staff), active: false } });
    const c = await customerWithApp(firm);
    const { chat } = await say(c.app, c.customer, "Hallo Büro");
    expect(chat.operator).toBeNull();
    expect(await notifiedOf(chat.id)).toEqual(sorted(firm.admin.id, secondAdmin.staff.id));
    // An operator whose CHAT permission was taken: the admins with CHAT instead, never the operator.
    const picked = await staffWith(firm, ["CHAT"]);
    await firm.adminClient.request(SetChatOperatorDocument, { input: { chatId: chat.id, staffUserId: staffId(picked.staff) } });
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: staffId(picked.staff), permissions: ["CLAIMS"] } });
    await say(c.app, c.customer, "Noch da?");
    expect(await notifiedOf(chat.id)).toEqual(sorted(firm.admin.id, secondAdmin.staff.id, firm.admin.id, secondAdmin.staff.id));
  });

  it("F3/F4: the operator's notice, still unread after five minutes, is emailed once; a notice read before is never emailed; staff without CHAT get none", async () => {
    const operator = await staffWith(firm, ["CHAT"]);
    const reader = await staffWith(firm, ["CHAT"]);
    const c = await customerWithApp(firm, { firstName: "Mia", lastName: `Mailand ${unique()}` });
    await setResponsible(firm, c.customer, [noChatEmployee.staff, operator.staff]);
    await say(c.app, c.customer, "Bitte rufen Sie mich zurück");
    const read = await customerWithApp(firm);
    await setResponsible(firm, read.customer, [reader.staff]);
    await say(read.app, read.customer, "Schon gelesen");
    await reader.client.request(MarkNotificationsReadDocument, { input: { all: true } });

    const mailsTo = (email: string) => t.smtp.received.filter((m) => m.to.includes(email.toLowerCase()));
    /** Runs the worker until it has nothing left to send (earlier tests' notices are due too). */
    const drain = async () => {
      for (let i = 0; i < 20; i++) if ((await t.app.worker.runOnce()).sent === 0) return;
    };
    t.clock.advance(EMAIL_AFTER_MS - 30_000);
    await drain();
    expect(mailsTo(operator.staff.email)).toHaveLength(0);
    t.clock.advance(31_000);
    await drain();
    const deadline = Date.now() + 5_000;
    while (mailsTo(operator.staff.email).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const mails = mailsTo(operator.staff.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Ungelesene Benachrichtigung: Neue Nachricht von ${c.customer.firstName} ${c.customer.lastName}`);
    expect(mails[0]!.text).toContain("Bitte rufen Sie mich zurück");
    expect(mailsTo(reader.staff.email)).toHaveLength(0);
    expect(mailsTo(noChatEmployee.staff.email)).toHaveLength(0);
    t.clock.advance(EMAIL_AFTER_MS);
    await drain();
    expect(mailsTo(operator.staff.email)).toHaveLength(1);
  });

  it("B1: staff without CHAT get FORBIDDEN on every chat operation and subscription; node(id) of a chat is NOT_FOUND for them", async () => {
    const c = await customerWithApp(firm);
    const { chat, message } = await say(c.app, c.customer, "Geheim");
    const before = { chats: await db().select().from(chats).where(eq(chats.tenantId, firm.tenant.id)), messages: await messagesOf(chat.id) };
    for (const staff of [noChatAdmin.client, noChatEmployee.client]) {
      const calls: Array<() => Promise<unknown>> = [
        () => staff.request(ChatsDocument, {}),
        () => staff.request(ChatDocument, { id: chat.id }),
        () => staff.request(UnreadMessageCountDocument, {}),
        () => staff.request(ChatSettingsDocument, {}),
        () => reply(staff, chat.id, "Darf ich nicht"),
        () => staff.request(StartChatDocument, { input: { customerId: customerId(c.customer) } }),
        () => staff.request(SetChatOperatorDocument, { input: { chatId: chat.id, staffUserId: staffId(firm.admin) } }),
        () => staff.request(MarkChatReadDocument, { input: { chatId: chat.id, upToMessageId: message.id } }),
        () => staff.request(ArchiveChatDocument, { input: { chatId: chat.id } }),
        () => staff.request(UpdateChatSettingsDocument, { input: { storeTranscriptByDefault: false } }),
        () => nextWithin(staff.subscribe(MessageAddedDocument, {})),
        () => nextWithin(staff.subscribe(ChatChangedDocument, {})),
      ];
      for (const call of calls) await expectApiError(call(), "FORBIDDEN");
      await expectApiError(staff.request(NodeDocument, { id: chat.id }), "NOT_FOUND");
      await expectApiError(staff.request(NodeDocument, { id: message.id }), "NOT_FOUND");
    }
    expect({ chats: await db().select().from(chats).where(eq(chats.tenantId, firm.tenant.id)), messages: await messagesOf(chat.id) }).toEqual(before);
    expect(await notifiedOf(chat.id)).not.toContain(noChatAdmin.staff.id);
  });
});

describe("F9: messages live over WebSocket", () => {
  let firm: Firm;
  let c: Awaited<ReturnType<typeof customerWithApp>>;
  let chatId: string;
  beforeAll(async () => {
    firm = await f.buildFirm();
    c = await customerWithApp(firm);
    chatId = (await say(c.app, c.customer, "Vorher")).chat.id;
  });

  it("F9: the customer's app and two staff clients each receive a new message once, whoever wrote it; a neighbour's app receives nothing", async () => {
    const neighbour = await customerWithApp(firm);
    const after = await t.headCursor(firm.tenant.id);
    const streams = [c.app, firm.adminClient, firm.employeeClient].map((client) => client.subscribe(MessageAddedDocument, { after }));
    const neighbourStream = neighbour.app.subscribe(MessageAddedDocument, { after });
    const fromCustomer = await say(c.app, c.customer, "Live vom Kunden");
    for (const s of streams) {
      expect(added(await nextWithin(s)).message).toMatchObject({ id: fromCustomer.message.id, body: "Live vom Kunden", fromCustomer: true, chat: { id: chatId } });
      await nothingWithin(s, 300);
    }
    const fromStaff = await reply(firm.adminClient, chatId, "Live vom Büro");
    for (const s of streams) {
      expect(added(await nextWithin(s)).message).toMatchObject({ id: fromStaff.message.id, fromCustomer: false, author: { id: staffId(firm.admin) } });
      await nothingWithin(s, 300);
    }
    // The neighbour's own message is the first and only thing it receives.
    const own = await say(neighbour.app, neighbour.customer, "Meins");
    expect(added(await nextWithin(neighbourStream)).message.id).toBe(own.message.id);
    for (const s of [...streams, neighbourStream]) await s.return?.();
  });

  it("F9/B1: a staff client whose CHAT permission is taken receives no further message, at once", async () => {
    const { staff, client } = await staffWith(firm, ["CHAT"]);
    const stream = client.subscribe(MessageAddedDocument, { after: await t.headCursor(firm.tenant.id) });
    const before = await say(c.app, c.customer, "Noch erlaubt");
    expect(added(await nextWithin(stream)).message.id).toBe(before.message.id);
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: staffId(staff), permissions: ["CLAIMS"] } });
    await say(c.app, c.customer, "Nicht mehr für dich");
    // Either the stream ends (FORBIDDEN) or it stays silent: never the message.
    const next = await nextWithin(stream, 1_000).then(
      (r) => (r.done ? "ended" : `message ${JSON.stringify(r.value)}`),
      (err: Error) => (err.message.startsWith("no event within") ? "silent" : "ended"),
    );
    expect(["ended", "silent"]).toContain(next);
    await stream.return?.();
  });

  it("F9: a client that reconnects with `after:` receives what it missed once and in order, then goes live", async () => {
    const app = await f.appClient(c.account);
    const first = app.subscribe(MessageAddedDocument, { after: await t.headCursor(firm.tenant.id) });
    const m1 = await reply(firm.employeeClient, chatId, "Eins");
    const got = added(await nextWithin(first));
    expect(got.message.id).toBe(m1.message.id);
    await first.return?.();
    await app.close();

    const missed = [await reply(firm.employeeClient, chatId, "Zwei"), await say(c.app, c.customer, "Drei"), await reply(firm.adminClient, chatId, "Vier")];
    const resumed = app.subscribe(MessageAddedDocument, { after: got.cursor });
    const replayed: string[] = [];
    for (let i = 0; i < missed.length; i++) replayed.push(added(await nextWithin(resumed)).message.id);
    expect(replayed).toEqual(missed.map((m) => m.message.id));
    const live = await reply(firm.employeeClient, chatId, "Fünf");
    expect(added(await nextWithin(resumed)).message.id).toBe(live.message.id);
    await nothingWithin(resumed, 500);
    await resumed.return?.();
  });
});

describe("F8/E1: unread counts and read marks, both ways", () => {
  it("F8: unread per chat, in total and per staff user; markChatRead (never back); `readByOtherSide` on own messages; chatChanged tells the other side; E1: overview.unreadMessageCount", async () => {
    const firm = await f.buildFirm();
    const c = await customerWithApp(firm);
    const other = await customerWithApp(firm);
    await say(other.app, other.customer, "Andere Kundin");
    const m1 = await say(c.app, c.customer, "Eins");
    const m2 = await say(c.app, c.customer, "Zwei");
    const chatId = m1.chat.id;
    const unreadOf = async (client: KundenappClient) => (await client.request(ChatDocument, { id: chatId })).chat.unreadCount;
    const totalOf = async (client: KundenappClient) => (await client.request(UnreadMessageCountDocument, {})).unreadMessageCount;

    // Staff: per staff user. Both have two unread here, and one more in the other customer's chat.
    expect([await unreadOf(firm.adminClient), await unreadOf(firm.employeeClient)]).toEqual([2, 2]);
    expect([await totalOf(firm.adminClient), await totalOf(firm.employeeClient)]).toEqual([3, 3]);
    // The customer's own messages are no unread ones for the customer.
    expect(await unreadOf(c.app)).toBe(0);
    expect(await totalOf(c.app)).toBe(0);
    expect((await c.app.request(OverviewWithChatDocument, {})).overview.unreadMessageCount).toBe(0);
    const ownMessages = async () => (await c.app.request(ChatDocument, { id: chatId, first: 10 })).chat.messages.edges.map((e) => [e.node.body, e.node.readByOtherSide]);
    expect(await ownMessages()).toEqual([
      ["Zwei", false],
      ["Eins", false],
    ]);

    // The admin reads up to the first message: the app is told, and sees the tick on it only.
    const appChanges = c.app.subscribe(ChatChangedDocument, { after: await t.headCursor(firm.tenant.id) });
    const { markChatRead } = await firm.adminClient.request(MarkChatReadDocument, { input: { chatId, upToMessageId: m1.message.id } });
    expect(markChatRead.chat.unreadCount).toBe(1);
    expect(chatChanged(await nextWithin(appChanges)).chat).toMatchObject({ id: chatId, status: "OPEN" });
    expect(await ownMessages()).toEqual([
      ["Zwei", false],
      ["Eins", true],
    ]);
    await firm.adminClient.request(MarkChatReadDocument, { input: { chatId, upToMessageId: m2.message.id } });
    expect(chatChanged(await nextWithin(appChanges)).chat.id).toBe(chatId);
    expect([await unreadOf(firm.adminClient), await unreadOf(firm.employeeClient)]).toEqual([0, 2]);
    expect([await totalOf(firm.adminClient), await totalOf(firm.employeeClient)]).toEqual([1, 3]);
    // Never back: marking an earlier message changes nothing and tells nobody.
    await firm.adminClient.request(MarkChatReadDocument, { input: { chatId, upToMessageId: m1.message.id } });
    expect(await unreadOf(firm.adminClient)).toBe(0);
    await nothingWithin(appChanges, 300);
    await appChanges.return?.();

    // The other way: the office writes three, the app counts them, reads, and staff are told.
    const staffChanges = firm.employeeClient.subscribe(ChatChangedDocument, { after: await t.headCursor(firm.tenant.id) });
    const replies = [await reply(firm.employeeClient, chatId, "A"), await reply(firm.adminClient, chatId, "B"), await reply(firm.employeeClient, chatId, "C")];
    // The employee's first reply made it the operator (a change the staff stream hears of).
    expect(chatChanged(await nextWithin(staffChanges)).chat.operator?.id).toBe(staffId(firm.employee));
    expect(await unreadOf(c.app)).toBe(3);
    expect(await totalOf(c.app)).toBe(3);
    expect((await c.app.request(OverviewWithChatDocument, {})).overview.unreadMessageCount).toBe(3);
    const staffTicks = async () => (await firm.adminClient.request(ChatDocument, { id: chatId, first: 3 })).chat.messages.edges.map((e) => e.node.readByOtherSide);
    expect(await staffTicks()).toEqual([false, false, false]);
    await c.app.request(MarkChatReadDocument, { input: { chatId, upToMessageId: replies[1]!.message.id } });
    expect(chatChanged(await nextWithin(staffChanges)).chat.id).toBe(chatId);
    expect(await staffTicks()).toEqual([false, true, true]);
    expect(await unreadOf(c.app)).toBe(1);
    expect((await c.app.request(OverviewWithChatDocument, {})).overview.unreadMessageCount).toBe(1);
    await staffChanges.return?.();

    // A message of another chat is not a mark of this one.
    const foreignMessage = (await firm.adminClient.request(ChatsDocument, { search: other.customer.lastName })).chats.edges[0]!.node.lastMessage!.id;
    await expectApiError(firm.adminClient.request(MarkChatReadDocument, { input: { chatId, upToMessageId: foreignMessage } }), "NOT_FOUND");
    // Nor may the app mark another customer's chat.
    const otherChat = (await other.app.request(ChatsDocument, {})).chats.edges[0]!.node.id;
    await expectApiError(c.app.request(MarkChatReadDocument, { input: { chatId: otherChat, upToMessageId: foreignMessage } }), "NOT_FOUND");
  });
});

describe("F5: archiving, the transcript and the firm's default", () => {
  let firm: Firm;
  beforeAll(async () => {
    firm = await f.buildFirm();
  });

  it("F5: the transcript is a PDF holding every message, the names, German local times, umlauts and attachment names; the chat is gone from the app (list, chat(id), node, events) and a later message opens a new chat", async () => {
    const clerk = await staffWith(firm, ["CHAT"], "EMPLOYEE", "Änne Weiß-Öztürk");
    const c = await customerWithApp(firm, { firstName: "Jürgen", lastName: `Müßig-Lüdenscheid ${unique()}` });
    await setResponsible(firm, c.customer, [clerk.staff]);
    const before = await t.headCursor(firm.tenant.id);
    const appChanges = c.app.subscribe(ChatChangedDocument, { after: before });
    const put = await upload(c.app, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: "Kündigung_Übersicht.pdf" });
    const first = await say(c.app, c.customer, "Grüße aus Köln! Die Straße heißt „Äußere Bühlstraße“.", { attachmentFileIds: [put.fileId] });
    // The reply at 23:30 UTC: past midnight in Germany, so a transcript printing UTC shows another hour and day.
    const nowMs = t.clock.now().getTime();
    const lateEvening = new Date(nowMs).setUTCHours(23, 30, 0, 0);
    t.clock.advance((lateEvening > nowMs ? lateEvening : lateEvening + 86_400_000) - nowMs);
    const sent = [first, await reply(clerk.client, first.chat.id, "Schöne Grüße zurück, wir prüfen das."), await say(c.app, c.customer, "<b>Danke</b> & tschüß")];
    const utc = new Intl.DateTimeFormat("de-DE", { timeZone: "UTC", dateStyle: "medium", timeStyle: "short" });
    const chatId = sent[0]!.chat.id;
    const { archiveChat } = await clerk.client.request(ArchiveChatDocument, { input: { chatId } });
    expect(archiveChat.chat).toMatchObject({ id: chatId, status: "ARCHIVED", archivedAt: expect.any(String) });
    const transcript = archiveChat.chat.transcript!;
    expect(transcript).toMatchObject({ category: { key: "CHAT_TRANSCRIPT" }, visibleToCustomer: false });
    expect(transcript.title).toContain("Jürgen Müßig-Lüdenscheid");

    const file = await download(transcript.downloadUrl);
    expect(file).toMatchObject({ status: 200, contentType: "application/pdf" });
    expect(file.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const { text, pages } = await pdfText(file.bytes);
    expect(pages).toBeGreaterThanOrEqual(1);
    for (const s of sent) {
      expect(text).toContain(s.message.body);
      expect(text).toContain(germanTime.format(new Date(s.message.createdAt)));
    }
    expect(text).not.toContain(utc.format(new Date(sent[1]!.message.createdAt)));
    expect(text).toContain(`Jürgen Müßig-Lüdenscheid`);
    expect(text).toContain("Änne Weiß-Öztürk");
    expect(text).toContain("Kündigung_Übersicht.pdf");

    // Gone from the app: the list, chat(id), node(id), and the events of its messages when replayed.
    expect((await c.app.request(ChatsDocument, {})).chats.edges).toEqual([]);
    await expectApiError(c.app.request(ChatDocument, { id: chatId }), "NOT_FOUND");
    await expectApiError(c.app.request(NodeDocument, { id: chatId }), "NOT_FOUND");
    await expectApiError(c.app.request(NodeDocument, { id: sent[0]!.message.id }), "NOT_FOUND");
    expect((await c.app.request(UnreadMessageCountDocument, {})).unreadMessageCount).toBe(0);
    // The app is told the chat was archived.
    expect(chatChanged(await nextWithin(appChanges)).chat).toMatchObject({ id: chatId, status: "ARCHIVED" });
    await appChanges.return?.();
    const replay = c.app.subscribe(MessageAddedDocument, { after: before });
    await nothingWithin(replay, 500);
    // Staff cannot write into it any more.
    const err = await expectApiError(reply(clerk.client, chatId, "Zu spät"), "CONFLICT");
    expect(err.fields).toEqual([expect.objectContaining({ field: "input.chatId", rule: "CHAT_OPEN" })]);
    // The attachment stays a document of the customer, visible in the app.
    expect((await c.app.request(DocumentsDocument, { customerId: customerId(c.customer) })).documents.edges.map((e) => e.node.title)).toContain("Kündigung_Übersicht.pdf");

    // A later customer message opens a new chat (F2 again), the only event the replay now delivers.
    const later = await say(c.app, c.customer, "Noch eine Frage");
    expect(later.chat.id).not.toBe(chatId);
    expect(later.chat).toMatchObject({ status: "OPEN", operator: { id: staffId(clerk.staff) } });
    expect(added(await nextWithin(replay)).message.id).toBe(later.message.id);
    await replay.return?.();
    expect((await c.app.request(ChatsDocument, {})).chats.edges.map((e) => e.node.id)).toEqual([later.chat.id]);
    // Staff still find the archived one, with its transcript.
    const archived = await clerk.client.request(ChatsDocument, { status: "ARCHIVED", search: "müßig-lüden" });
    expect(archived.chats.edges.map((e) => e.node.id)).toEqual([chatId]);
    expect((await clerk.client.request(ChatDocument, { id: chatId })).chat.transcript?.id).toBe(transcript.id);
  });

  it("F5: the firm's default (updateChatSettings) switches the transcript off, the call's switch overrides it either way; admins with CHAT only", async () => {
    /** The firm's documents: only a transcript adds one here (the messages carry no attachments). */
    const transcripts = async () => (await db().select({ n: count() }).from(documents).where(eq(documents.tenantId, firm.tenant.id)))[0]!.n;
    const archive = async (storeTranscript?: boolean) => {
      const c = await customerWithApp(firm);
      const { chat } = await say(c.app, c.customer, "Kurz");
      return (await firm.adminClient.request(ArchiveChatDocument, { input: { chatId: chat.id, ...(storeTranscript === undefined ? {} : { storeTranscript }) } })).archiveChat.chat;
    };
    expect((await firm.adminClient.request(ChatSettingsDocument, {})).chatSettings).toEqual({ storeTranscriptByDefault: true });
    await expectApiError(firm.employeeClient.request(UpdateChatSettingsDocument, { input: { storeTranscriptByDefault: false } }), "FORBIDDEN");
    const { updateChatSettings } = await firm.adminClient.request(UpdateChatSettingsDocument, { input: { storeTranscriptByDefault: false } });
    expect(updateChatSettings).toEqual({ storeTranscriptByDefault: false });
    expect((await firm.adminClient.request(ChatSettingsDocument, {})).chatSettings).toEqual({ storeTranscriptByDefault: false });

    let n = await transcripts();
    expect((await archive()).transcript).toBeNull();
    expect(await transcripts()).toBe(n);
    expect((await archive(true)).transcript?.category.key).toBe("CHAT_TRANSCRIPT");
    expect(await transcripts()).toBe(n + 1);

    await firm.adminClient.request(UpdateChatSettingsDocument, { input: { storeTranscriptByDefault: true } });
    n = await transcripts();
    expect((await archive(false)).transcript).toBeNull();
    expect(await transcripts()).toBe(n);
    expect((await archive()).transcript).not.toBeNull();
    expect(await transcripts()).toBe(n + 1);
  });

  it("F5: the transcript is filed at one of the customer's contracts or claims when asked", async () => {
    const c = await customerWithApp(firm);
    const contract = await addContract(firm, c.customer, "AKTIV");
    const first = await say(c.app, c.customer, "Zum Vertrag");
    const atContract = (await firm.adminClient.request(ArchiveChatDocument, { input: { chatId: first.chat.id, contractId: contract.id } })).archiveChat.chat.transcript!;
    expect((await firm.adminClient.request(ContractDocument, { id: contract.id })).contract.documents.map((d) => d.id)).toContain(atContract.id);

    const { reportClaim } = await c.app.request(ReportClaimDocument, {
      input: { idempotencyKey: crypto.randomUUID(), customerId: customerId(c.customer), dateOfLoss: "2026-01-15", description: "Sturmschaden" },
    });
    const second = await say(c.app, c.customer, "Zum Schaden");
    const atClaim = (await firm.adminClient.request(ArchiveChatDocument, { input: { chatId: second.chat.id, claimId: reportClaim.claim.id } })).archiveChat.chat.transcript!;
    expect((await firm.adminClient.request(ClaimDocument, { id: reportClaim.claim.id })).claim.documents.map((d) => d.id)).toContain(atClaim.id);
    // Staff-only: the customer does not see transcripts.
    const appDocs = (await c.app.request(DocumentsDocument, { customerId: customerId(c.customer) })).documents.edges.map((e) => e.node.id);
    expect(appDocs).not.toContain(atContract.id);
    expect(appDocs).not.toContain(atClaim.id);
  });
});

describe("E5: offers through the chat", () => {
  it("E5: acceptOffer, askAboutOffer and requestOffer each put a message in the customer's open chat (opened by the first) referring to the contract; the operator is notified as in F3", async () => {
    const firm = await f.buildFirm();
    const c = await customerWithApp(firm);
    await setResponsible(firm, c.customer, [firm.employee]);
    const offer = await addContract(firm, c.customer);
    const question = await addContract(firm, c.customer);
    const staffStream = firm.adminClient.subscribe(MessageAddedDocument, { after: await t.headCursor(firm.tenant.id) });
    expect(await openChatsOf(c.customer)).toBe(0);

    await c.app.request(AcceptOfferDocument, { input: { contractId: offer.id } });
    expect(await openChatsOf(c.customer)).toBe(1);
    const accepted = added(await nextWithin(staffStream)).message;
    expect(accepted).toMatchObject({ kind: "OFFER_ACCEPTED", fromCustomer: true, contract: { id: offer.id, contractNumber: offer.contractNumber } });
    const chatId = accepted.chat!.id;

    const { askAboutOffer } = await c.app.request(AskAboutOfferDocument, { input: { contractId: question.id, body: "Ist Glasbruch mitversichert?" } });
    expect(askAboutOffer.chat.id).toBe(chatId);
    expect(askAboutOffer.message).toMatchObject({ kind: "OFFER_QUESTION", body: "Ist Glasbruch mitversichert?", contract: { id: question.id } });
    expect(added(await nextWithin(staffStream)).message.id).toBe(askAboutOffer.message.id);

    const { requestOffer } = await c.app.request(RequestOfferDocument, { input: { customerId: customerId(c.customer), lineOfBusiness: "KFZ", body: "Zweitwagen ab März" } });
    expect(requestOffer.chat.id).toBe(chatId);
    expect(requestOffer.message).toMatchObject({ kind: "OFFER_REQUEST", contract: null });
    expect(requestOffer.message.body).toBe(`${LINE_OF_BUSINESS_LABELS.KFZ}: Zweitwagen ab März`);
    expect(added(await nextWithin(staffStream)).message.id).toBe(requestOffer.message.id);
    await staffStream.return?.();

    // One chat, three cards; the operator (the first responsible with CHAT) is notified of each, nobody else.
    expect(await openChatsOf(c.customer)).toBe(1);
    const { chat } = await firm.employeeClient.request(ChatDocument, { id: chatId, first: 10 });
    expect(chat.operator?.id).toBe(staffId(firm.employee));
    expect(chat.messages.edges.map((e) => e.node.kind)).toEqual(["OFFER_REQUEST", "OFFER_QUESTION", "OFFER_ACCEPTED"]);
    expect(await notifiedOf(chatId)).toEqual([firm.employee.id, firm.employee.id, firm.employee.id]);
    // The customer sees the cards in its chat too, and acceptedAt on the offer.
    expect((await c.app.request(ChatDocument, { id: chatId, first: 10 })).chat.messages.edges[2]!.node.contract?.id).toBe(offer.id);
    expect((await c.app.request(ContractDocument, { id: offer.id })).contract.acceptedAt).toEqual(expect.any(String));
  });

  it("E5: for a customer without responsible staff the offer message notifies every admin with CHAT; a refused accept writes no message", async () => {
    const firm = await f.buildFirm();
    const admin2 = await staffWith(firm, ["CHAT"], "ADMIN");
    const noChatAdmin = await staffWith(firm, ["CLAIMS"], "ADMIN");
    const c = await customerWithApp(firm);
    const offer = await addContract(firm, c.customer);
    await c.app.request(AcceptOfferDocument, { input: { contractId: offer.id } });
    const chatId = (await c.app.request(ChatsDocument, {})).chats.edges[0]!.node.id;
    expect(await notifiedOf(chatId)).toEqual(sorted(firm.admin.id, admin2.staff.id));
    expect(await notifiedOf(chatId)).not.toContain(noChatAdmin.staff.id);
    // Accepting twice is CONFLICT and puts nothing in the chat.
    await expectApiError(c.app.request(AcceptOfferDocument, { input: { contractId: offer.id } }), "CONFLICT");
    const active = await addContract(firm, c.customer, "AKTIV");
    await expectApiError(c.app.request(AskAboutOfferDocument, { input: { contractId: active.id, body: "Und das?" } }), "CONFLICT");
    expect(await messagesOf(chatId)).toBe(1);
    expect(await notifiedOf(chatId)).toHaveLength(2);
  });
});

describe("F1/C3: household access", () => {
  it("F1/C3: an account with household access chats for each customer it may access, one chat per customer; a revoked grant stops that customer's chat at once", async () => {
    const firm = await f.buildFirm();
    const c = await customerWithApp(firm);
    const member = await f.buildCustomer({ tenant: firm.tenant, firstName: "Haus", lastName: `Halt ${unique()}` });
    await f.grantAccess(c.account, member);
    const own = await say(c.app, c.customer, "Für mich");
    const forMember = await say(c.app, member, "Für meine Mitbewohnerin");
    expect(forMember.chat.id).not.toBe(own.chat.id);
    expect(forMember.chat.customer.id).toBe(customerId(member));
    expect((await say(c.app, member, "Noch etwas")).chat.id).toBe(forMember.chat.id);
    expect((await c.app.request(ChatsDocument, {})).chats.edges.map((e) => e.node.id).sort()).toEqual([own.chat.id, forMember.chat.id].sort());
    expect(await openChatsOf(member)).toBe(1);

    const stream = c.app.subscribe(MessageAddedDocument, { after: await t.headCursor(firm.tenant.id) });
    const before = await reply(firm.adminClient, forMember.chat.id, "Antwort für den Haushalt");
    expect(added(await nextWithin(stream)).message.id).toBe(before.message.id);

    await firm.employeeClient.request(RevokeCustomerAccessDocument, { input: { appAccountId: gid("AppAccount", c.account.id), customerId: customerId(member) } });
    // At once, without a new login: no sending, no list entry, no chat(id), no events of the member's chat.
    const count0 = await messagesOf(forMember.chat.id);
    await expectApiError(say(c.app, member, "Darf ich noch?"), "NOT_FOUND");
    expect(await messagesOf(forMember.chat.id)).toBe(count0);
    expect((await c.app.request(ChatsDocument, {})).chats.edges.map((e) => e.node.id)).toEqual([own.chat.id]);
    await expectApiError(c.app.request(ChatDocument, { id: forMember.chat.id }), "NOT_FOUND");
    await reply(firm.adminClient, forMember.chat.id, "Nicht mehr für dich");
    const mine = await reply(firm.adminClient, own.chat.id, "Für dich");
    expect(added(await nextWithin(stream)).message.id).toBe(mine.message.id);
    await stream.return?.();
  });
});

describe("Messages: retries, attachments, plain text, limits", () => {
  let firm: Firm;
  let c: Awaited<ReturnType<typeof customerWithApp>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    c = await customerWithApp(firm);
  });

  it("F1: a retried sendMessage (same clientMessageId) gives one message, replayed: true, one notification; other content with that id is CONFLICT IDEMPOTENCY_KEY_REUSED", async () => {
    const clientMessageId = crypto.randomUUID();
    const first = await say(c.app, c.customer, "Nur einmal bitte", { clientMessageId });
    expect(first.replayed).toBe(false);
    const again = await say(c.app, c.customer, "Nur einmal bitte", { clientMessageId });
    expect(again).toMatchObject({ replayed: true, message: { id: first.message.id, body: "Nur einmal bitte" }, chat: { id: first.chat.id } });
    expect(await messagesOf(first.chat.id)).toBe(1);
    expect(await notifiedOf(first.chat.id)).toHaveLength(1);
    const err = await expectApiError(say(c.app, c.customer, "Etwas anderes", { clientMessageId }), "CONFLICT");
    expect(err.fields).toEqual([expect.objectContaining({ field: "input.clientMessageId", rule: "IDEMPOTENCY_KEY_REUSED" })]);
    expect(await messagesOf(first.chat.id)).toBe(1);
    // Staff retries are theirs: the same id from the office is a message of its own.
    const staff = await reply(firm.adminClient, first.chat.id, "Antwort", { clientMessageId: crypto.randomUUID() });
    expect((await reply(firm.adminClient, first.chat.id, "Antwort", { clientMessageId: staff.message.id })).replayed).toBe(false);
  });

  it("F1/C3: attachments (DOCUMENT uploads) become documents of the customer visible in the app and download byte for byte; staff attachments too", async () => {
    const pdf = await upload(c.app, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: "Rechnung März.pdf" });
    const png = await upload(c.app, { purpose: "DOCUMENT", bytes: PNG, contentType: "image/png", fileName: "foto.png" });
    const { message, chat } = await say(c.app, c.customer, "", { attachmentFileIds: [pdf.fileId, png.fileId] });
    expect(message.body).toBe("");
    expect(message.attachments.map((a) => a.title)).toEqual(["Rechnung März.pdf", "foto.png"]);
    for (const [i, a] of message.attachments.entries()) {
      const got = await download(a.downloadUrl);
      expect(got.status).toBe(200);
      expect(got.bytes.equals([PDF, PNG][i]!)).toBe(true);
    }
    const appDocs = await c.app.request(DocumentsDocument, { customerId: customerId(c.customer) });
    const ids = message.attachments.map((a) => a.id);
    expect(appDocs.documents.edges.filter((e) => ids.includes(e.node.id)).map((e) => e.node.visibleToCustomer)).toEqual([true, true]);
    // Staff see them as the customer's documents.
    const staffDocs = await firm.adminClient.request(DocumentsDocument, { customerId: customerId(c.customer) });
    expect(staffDocs.documents.edges.map((e) => e.node.id)).toEqual(expect.arrayContaining(ids));

    const fromStaff = await upload(firm.adminClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: "Police.pdf" });
    const sent = await reply(firm.adminClient, chat.id, "Anbei die Police", { attachmentFileIds: [fromStaff.fileId] });
    const { node } = await c.app.request(DocumentDownloadDocument, { id: sent.message.attachments[0]!.id });
    expect(node).toMatchObject({ id: sent.message.attachments[0]!.id, downloadUrl: expect.any(String) });
    expect((await download((node as { downloadUrl: string }).downloadUrl)).bytes.equals(PDF)).toBe(true);
  });

  it("C3: an upload of another account, or of staff, is NOT_FOUND as an attachment, and nothing is written", async () => {
    const neighbour = await customerWithApp(firm);
    const theirs = await upload(neighbour.app, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: "fremd.pdf" });
    const staffs = await upload(firm.adminClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: "buero.pdf" });
    const fresh = await customerWithApp(firm);
    for (const fileId of [theirs.fileId, staffs.fileId]) {
      await expectApiError(say(fresh.app, fresh.customer, "Mit fremdem Anhang", { attachmentFileIds: [fileId] }), "NOT_FOUND");
    }
    expect(await openChatsOf(fresh.customer)).toBe(0);
    expect((await db().select().from(documents).where(eq(documents.customerId, fresh.customer.id))).length).toBe(0);
    // The neighbour may still use its own upload.
    expect((await say(neighbour.app, neighbour.customer, "Meins", { attachmentFileIds: [theirs.fileId] })).message.attachments).toHaveLength(1);
  });

  it("F1: text is plain: HTML comes back verbatim, never interpreted; empty or oversized text is refused and opens no chat", async () => {
    const html = `<script>alert("x")</script> <b>fett</b> &amp; &lt; 'quote' ${"ä".repeat(3)}`;
    const fresh = await customerWithApp(firm);
    for (const body of ["", "   \n  "]) {
      const err = await expectApiError(say(fresh.app, fresh.customer, body), "BAD_USER_INPUT");
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.body", rule: "REQUIRED" })]);
    }
    const tooLong = await expectApiError(say(fresh.app, fresh.customer, "x".repeat(MAX_MESSAGE_LENGTH + 1)), "BAD_USER_INPUT");
    expect(tooLong.fields.map((p) => p.field)).toContain("input.body");
    expect(await openChatsOf(fresh.customer)).toBe(0);
    const sent = await say(fresh.app, fresh.customer, html);
    expect(sent.message.body).toBe(html);
    const { chat } = await firm.adminClient.request(ChatDocument, { id: sent.chat.id, first: 1 });
    expect(chat.messages.edges[0]!.node.body).toBe(html);
    expect(chat.lastMessage?.body).toBe(html);
    expect((await say(fresh.app, fresh.customer, "y".repeat(MAX_MESSAGE_LENGTH))).message.body).toHaveLength(MAX_MESSAGE_LENGTH);
  });
});

describe("F6/F7: the staff inbox and what a chat leads to", () => {
  it("F6: open or archived, all or only the viewer's own, newest or oldest activity first, searched by customer name; F7: the customer's contracts, risks and claims through fields", async () => {
    const firm = await f.buildFirm();
    const names = [`Anna Zebra${unique()}`, `Bert Zebra${unique()}`, `Cora Yak${unique()}`];
    const made: Array<{ chatId: string; customer: Customer }> = [];
    for (const [i, name] of names.entries()) {
      const c = await customerWithApp(firm, { firstName: name.split(" ")[0], lastName: name.split(" ")[1] });
      if (i === 1) await setResponsible(firm, c.customer, [firm.employee]);
      made.push({ chatId: (await say(c.app, c.customer, `Von ${name}`)).chat.id, customer: c.customer });
      t.clock.advance(60_000);
    }
    const ids = made.map((m) => m.chatId);
    const list = async (vars: ChatsQueryVariables) => (await firm.employeeClient.request(ChatsDocument, vars)).chats.edges.map((e) => e.node.id);
    expect(await list({})).toEqual([ids[2], ids[1], ids[0]]);
    expect(await list({ orderBy: "LAST_ACTIVITY_OLDEST" })).toEqual([ids[0], ids[1], ids[2]]);
    expect(await list({ mine: true })).toEqual([ids[1]]);
    expect(await list({ search: "zEBRa" })).toEqual([ids[1], ids[0]]);
    expect(await list({ search: names[2]!.slice(2, 8).toUpperCase() })).toEqual([ids[2]]);
    // A new message moves a chat to the top.
    await reply(firm.adminClient, ids[0]!, "Nach oben");
    expect(await list({})).toEqual([ids[0], ids[2], ids[1]]);
    await firm.adminClient.request(ArchiveChatDocument, { input: { chatId: ids[2]!, storeTranscript: false } });
    expect(await list({})).toEqual([ids[0], ids[1]]);
    expect(await list({ status: "ARCHIVED" })).toEqual([ids[2]]);

    const contract = await addContract(firm, made[0]!.customer, "AKTIV");
    const { chat } = await firm.adminClient.request(ChatWithCustomerDocument, { id: ids[0]! });
    expect(chat.customer).toMatchObject({ id: customerId(made[0]!.customer), name: names[0], claims: [], risks: [] });
    expect(chat.customer.contracts.map((k) => k.id)).toEqual([contract.id]);
  });
});

describe("issue 14: what a message costs", () => {
  it("F3: a customer's message names the customer in the operator's notification, in 8 statements with the session's", async () => {
    const firm = await f.buildFirm();
    const h = await f.buildHousehold(firm.tenant);
    const SEND = parse(`mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { message { id createdAt } } }`) as TypedDocumentNode<
      { sendMessage: { message: { id: string } } },
      { input: { customerId: string; body: string; clientMessageId: string } }
    >;
    const send = (body: string) => h.app.request(SEND, { input: { customerId: gid("Customer", h.own.id), body, clientMessageId: crypto.randomUUID() } });
    await send("Erste Nachricht"); // opens the chat
    const statements = await t.countStatements(() => send("Zweite Nachricht"));
    // The session, the request's key, the customer (read once), the open chat, the message with the chat's activity
    // and the author's read mark, the recipients, their notification, and its two events with the firm's lock.
    expect(statements).toBe(8);
    const notes = await db().select().from(notifications).where(and(eq(notifications.tenantId, firm.tenant.id), eq(notifications.kind, "CHAT_MESSAGE")));
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) expect(`${n.title} ${n.body}`).toContain(`${h.own.firstName} ${h.own.lastName}`);
  });
});
