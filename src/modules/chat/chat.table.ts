import { boolean, index, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { createdAt, id, tstz } from "../../db/columns.js";
import { tenantColumn } from "../../db/tenant-column.js";
import { pgEnumOf } from "../../db/enum.js";
import { customers } from "../customer/customer.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { appAccounts } from "../account/account.table.js";
import { contracts } from "../contract/contract.table.js";
import { documents } from "../document/document.table.js";
import { tenants } from "../tenant/tenant.table.js";
import { ChatStatus, MessageKind } from "./chat.enums.js";

export const chatStatus = pgEnumOf("chat_status", ChatStatus);
export const messageKind = pgEnumOf("message_kind", MessageKind);

/** Rules F1-F9: one conversation between a customer and the firm. */
export const chats = pgTable(
  "chats",
  {
    id: id(),
    tenantId: tenantColumn(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    status: chatStatus("status").notNull(),
    /** Rule F2: the staff user in charge; null until the first staff reply when nobody could be chosen. */
    operatorStaffId: uuid("operator_staff_id").references(() => staffUsers.id, { onDelete: "set null" }),
    lastActivityAt: tstz("last_activity_at").notNull(),
    archivedAt: tstz("archived_at"),
    archivedByStaffId: uuid("archived_by_staff_id").references(() => staffUsers.id, { onDelete: "set null" }),
    transcriptDocumentId: uuid("transcript_document_id").references(() => documents.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    // Rule F1: at most one open chat per customer, also under concurrent first messages.
    uniqueIndex("chats_one_open_per_customer_idx").on(t.customerId).where(sql`${t.status} = 'OPEN'`),
    index("chats_tenant_activity_idx").on(t.tenantId, t.lastActivityAt, t.id),
  ],
);

/** A message: text (never HTML-interpreted), attachments (documents of the customer), or an offer action. */
export const chatMessages = pgTable(
  "chat_messages",
  {
    id: id(),
    tenantId: tenantColumn(),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    kind: messageKind("kind").notNull(),
    body: text("body").notNull(),
    authorStaffId: uuid("author_staff_id").references(() => staffUsers.id, { onDelete: "set null" }),
    authorAccountId: uuid("author_account_id").references(() => appAccounts.id, { onDelete: "set null" }),
    /** True for the customer's side (also when the author's login was deleted since). */
    fromCustomer: boolean("from_customer").notNull(),
    contractId: uuid("contract_id").references(() => contracts.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("chat_messages_chat_idx").on(t.chatId, t.id)],
);

/** The documents a message carries (photos, PDFs): documents of the customer, released to the app. */
export const chatAttachments = pgTable(
  "chat_attachments",
  {
    tenantId: tenantColumn(),
    messageId: uuid("message_id")
      .notNull()
      .references(() => chatMessages.id, { onDelete: "cascade" }),
    documentId: uuid("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    position: text("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.documentId] })],
);

/**
 * Rule F8: how far each reader has read a chat. Staff read per staff user; the customer's side reads as one
 * (whichever of its logins). `upToMessageId` is the last message read (ids are time-ordered).
 */
export const chatReads = pgTable(
  "chat_reads",
  {
    tenantId: tenantColumn(),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    /** A staff user's id, or the customer's id for the customer's side. */
    readerId: uuid("reader_id").notNull(),
    fromCustomer: boolean("from_customer").notNull(),
    upToMessageId: uuid("up_to_message_id").notNull(),
    readAt: tstz("read_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.readerId] })],
);

/** Rule F5's firm default: whether archiving stores a transcript unless a call says otherwise. */
export const chatSettings = pgTable("chat_settings", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  storeTranscriptByDefault: boolean("store_transcript_by_default").notNull().default(true),
});

export type ChatRow = typeof chats.$inferSelect;
export type ChatMessageRow = typeof chatMessages.$inferSelect;
