import { index, integer, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { createdAt, id, tstz } from "../db/columns.js";
import { tenants } from "../modules/tenant/tenant.table.js";

/** PENDING: to send; SENT: accepted by SMTP; FAILED: gave up after retries; HELD: no transport configured, kept here and logged. */
export const mailStatus = pgEnum("mail_status", ["PENDING", "SENT", "FAILED", "HELD"]);

/** Every mail is written here in the transaction of the change that causes it; the worker sends it. */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: id(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    /** What caused it (e.g. "notification"), for tracing and to keep it once per cause. */
    template: text("template").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    status: mailStatus("status").notNull().default("PENDING"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull().defaultNow(),
    /** A worker's claim: while in the future, other workers leave the row alone. */
    lockedUntil: tstz("locked_until"),
    lastError: text("last_error"),
    sentAt: tstz("sent_at"),
    createdAt: createdAt(),
  },
  (t) => [index("mail_outbox_due_idx").on(t.nextAttemptAt).where(sql`status = 'PENDING'`), index("mail_outbox_created_idx").on(t.createdAt)],
);

export type MailRow = typeof mailOutbox.$inferSelect;
