/**
 * Who may call the chat module's operations, and what of another firm or customer they must not reach: chats, their
 * messages and attachments, and their events (rules B1, C3, E5, F1-F9; run by src/test/isolation.test.ts). Staff work
 * with chats only with the CHAT permission; app accounts chat for the customers they may access.
 */
import crypto from "node:crypto";
import { expect } from "vitest";
import { eq, inArray } from "drizzle-orm";
import {
  ArchiveChatDocument,
  AskAboutOfferDocument,
  ChatChangedDocument,
  ChatDocument,
  ChatSettingsDocument,
  ChatsDocument,
  GrantCustomerAccessDocument,
  MarkChatReadDocument,
  MessageAddedDocument,
  NodeDocument,
  RequestOfferDocument,
  RevokeCustomerAccessDocument,
  SendMessageDocument,
  SetChatOperatorDocument,
  StartChatDocument,
  UnreadMessageCountDocument,
  UpdateChatSettingsDocument,
  type KundenappClient,
  type SendMessageInput,
} from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { uniqueName, type AccessWorld, type Firm, type ForeignEvent, type ModuleAccess, type Subscriber } from "../../test/access-registry.js";
import { nextWithin } from "../../test/realtime.js";
import { chatMessages, chats } from "./chat.table.js";

const gid = (type: string, id: string) => toGlobalId(type, id);

/** sendMessage with a fresh client message id; returns the message's global ID. */
async function send(c: KundenappClient, input: Omit<SendMessageInput, "clientMessageId" | "body">): Promise<string> {
  const { sendMessage } = await c.request(SendMessageDocument, { input: { clientMessageId: crypto.randomUUID(), body: uniqueName("Iso-Nachricht"), ...input } });
  return sendMessage.message.id;
}

/**
 * A message in the chat of firm `own`'s `customer` (or `other`): staff name the chat, app accounts the customer, so
 * the call names both and each kind uses its own.
 */
const sendAs = (c: KundenappClient, own: Firm, w: AccessWorld, whose: "customer" | "other") =>
  send(c, whose === "customer" ? { chatId: gid("Chat", w.of(own).chat), customerId: gid("Customer", w.of(own).customer) } : { chatId: gid("Chat", w.of(own).otherChat), customerId: gid("Customer", w.of(own).other) });

/** The open chat of a customer of firm A (global ID), opened by firm A's admin if it has none (the customer has an ACTIVE app account). */
async function openChatOf(w: AccessWorld, customerId: string): Promise<string> {
  const { startChat } = await w.a.adminClient.request(StartChatDocument, { input: { customerId: gid("Customer", customerId) } });
  return startChat.chat.id;
}

/** Global IDs of chats or messages: all of a firm's, or those of some customers (what their app account may see). */
async function chatsOfFirm(firmId: string, w: AccessWorld): Promise<string[]> {
  return (await w.db().select({ id: chats.id }).from(chats).where(eq(chats.tenantId, firmId))).map((r) => gid("Chat", r.id));
}
async function chatsOfCustomers(customerIds: string[], w: AccessWorld): Promise<string[]> {
  if (!customerIds.length) return [];
  return (await w.db().select({ id: chats.id }).from(chats).where(inArray(chats.customerId, customerIds))).map((r) => gid("Chat", r.id));
}
async function messagesOfFirm(firmId: string, w: AccessWorld): Promise<string[]> {
  return (await w.db().select({ id: chatMessages.id }).from(chatMessages).where(eq(chatMessages.tenantId, firmId))).map((r) => gid("Message", r.id));
}
async function messagesOfCustomers(customerIds: string[], w: AccessWorld): Promise<string[]> {
  if (!customerIds.length) return [];
  const rows = await w
    .db()
    .select({ id: chatMessages.id })
    .from(chatMessages)
    .innerJoin(chats, eq(chats.id, chatMessages.chatId))
    .where(inArray(chats.customerId, customerIds));
  return rows.map((r) => gid("Message", r.id));
}

/** Every message of every chat a client lists (the history of each, newest first). */
async function listedMessages(c: KundenappClient): Promise<string[]> {
  const { chats: page } = await c.request(ChatsDocument, { first: 100 });
  const ids: string[] = [];
  for (const { node } of page.edges) {
    const { chat } = await c.request(ChatDocument, { id: node.id, first: 100 });
    ids.push(...chat.messages.edges.map((e) => e.node.id));
  }
  return ids;
}

