import { index, pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { AppAccountStatus, Salutation } from "./account.enums.js";
import { pgEnumOf } from "../../db/enum.js";
import { createdAt, id, tstz, updatedAt } from "../../db/columns.js";
import { customers } from "../customer/customer.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { tenantColumn } from "../../db/tenant-column.js";

export const appAccountStatus = pgEnumOf("app_account_status", AppAccountStatus);
export const salutation = pgEnumOf("salutation", Salutation);

/** A customer's login to the customer app (Externer / Kunden-App-Zugang), rules D1–D9. */
export const appAccounts = pgTable(
  "app_accounts",
  {
    id: id(),
    tenantId: tenantColumn(),
    /** The account's own customer; one account per customer. */
    customerId: uuid("customer_id")
      .notNull()
      .unique()
      .references(() => customers.id, { onDelete: "cascade" }),
    /** Stored lower-case; with the broker ID it identifies the login (rule D6). */
    email: text("email").notNull(),
    passwordHash: text("password_hash"),
    status: appAccountStatus("status").notNull().default("INVITED"),
    salutation: salutation("salutation").notNull().default("SIE"),
    invitedAt: tstz("invited_at"),
    activatedAt: tstz("activated_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("app_accounts_tenant_email_idx").on(t.tenantId, t.email), index("app_accounts_tenant_status_idx").on(t.tenantId, t.status, t.id)],
);

/** Rule D9: further customers (household) an app account may access besides its own. */
export const appAccountAccess = pgTable(
  "app_account_access",
  {
    tenantId: tenantColumn(),
    appAccountId: uuid("app_account_id")
      .notNull()
      .references(() => appAccounts.id, { onDelete: "cascade" }),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    grantedBy: uuid("granted_by").references(() => staffUsers.id, { onDelete: "set null" }),
    grantedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.appAccountId, t.customerId] }), index("app_account_access_customer_idx").on(t.customerId)],
);

export type AppAccountRow = typeof appAccounts.$inferSelect;
