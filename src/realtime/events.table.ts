import { bigserial, index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "../db/columns.js";
import { tenantColumn } from "../db/tenant-column.js";

/**
 * The event log behind every subscription. The id is the cursor clients resume from with `after:`.
 * Rows hold ids only: the subscription loads (and re-authorizes) the row it points to.
 */
export const events = pgTable(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: tenantColumn(),
    topic: text("topic").notNull(),
    /** The row the event is about (a notification, a message, ...). */
    entityId: uuid("entity_id").notNull(),
    /** Who the event is for, where that narrows it (a staff user, a customer); null for the whole firm. */
    audienceId: uuid("audience_id"),
    createdAt: createdAt(),
  },
  (t) => [index("events_tenant_topic_idx").on(t.tenantId, t.topic, t.id), index("events_created_idx").on(t.createdAt)],
);

export type EventRow = typeof events.$inferSelect;
