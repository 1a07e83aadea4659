import { sql } from "drizzle-orm";
import { date, index, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "../../db/columns.js";
import { staffUsers } from "../staff/staff.table.js";
import { tenantColumn } from "../../db/tenant-column.js";

/** A person in the broker's CRM (Privatkunde), rule C1. */
export const customers = pgTable(
  "customers",
  {
    id: id(),
    tenantId: tenantColumn(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    birthDate: date("birth_date", { mode: "string" }),
    /** Stored lower-case; the invitation goes here (rule D1). */
    email: text("email"),
    phone: text("phone"),
    street: text("street"),
    postalCode: text("postal_code"),
    city: text("city"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("customers_tenant_name_idx").on(t.tenantId, t.lastName, t.firstName, t.id),
    // Name search (`ilike '%term%'` on both spellings, customer.service.ts): trigram indexes (pg_trgm), so a
    // search costs the same in a firm ten times the size (issue 14).
    index("customers_name_trgm_idx").using("gin", sql`(${t.firstName} || ' ' || ${t.lastName}) gin_trgm_ops`),
    index("customers_name_reversed_trgm_idx").using("gin", sql`(${t.lastName} || ', ' || ${t.firstName}) gin_trgm_ops`),
  ],
);

/** Rule C1: the ordered responsible staff (Kundenverantwortliche) of a customer. */
export const customerResponsibleStaff = pgTable(
  "customer_responsible_staff",
  {
    tenantId: tenantColumn(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.staffUserId] }), index("customer_responsible_staff_user_idx").on(t.staffUserId)],
);

export type CustomerRow = typeof customers.$inferSelect;
