import { index, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { NotificationKind } from "./notification.enums.js";
import { pgEnumOf } from "../../db/enum.js";
import { sql } from "drizzle-orm";
import { createdAt, id, tstz } from "../../db/columns.js";
import { staffUsers } from "../staff/staff.table.js";
import { tenantColumn } from "../../db/tenant-column.js";

export const notificationKind = pgEnumOf("notification_kind", NotificationKind);

/** Rule F4's email, per notification: waiting, handed to the outbox, or not to be sent (setting off). */
export const notificationEmailState = pgEnum("notification_email_state", ["PENDING", "QUEUED", "SKIPPED"]);

/** A staff user's in-app notice (rule H1). */
export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    tenantId: tenantColumn(),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id, { onDelete: "cascade" }),
    kind: notificationKind("kind").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** What the notice is about, as a GraphQL type name and id, so the UI can open it. */
    subjectType: text("subject_type"),
    subjectId: uuid("subject_id"),
    createdAt: createdAt(),
    readAt: tstz("read_at"),
    emailState: notificationEmailState("email_state").notNull().default("PENDING"),
  },
  (t) => [
    index("notifications_user_idx").on(t.staffUserId, t.id),
    index("notifications_email_due_idx").on(t.createdAt).where(sql`email_state = 'PENDING' and read_at is null`),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;
