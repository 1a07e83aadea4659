import { index, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "../db/columns.js";
import { tenantColumn } from "../db/tenant-column.js";

/**
 * Idempotency keys of retried mutations (a phone that resends `reportClaim` after a timeout, a chat's
 * `sendMessage`): the first request with a key wins, a retry with the same key and the same input gets the
 * same result, and the same key with other input is refused. Kept two days (at least the promised 24 h).
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    tenantId: tenantColumn(),
    /** Who sent it (an app account's or staff user's id): keys of different senders never collide. */
    principalId: uuid("principal_id").notNull(),
    /** The operation, e.g. "reportClaim". */
    operation: text("operation").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of the operation's input as the server normalized it. */
    requestHash: text("request_hash").notNull(),
    /** The id of what the first request made (a claim, a message). */
    resultId: uuid("result_id").notNull(),
    createdAt: createdAt(),
    expiresAt: tstz("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.principalId, t.operation, t.key] }), index("idempotency_keys_expires_idx").on(t.expiresAt)],
);
