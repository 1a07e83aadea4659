import { check, index, integer, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { createdAt, id, tstz } from "../../db/columns.js";
import { staffUsers } from "../staff/staff.table.js";
import { appAccounts } from "../account/account.table.js";
import { tenantColumn } from "../../db/tenant-column.js";

/**
 * A login session. Only the SHA-256 of the token is stored, so a leaked table does not leak logins.
 * A session belongs to one staff user (and later one app account): exactly one subject column is set.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: id(),
    tenantId: tenantColumn(),
    tokenHash: text("token_hash").notNull().unique(),
    staffUserId: uuid("staff_user_id").references(() => staffUsers.id, { onDelete: "cascade" }),
    appAccountId: uuid("app_account_id").references(() => appAccounts.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastUsedAt: tstz("last_used_at").notNull().defaultNow(),
    expiresAt: tstz("expires_at").notNull(),
  },
  (t) => [
    index("sessions_staff_user_idx").on(t.staffUserId),
    index("sessions_app_account_idx").on(t.appAccountId),
    check("sessions_one_subject", sql`num_nonnulls(${t.staffUserId}, ${t.appAccountId}) = 1`),
  ],
);

export const oneTimeTokenPurpose = pgEnum("one_time_token_purpose", ["STAFF_INVITE", "PASSWORD_RESET", "APP_INVITE", "APP_PASSWORD_RESET"]);

/** Single-use links (invitations, password resets); stored hashed, voided by use or renewal. */
export const oneTimeTokens = pgTable(
  "one_time_tokens",
  {
    id: id(),
    tenantId: tenantColumn(),
    purpose: oneTimeTokenPurpose("purpose").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    staffUserId: uuid("staff_user_id").references(() => staffUsers.id, { onDelete: "cascade" }),
    appAccountId: uuid("app_account_id").references(() => appAccounts.id, { onDelete: "cascade" }),
    expiresAt: tstz("expires_at").notNull(),
    usedAt: tstz("used_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("one_time_tokens_staff_idx").on(t.staffUserId, t.purpose),
    index("one_time_tokens_account_idx").on(t.appAccountId, t.purpose),
    check("one_time_tokens_one_subject", sql`num_nonnulls(${t.staffUserId}, ${t.appAccountId}) = 1`),
  ],
);

/** Fixed-window counters for throttling (logins per account and per client address). */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: tstz("window_start").notNull(),
  count: integer("count").notNull(),
});
