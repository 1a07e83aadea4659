/** Bad inputs to the mutations of the chat module: each gets a clear error and changes nothing (run by src/test/bad-input.test.ts). */
import crypto from "node:crypto";
import {
  ArchiveChatDocument,
  AskAboutOfferDocument,
  MarkChatReadDocument,
  RequestOfferDocument,
  SendMessageDocument,
  SetChatOperatorDocument,
  StartChatDocument,
  UpdateChatSettingsDocument,
  type ArchiveChatInput,
  type AskAboutOfferInput,
  type KundenappClient,
  type MarkChatReadInput,
  type RequestOfferInput,
  type SendMessageInput,
  type SetChatOperatorInput,
  type StartChatInput,
} from "../../sdk/client.js";
import { long, many, randomId, raw, type BadInputRows, type World } from "../../test/bad-input-registry.js";
import { MAX_ATTACHMENTS, MAX_MESSAGE_LENGTH } from "./chat.types.js";

/** A message by the world's app account for its own customer (fresh client message id), and what the case changes. */
const say = (w: World, input: Partial<SendMessageInput>) =>
  w.app.request(SendMessageDocument, { input: { clientMessageId: crypto.randomUUID(), customerId: w.accountCustomer, body: "Guten Tag", ...input } });
/** A reply by the admin (who holds CHAT) in the customer's open chat. */
const reply = (w: World, input: Partial<SendMessageInput>) =>
  w.firm.adminClient.request(SendMessageDocument, { input: { clientMessageId: crypto.randomUUID(), chatId: w.chats.chat, body: "Antwort", ...input } });
const attach = (w: World, as: "app" | "staff", attachmentFileIds: string[]) => (as === "app" ? say(w, { attachmentFileIds }) : reply(w, { attachmentFileIds }));
const start = (w: World, input: Partial<StartChatInput>) => w.firm.adminClient.request(StartChatDocument, { input: { customerId: w.accountCustomer, ...input } });
const operator = (w: World, input: Partial<SetChatOperatorInput>) =>
  w.firm.adminClient.request(SetChatOperatorDocument, { input: { chatId: w.chats.chat, staffUserId: w.chats.noChatStaff, ...input } });
const markRead = (client: KundenappClient, w: World, input: Partial<MarkChatReadInput>) =>
  client.request(MarkChatReadDocument, { input: { chatId: w.chats.chat, upToMessageId: w.chats.message, ...input } });
const archive = (w: World, input: Partial<ArchiveChatInput>) => w.firm.adminClient.request(ArchiveChatDocument, { input: { chatId: w.chats.chat, ...input } });
const ask = (w: World, input: Partial<AskAboutOfferInput>) => w.app.request(AskAboutOfferDocument, { input: { contractId: w.contracts.accepted, body: "Was kostet das?", ...input } });
const request = (w: World, input: Partial<RequestOfferInput>) => w.app.request(RequestOfferDocument, { input: { customerId: w.accountCustomer, body: "Eine Hausratversicherung", ...input } });