/** Opens a chat stream from the start of the log; each event reads as its message's global ID (messageAdded) or its chat's (chatChanged). */
function chatStream(client: KundenappClient, topic: "messageAdded" | "chatChanged", raiseOwn: () => Promise<string>): Subscriber {
  const stream: AsyncIterator<{ messageAdded?: { message: { id: string } }; chatChanged?: { chat: { id: string } } }> =
    topic === "messageAdded" ? client.subscribe(MessageAddedDocument, { after: "0" }) : client.subscribe(ChatChangedDocument, { after: "0" });
  return {
    next: async () => {
      const r = await nextWithin(stream);
      if (r.done) return "(stream ended)";
      return r.value.messageAdded ? r.value.messageAdded.message.id : r.value.chatChanged!.chat.id;
    },
    raiseOwn,
    close: async () => {
      await stream.return?.();
      await client.close();
    },
  };
}

/** A fresh customer of the firm with a logged-in app account of its own. */
async function customerWithApp(w: AccessWorld, firm: Firm) {
  const customer = await w.f.buildCustomer({ tenant: firm.tenant });
  const account = await w.f.buildAppAccount({ customer });
  return { customer, account, client: await w.f.appClient(account), customerId: gid("Customer", customer.id) };
}

/**
 * A subscriber's own event: its customer's message (messageAdded), or its chat handed over (chatChanged). For the
 * latter the chat is opened now, before subscribing, by a message: opening announces no chatChanged, so a replay from
 * the start holds none of it (for messageAdded nothing is written before).
 */
async function ownEvents(topic: "messageAdded" | "chatChanged", firm: Firm, writer: { client: KundenappClient; customerId: string }): Promise<() => Promise<string>> {
  if (topic === "messageAdded") return () => send(writer.client, { customerId: writer.customerId });
  const chatId = (await writer.client.request(SendMessageDocument, { input: { clientMessageId: crypto.randomUUID(), customerId: writer.customerId, body: "Hallo" } })).sendMessage.chat.id;
  return () => handOver(firm, chatId);
}

/** The firm's admin hands a chat to itself: a chatChanged event of that chat (returns its global ID). */
async function handOver(firm: Firm, chatId: string): Promise<string> {
  await firm.adminClient.request(SetChatOperatorDocument, { input: { chatId, staffUserId: gid("StaffUser", firm.admin.id) } });
  return chatId;
}

/** Firm B's event of the kind: its customer writes (messageAdded), or its admin hands over its chat (chatChanged). */
async function foreignEvent(w: AccessWorld, topic: "messageAdded" | "chatChanged"): Promise<void> {
  if (topic === "chatChanged") return void (await handOver(w.b, gid("Chat", w.of(w.b).chat)));
  await send(w.b.adminClient, { chatId: gid("Chat", w.of(w.b).chat) });
}

/** Rules F9 and B1 for staff: a fresh firm's staff user holding CHAT hears of the firm's chats, never of another firm's. */
function openForStaff(topic: "messageAdded" | "chatChanged") {
  return async (w: AccessWorld) => {
    const firm = await w.f.buildFirm();
    const raiseOwn = await ownEvents(topic, firm, await customerWithApp(w, firm));
    const staff = await w.f.staffClient(await w.f.buildStaff({ tenant: firm.tenant, permissions: ["CHAT"] }));
    return { subscriber: chatStream(staff, topic, raiseOwn), raiseForeign: () => foreignEvent(w, topic) };
  };
}

/**
 * Rules C3/F9: an app account hears of its customers' chats only. A fresh account of a fresh customer of firm A
 * subscribes (no history); its own event is its message (messageAdded) or its chat handed over (chatChanged).
 */
