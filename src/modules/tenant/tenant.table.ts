import { boolean, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "../../db/columns.js";

/** A broker firm (Maklerbetrieb). Every row of firm data points here. */
export const tenants = pgTable("tenants", {
  id: id(),
  name: text("name").notNull(),
  /** Rule A2: short public ID customers type at login; stored upper-case. */
  brokerId: text("broker_id").notNull().unique(),
  /** Rule A1: set by the platform operator. */
  customerAppEnabled: boolean("customer_app_enabled").notNull().default(false),
  profileName: text("profile_name"),
  profilePhone: text("profile_phone"),
  profileStreet: text("profile_street"),
  profilePostalCode: text("profile_postal_code"),
  profileCity: text("profile_city"),
  profileLogoFileId: uuid("profile_logo_file_id"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export type TenantRow = typeof tenants.$inferSelect;