export const chatBadInput: BadInputRows = {
  sendMessage: [
    ["empty text without attachments", (w) => say(w, { body: "" }), "BAD_USER_INPUT", "input.body"],
    ["blank text without attachments", (w) => say(w, { body: " \n\t " }), "BAD_USER_INPUT", "input.body"],
    ["too long text", (w) => say(w, { body: long(MAX_MESSAGE_LENGTH + 1) }), "BAD_USER_INPUT", "input.body"],
    ["too long text from staff", (w) => reply(w, { body: long(MAX_MESSAGE_LENGTH + 1) }), "BAD_USER_INPUT", "input.body"],
    ["empty client message id", (w) => say(w, { clientMessageId: "" }), "BAD_USER_INPUT", "input.clientMessageId"],
    ["too short client message id", (w) => say(w, { clientMessageId: "abc" }), "BAD_USER_INPUT", "input.clientMessageId"],
    ["too long client message id", (w) => say(w, { clientMessageId: long(101) }), "BAD_USER_INPUT", "input.clientMessageId"],
    ["missing client message id", (w) => say(w, { clientMessageId: raw<string>(undefined) }), "BAD_USER_INPUT", "input.clientMessageId"],
    ["a client message id used before with other text", (w) => say(w, { clientMessageId: w.chats.clientMessageId, body: "Ganz anders" }), "CONFLICT", "input.clientMessageId"],
    ["app: no customer", (w) => say(w, { customerId: null }), "BAD_USER_INPUT", "input.customerId"],
    ["app: malformed customer id", (w) => say(w, { customerId: "abc" }), "BAD_USER_INPUT", "input.customerId"],
    ["app: unknown customer", (w) => say(w, { customerId: randomId("Customer") }), "NOT_FOUND"],
    ["app: a customer the account may not access", (w) => say(w, { customerId: w.customer }), "NOT_FOUND"],
    ["app: customer id of another type", (w) => say(w, { customerId: w.chats.chat }), "NOT_FOUND"],
    ["staff: no chat", (w) => reply(w, { chatId: null }), "BAD_USER_INPUT", "input.chatId"],
    ["staff: malformed chat id", (w) => reply(w, { chatId: "abc" }), "BAD_USER_INPUT", "input.chatId"],
    ["staff: unknown chat", (w) => reply(w, { chatId: randomId("Chat") }), "NOT_FOUND"],
    ["staff: a chat of another firm", (w) => reply(w, { chatId: w.chats.foreignChat }), "NOT_FOUND"],
    ["staff: an archived chat", (w) => reply(w, { chatId: w.chats.archived }), "CONFLICT", "input.chatId"],
    ["staff: chat id of another type", (w) => reply(w, { chatId: w.accountCustomer }), "NOT_FOUND"],
    [`${MAX_ATTACHMENTS + 1} attachments`, (w) => attach(w, "app", many(MAX_ATTACHMENTS + 1, w.file.apps)), "BAD_USER_INPUT", "input.attachmentFileIds"],
    ["an attachment twice", (w) => attach(w, "app", many(2, w.file.apps)), "BAD_USER_INPUT", "input.attachmentFileIds"],
    ["malformed attachment id", (w) => attach(w, "app", [w.file.apps, "abc"]), "BAD_USER_INPUT", "input.attachmentFileIds.1"],
    ["unknown attachment", (w) => attach(w, "app", [w.file.apps, randomId("File")]), "NOT_FOUND"],
    ["an upload of another customer's app account", (w) => attach(w, "app", [w.chats.neighbourUpload]), "NOT_FOUND"],
    ["an upload of staff, sent by the app", (w) => attach(w, "app", [w.file.stored]), "NOT_FOUND"],
    ["an upload of another staff user", (w) => attach(w, "staff", [w.file.employees]), "NOT_FOUND"],
    ["a claim photo as an attachment", (w) => attach(w, "app", [w.claims.photo]), "BAD_USER_INPUT", "input.attachmentFileIds.0"],
    ["a logo as an attachment", (w) => attach(w, "staff", [w.file.logo]), "BAD_USER_INPUT", "input.attachmentFileIds.0"],
    ["an attachment whose bytes never arrived", (w) => attach(w, "staff", [w.file.pending]), "BAD_USER_INPUT", "input.attachmentFileIds.0"],
    ["a file attached to a document already", (w) => attach(w, "staff", [w.file.stored, w.file.attached]), "BAD_USER_INPUT", "input.attachmentFileIds.1"],
    ["unknown field", (w) => say(w, raw<Partial<SendMessageInput>>({ fromCustomer: false })), "BAD_USER_INPUT", "input.fromCustomer"],
  ],
  startChat: [
    ["empty customer id", (w) => start(w, { customerId: "" }), "BAD_USER_INPUT", "input.customerId"],
    ["malformed customer id", (w) => start(w, { customerId: "abc" }), "BAD_USER_INPUT", "input.customerId"],
    ["unknown customer", (w) => start(w, { customerId: randomId("Customer") }), "NOT_FOUND"],
    ["customer id of another type", (w) => start(w, { customerId: w.account }), "NOT_FOUND"],
    ["a customer without an app account", (w) => start(w, { customerId: w.customer }), "CONFLICT", "input.customerId"],
    ["a customer to invite, without a login yet", (w) => start(w, { customerId: w.invitee }), "CONFLICT", "input.customerId"],
    ["unknown field", (w) => start(w, raw<Partial<StartChatInput>>({ operatorId: w.chats.noChatStaff })), "BAD_USER_INPUT", "input.operatorId"],
  ],
  setChatOperator: [
    ["empty chat id", (w) => operator(w, { chatId: "" }), "BAD_USER_INPUT", "input.chatId"],
    ["malformed chat id", (w) => operator(w, { chatId: "abc" }), "BAD_USER_INPUT", "input.chatId"],
    ["unknown chat", (w) => operator(w, { chatId: randomId("Chat") }), "NOT_FOUND"],
    ["a chat of another firm", (w) => operator(w, { chatId: w.chats.foreignChat, staffUserId: w.chats.foreignStaff }), "NOT_FOUND"],
    ["an archived chat", (w) => operator(w, { chatId: w.chats.archived, staffUserId: w.chats.noChatStaff }), "CONFLICT", "input.chatId"],
    ["an operator without CHAT", (w) => operator(w, { staffUserId: w.chats.noChatStaff }), "BAD_USER_INPUT", "input.staffUserId"],
    ["a deactivated operator with CHAT", (w) => operator(w, { staffUserId: w.chats.inactiveChatStaff }), "BAD_USER_INPUT", "input.staffUserId"],
    ["a deactivated operator without CHAT", (w) => operator(w, { staffUserId: w.deactivatedStaff }), "BAD_USER_INPUT", "input.staffUserId"],
    ["a staff user of another firm", (w) => operator(w, { staffUserId: w.chats.foreignStaff }), "NOT_FOUND"],
    ["malformed staff user id", (w) => operator(w, { staffUserId: "abc" }), "BAD_USER_INPUT", "input.staffUserId"],
    ["unknown staff user", (w) => operator(w, { staffUserId: randomId("StaffUser") }), "NOT_FOUND"],
    ["staff user id of another type", (w) => operator(w, { staffUserId: w.accountCustomer }), "NOT_FOUND"],
    ["unknown field", (w) => operator(w, raw<Partial<SetChatOperatorInput>>({ notify: true })), "BAD_USER_INPUT", "input.notify"],
  ],
  markChatRead: [
    ["empty chat id", (w) => markRead(w.app, w, { chatId: "" }), "BAD_USER_INPUT", "input.chatId"],
    ["malformed chat id", (w) => markRead(w.app, w, { chatId: "abc" }), "BAD_USER_INPUT", "input.chatId"],
    ["unknown chat", (w) => markRead(w.app, w, { chatId: randomId("Chat") }), "NOT_FOUND"],
    ["a chat of another firm", (w) => markRead(w.firm.adminClient, w, { chatId: w.chats.foreignChat, upToMessageId: w.chats.foreignMessage }), "NOT_FOUND"],
    ["app: its archived chat", (w) => markRead(w.app, w, { chatId: w.chats.archived }), "NOT_FOUND"],
    ["empty message id", (w) => markRead(w.app, w, { upToMessageId: "" }), "BAD_USER_INPUT", "input.upToMessageId"],
    ["malformed message id", (w) => markRead(w.app, w, { upToMessageId: "abc" }), "BAD_USER_INPUT", "input.upToMessageId"],
    ["unknown message", (w) => markRead(w.firm.adminClient, w, { upToMessageId: randomId("Message") }), "NOT_FOUND"],
    ["a message of another chat", (w) => markRead(w.firm.adminClient, w, { upToMessageId: w.chats.foreignMessage }), "NOT_FOUND"],
    ["message id of another type", (w) => markRead(w.firm.adminClient, w, { upToMessageId: w.chats.chat }), "NOT_FOUND"],
    ["unknown field", (w) => markRead(w.app, w, raw<Partial<MarkChatReadInput>>({ readAt: "2026-01-01T00:00:00Z" })), "BAD_USER_INPUT", "input.readAt"],
  ],
  archiveChat: [
    ["empty chat id", (w) => archive(w, { chatId: "" }), "BAD_USER_INPUT", "input.chatId"],
    ["malformed chat id", (w) => archive(w, { chatId: "abc" }), "BAD_USER_INPUT", "input.chatId"],
    ["unknown chat", (w) => archive(w, { chatId: randomId("Chat") }), "NOT_FOUND"],
    ["a chat of another firm", (w) => archive(w, { chatId: w.chats.foreignChat }), "NOT_FOUND"],
    ["a chat archived before", (w) => archive(w, { chatId: w.chats.archived }), "CONFLICT", "input.chatId"],
    ["a contract of another customer", (w) => archive(w, { contractId: w.contracts.active }), "BAD_USER_INPUT", "input.contractId"],
    ["malformed contract id", (w) => archive(w, { contractId: "abc" }), "BAD_USER_INPUT", "input.contractId"],
    ["unknown contract", (w) => archive(w, { contractId: randomId("Contract") }), "NOT_FOUND"],
    ["malformed claim id", (w) => archive(w, { claimId: "abc" }), "BAD_USER_INPUT", "input.claimId"],
    ["unknown claim", (w) => archive(w, { claimId: randomId("Claim") }), "NOT_FOUND"],
    ["transcript switch as text", (w) => archive(w, { storeTranscript: raw<boolean>("ja") }), "BAD_USER_INPUT", "input.storeTranscript"],
    ["unknown field", (w) => archive(w, raw<Partial<ArchiveChatInput>>({ deleteMessages: true })), "BAD_USER_INPUT", "input.deleteMessages"],
  ],
  updateChatSettings: [
    ["null default", (w) => w.firm.adminClient.request(UpdateChatSettingsDocument, { input: { storeTranscriptByDefault: raw<boolean>(null) } }), "BAD_USER_INPUT", "input.storeTranscriptByDefault"],
    ["default as text", (w) => w.firm.adminClient.request(UpdateChatSettingsDocument, { input: { storeTranscriptByDefault: raw<boolean>("nein") } }), "BAD_USER_INPUT", "input.storeTranscriptByDefault"],
    ["missing default", (w) => w.firm.adminClient.request(UpdateChatSettingsDocument, { input: raw<{ storeTranscriptByDefault: boolean }>({}) }), "BAD_USER_INPUT", "input.storeTranscriptByDefault"],
    ["unknown field", (w) => w.firm.adminClient.request(UpdateChatSettingsDocument, { input: raw<{ storeTranscriptByDefault: boolean }>({ storeTranscriptByDefault: true, keepDays: 30 }) }), "BAD_USER_INPUT", "input.keepDays"],
  ],
  askAboutOffer: [
    ["empty question", (w) => ask(w, { body: "" }), "BAD_USER_INPUT", "input.body"],
    ["blank question", (w) => ask(w, { body: "   " }), "BAD_USER_INPUT", "input.body"],
    ["too long question", (w) => ask(w, { body: long(MAX_MESSAGE_LENGTH + 1) }), "BAD_USER_INPUT", "input.body"],
    ["empty contract id", (w) => ask(w, { contractId: "" }), "BAD_USER_INPUT", "input.contractId"],
    ["malformed contract id", (w) => ask(w, { contractId: "abc" }), "BAD_USER_INPUT", "input.contractId"],
    ["unknown offer", (w) => ask(w, { contractId: randomId("Contract") }), "NOT_FOUND"],
    ["a contract hidden from the customer", (w) => ask(w, { contractId: w.contracts.hidden }), "NOT_FOUND"],
    ["another customer's contract", (w) => ask(w, { contractId: w.contracts.active }), "NOT_FOUND"],
    ["not an offer (AKTIV)", (w) => ask(w, { contractId: w.contracts.visible }), "CONFLICT", "input.contractId"],
    ["unknown field", (w) => ask(w, raw<Partial<AskAboutOfferInput>>({ urgent: true })), "BAD_USER_INPUT", "input.urgent"],
  ],
  requestOffer: [
    ["empty text", (w) => request(w, { body: "" }), "BAD_USER_INPUT", "input.body"],
    ["blank text", (w) => request(w, { body: "  \n " }), "BAD_USER_INPUT", "input.body"],
    ["too long text", (w) => request(w, { body: long(MAX_MESSAGE_LENGTH + 1) }), "BAD_USER_INPUT", "input.body"],
    ["unknown line of business", (w) => request(w, { lineOfBusiness: raw<"KFZ">("RAUMFAHRT") }), "BAD_USER_INPUT", "input.lineOfBusiness"],
    ["malformed customer id", (w) => request(w, { customerId: "abc" }), "BAD_USER_INPUT", "input.customerId"],
    ["unknown customer", (w) => request(w, { customerId: randomId("Customer") }), "NOT_FOUND"],
    ["a customer the account may not access", (w) => request(w, { customerId: w.customer }), "NOT_FOUND"],
    ["unknown field", (w) => request(w, raw<Partial<RequestOfferInput>>({ contractId: w.contracts.visible })), "BAD_USER_INPUT", "input.contractId"],
  ],
};