function openForApp(topic: "messageAdded" | "chatChanged") {
  return async (w: AccessWorld, foreign: ForeignEvent) => {
    const { a } = w;
    const own = await customerWithApp(w, a);
    const { account, client } = own;
    const subscriber = chatStream(client, topic, await ownEvents(topic, a, own));
    const household = async (grant: boolean, customerId: string) => {
      const input = { appAccountId: gid("AppAccount", account.id), customerId: gid("Customer", customerId) };
      if (grant) await a.employeeClient.request(GrantCustomerAccessDocument, { input });
      else await a.employeeClient.request(RevokeCustomerAccessDocument, { input });
    };
    const raiseForeign = async () => {
      if (foreign === "another firm") return foreignEvent(w, topic);
      // The office writes in (or hands over) another customer's chat.
      if (foreign === "another customer") {
        const chatId = gid("Chat", w.of(a).chat);
        return void (topic === "messageAdded" ? await send(a.adminClient, { chatId }) : await handOver(a, chatId));
      }
      // Revoked household grant: while granted, the member's chat reaches it (its own event); once revoked, no more.
      const member = await w.f.buildCustomer({ tenant: a.tenant });
      await household(true, member.id);
      const { sendMessage } = await client.request(SendMessageDocument, { input: { clientMessageId: crypto.randomUUID(), customerId: gid("Customer", member.id), body: "Für den Haushalt" } });
      const whileGranted = topic === "messageAdded" ? sendMessage.message.id : await handOver(a, sendMessage.chat.id);
      expect(await subscriber.next()).toBe(whileGranted);
      await household(false, member.id);
      if (topic === "messageAdded") await send(a.adminClient, { chatId: sendMessage.chat.id });
      else await handOver(a, sendMessage.chat.id);
    };
    return { subscriber, raiseForeign };
  };
}

