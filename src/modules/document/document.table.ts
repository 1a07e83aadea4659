import { boolean, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { createdAt, id, updatedAt } from "../../db/columns.js";
import { customers } from "../customer/customer.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { appAccounts } from "../account/account.table.js";
import { files } from "../../files/file.table.js";
import { contracts } from "../contract/contract.table.js";
import { claims } from "../claim/claim.table.js";
import { tenantColumn } from "../../db/tenant-column.js";

/** Rule C2/C4: the firm's document categories, with the ones the bulk invitation preselects. */
export const documentCategories = pgTable(
  "document_categories",
  {
    id: id(),
    tenantId: tenantColumn(),
    /** Stable key of a default category (POLICY, CHAT_TRANSCRIPT, ...); null for the firm's own. */
    key: text("key"),
    name: text("name").notNull(),
    recommended: boolean("recommended").notNull().default(false),
    position: integer("position").notNull().default(0),
    createdAt: createdAt(),
  },
  // "Police" and "police" are one category.
  (t) => [uniqueIndex("document_categories_tenant_name_idx").on(t.tenantId, sql`lower(${t.name})`)],
);

/** A file at a customer (rule C2); `visibleToCustomer` is the "green eye". */
export const documents = pgTable(
  "documents",
  {
    id: id(),
    tenantId: tenantColumn(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    categoryId: uuid("category_id")
      .notNull()
      .references(() => documentCategories.id),
    /** The contract or claim the document belongs to, if any (a policy photo, an offer's PDF, a repair invoice). */
    contractId: uuid("contract_id").references(() => contracts.id, { onDelete: "set null" }),
    claimId: uuid("claim_id").references(() => claims.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    fileId: uuid("file_id")
      .notNull()
      .unique()
      .references(() => files.id),
    visibleToCustomer: boolean("visible_to_customer").notNull().default(false),
    uploadedByStaffId: uuid("uploaded_by_staff_id").references(() => staffUsers.id, { onDelete: "set null" }),
    uploadedByAccountId: uuid("uploaded_by_account_id").references(() => appAccounts.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("documents_customer_idx").on(t.customerId, t.id),
    index("documents_tenant_idx").on(t.tenantId, t.id),
  ],
);

export type DocumentRow = typeof documents.$inferSelect;
export type DocumentCategoryRow = typeof documentCategories.$inferSelect;