export const chatAccess: ModuleAccess = {
  operations: [
    { name: "chats", access: "staff", permission: "CHAT", app: "ok", call: (c) => c.request(ChatsDocument, { first: 10 }) },
    { name: "chat", access: "staff", permission: "CHAT", app: "ok", call: (c, own, w) => c.request(ChatDocument, { id: gid("Chat", w.of(own).chat) }) },
    { name: "chat(another customer)", access: "staff", permission: "CHAT", app: "hidden", call: (c, own, w) => c.request(ChatDocument, { id: gid("Chat", w.of(own).otherChat) }) },
    // node(id) answers NOT_FOUND, not FORBIDDEN, for a type the viewer may not read: no permission row.
    { name: "node(Chat)", access: "staff", app: "ok", call: (c, own, w) => c.request(NodeDocument, { id: gid("Chat", w.of(own).chat) }) },
    { name: "node(Chat of another customer)", access: "staff", app: "hidden", call: (c, own, w) => c.request(NodeDocument, { id: gid("Chat", w.of(own).otherChat) }) },
    { name: "node(Message)", access: "staff", app: "ok", call: (c, own, w) => c.request(NodeDocument, { id: gid("Message", w.of(own).message) }) },
    { name: "node(Message of another customer)", access: "staff", app: "hidden", call: (c, own, w) => c.request(NodeDocument, { id: gid("Message", w.of(own).otherMessage) }) },
    { name: "unreadMessageCount", access: "staff", permission: "CHAT", app: "ok", call: (c) => c.request(UnreadMessageCountDocument, {}) },
    { name: "chatSettings", access: "admin", permission: "CHAT", call: (c) => c.request(ChatSettingsDocument, {}) },
    { name: "sendMessage", access: "staff", permission: "CHAT", app: "ok", call: (c, own, w) => sendAs(c, own, w, "customer") },
    { name: "sendMessage(another customer)", access: "staff", permission: "CHAT", app: "hidden", call: (c, own, w) => sendAs(c, own, w, "other") },
    { name: "startChat", access: "staff", permission: "CHAT", call: (c, own, w) => c.request(StartChatDocument, { input: { customerId: gid("Customer", w.of(own).customer) } }) },
    {
      name: "setChatOperator",
      access: "staff",
      permission: "CHAT",
      call: (c, own, w) => c.request(SetChatOperatorDocument, { input: { chatId: gid("Chat", w.of(own).chat), staffUserId: gid("StaffUser", own.admin.id) } }),
    },
    {
      name: "markChatRead",
      access: "staff",
      permission: "CHAT",
      app: "ok",
      call: (c, own, w) => c.request(MarkChatReadDocument, { input: { chatId: gid("Chat", w.of(own).chat), upToMessageId: gid("Message", w.of(own).message) } }),
    },
    {
      name: "markChatRead(another customer)",
      access: "staff",
      permission: "CHAT",
      app: "hidden",
      call: (c, own, w) => c.request(MarkChatReadDocument, { input: { chatId: gid("Chat", w.of(own).otherChat), upToMessageId: gid("Message", w.of(own).otherMessage) } }),
    },
    {
      name: "archiveChat",
      access: "staff",
      permission: "CHAT",
      call: (c, own, w) => c.request(ArchiveChatDocument, { input: { chatId: gid("Chat", w.of(own).archivable[1]) } }),
    },
    { name: "updateChatSettings", access: "admin", permission: "CHAT", call: (c) => c.request(UpdateChatSettingsDocument, { input: { storeTranscriptByDefault: true } }) },
    // Rule E5: the app's offer actions, as chat messages.
    {
      name: "askAboutOffer",
      access: "app",
      app: "ok",
      call: (c, own, w) => c.request(AskAboutOfferDocument, { input: { contractId: gid("Contract", w.of(own).offers[1]), body: uniqueName("Frage") } }),
    },
    {
      name: "askAboutOffer(hidden)",
      access: "app",
      app: "hidden",
      call: (c, own, w) => c.request(AskAboutOfferDocument, { input: { contractId: gid("Contract", w.of(own).hiddenContract), body: uniqueName("Frage") } }),
    },
    {
      name: "askAboutOffer(another customer)",
      access: "app",
      app: "hidden",
      call: (c, own, w) => c.request(AskAboutOfferDocument, { input: { contractId: gid("Contract", w.of(own).otherContract), body: uniqueName("Frage") } }),
    },
    {
      name: "requestOffer",
      access: "app",
      app: "ok",
      call: (c, own, w) => c.request(RequestOfferDocument, { input: { customerId: gid("Customer", w.of(own).customer), lineOfBusiness: "HAUSRAT", body: uniqueName("Wunsch") } }),
    },
    {
      name: "requestOffer(another customer)",
      access: "app",
      app: "hidden",
      call: (c, own, w) => c.request(RequestOfferDocument, { input: { customerId: gid("Customer", w.of(own).other), body: uniqueName("Wunsch") } }),
    },
  ],
  byId: [
    { name: "node(id) of a Chat", argument: "node.id", type: "Chat", objectOf: (firm, w) => w.of(firm).chat, call: (c, id) => c.request(NodeDocument, { id }) },
    { name: "node(id) of a Message", argument: "node.id", type: "Message", objectOf: (firm, w) => w.of(firm).message, call: (c, id) => c.request(NodeDocument, { id }) },
    { name: "chat", argument: "chat.id", type: "Chat", objectOf: (firm, w) => w.of(firm).chat, call: (c, id) => c.request(ChatDocument, { id }) },
    { name: "sendMessage (chat)", argument: "sendMessage.input.chatId", type: "Chat", objectOf: (firm, w) => w.of(firm).chat, call: (c, id) => send(c, { chatId: id }) },
    // Only app accounts name the customer: firm A's app account asks, for firm B's object, none, and one of its own.
    { name: "sendMessage (customer)", argument: "sendMessage.input.customerId", type: "Customer", objectOf: (firm, w) => w.of(firm).customer, call: (c, id) => send(c, { customerId: id }), as: "app" },
    {
      name: "sendMessage (attachment)",
      argument: "sendMessage.input.attachmentFileIds",
      type: "File",
      objectOf: (firm, w) => w.of(firm).chatFile,
      call: (c, id, w) => send(c, { customerId: gid("Customer", w.of(w.a).customer), attachmentFileIds: [id] }),
      as: "app",
    },
    { name: "startChat", argument: "startChat.input.customerId", type: "Customer", objectOf: (firm, w) => w.of(firm).customer, call: (c, id) => c.request(StartChatDocument, { input: { customerId: id } }) },
    {
      name: "setChatOperator (chat)",
      argument: "setChatOperator.input.chatId",
      type: "Chat",
      objectOf: (firm, w) => w.of(firm).chat,
      call: (c, id, w) => c.request(SetChatOperatorDocument, { input: { chatId: id, staffUserId: gid("StaffUser", w.a.admin.id) } }),
    },
    {
      name: "setChatOperator (staff user)",
      argument: "setChatOperator.input.staffUserId",
      type: "StaffUser",
      objectOf: (firm) => firm.admin.id,
      call: (c, id, w) => c.request(SetChatOperatorDocument, { input: { chatId: gid("Chat", w.of(w.a).chat), staffUserId: id } }),
    },
    {
      name: "markChatRead (chat)",
      argument: "markChatRead.input.chatId",
      type: "Chat",
      objectOf: (firm, w) => w.of(firm).chat,
      call: (c, id, w) => c.request(MarkChatReadDocument, { input: { chatId: id, upToMessageId: gid("Message", w.of(w.a).message) } }),
    },
    {
      name: "markChatRead (message)",
      argument: "markChatRead.input.upToMessageId",
      type: "Message",
      objectOf: (firm, w) => w.of(firm).message,
      call: (c, id, w) => c.request(MarkChatReadDocument, { input: { chatId: gid("Chat", w.of(w.a).chat), upToMessageId: id } }),
    },
    {
      name: "archiveChat (chat)",
      argument: "archiveChat.input.chatId",
      type: "Chat",
      objectOf: (firm, w) => w.of(firm).archivable[0],
      call: (c, id) => c.request(ArchiveChatDocument, { input: { chatId: id } }),
    },
    {
      // The transcript goes to a contract of the chat's customer: `other`'s chat (reopened by the admin when archived before).
      name: "archiveChat (contract)",
      argument: "archiveChat.input.contractId",
      type: "Contract",
      objectOf: (firm, w) => w.of(firm).otherContract,
      call: async (c, id, w) => c.request(ArchiveChatDocument, { input: { chatId: await openChatOf(w, w.of(w.a).other), contractId: id } }),
    },
    {
      name: "archiveChat (claim)",
      argument: "archiveChat.input.claimId",
      type: "Claim",
      objectOf: (firm, w) => w.of(firm).otherClaim,
      call: async (c, id, w) => c.request(ArchiveChatDocument, { input: { chatId: await openChatOf(w, w.of(w.a).other), claimId: id } }),
    },
    {
      name: "askAboutOffer",
      argument: "askAboutOffer.input.contractId",
      type: "Contract",
      objectOf: (firm, w) => w.of(firm).offers[0],
      call: (c, id) => c.request(AskAboutOfferDocument, { input: { contractId: id, body: "Was kostet das?" } }),
      as: "app",
    },
    {
      name: "requestOffer",
      argument: "requestOffer.input.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).customer,
      call: (c, id) => c.request(RequestOfferDocument, { input: { customerId: id, body: "Eine Haftpflicht bitte" } }),
      as: "app",
    },
  ],
  lists: [
    {
      name: "chats",
      permission: "CHAT",
      listed: async (c) => (await c.request(ChatsDocument, { first: 100 })).chats.edges.map((e) => e.node.id),
      rowsOf: chatsOfFirm,
      app: { rowsOfCustomers: chatsOfCustomers },
    },
    {
      name: "Chat.messages",
      permission: "CHAT",
      listed: listedMessages,
      rowsOf: messagesOfFirm,
      app: { rowsOfCustomers: messagesOfCustomers },
    },
  ],
  subscriptions: [
    {
      name: "messageAdded(app)",
      audience: "app",
      cases: ["another firm", "another customer", "a revoked household grant"],
      subscribeOnce: (c) => nextWithin(c.subscribe(MessageAddedDocument, {})),
      open: openForApp("messageAdded"),
    },
    {
      name: "messageAdded(staff)",
      audience: "staff",
      cases: ["another firm"],
      subscribeOnce: (c) => nextWithin(c.subscribe(MessageAddedDocument, {})),
      open: openForStaff("messageAdded"),
    },
    {
      name: "chatChanged(app)",
      audience: "app",
      cases: ["another firm", "another customer", "a revoked household grant"],
      subscribeOnce: (c) => nextWithin(c.subscribe(ChatChangedDocument, {})),
      open: openForApp("chatChanged"),
    },
    {
      name: "chatChanged(staff)",
      audience: "staff",
      cases: ["another firm"],
      subscribeOnce: (c) => nextWithin(c.subscribe(ChatChangedDocument, {})),
      open: openForStaff("chatChanged"),
    },
  ],
  open: [],
  pending: [],
};
