import { boolean, index, pgEnum, pgTable, text } from "drizzle-orm/pg-core";
import { StaffPermission, StaffRole, StaffStatus } from "./staff.enums.js";
import { pgEnumOf } from "../../db/enum.js";
import { createdAt, id, updatedAt } from "../../db/columns.js";
import { tenantColumn } from "../../db/tenant-column.js";

export const staffRole = pgEnumOf("staff_role", StaffRole);
export const staffPermission = pgEnumOf("staff_permission", StaffPermission);
export const staffStatus = pgEnumOf("staff_status", StaffStatus);

export const staffUsers = pgTable(
  "staff_users",
  {
    id: id(),
    tenantId: tenantColumn(),
    /** Stored lower-case; staff log in with email alone, so it is unique across firms. */
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    role: staffRole("role").notNull().default("EMPLOYEE"),
    permissions: staffPermission("permissions").array().notNull().default([]),
    status: staffStatus("status").notNull().default("INVITED"),
    passwordHash: text("password_hash"),
    /** Rule B2: governs the 5-minute notification email (F4). */
    emailNotifications: boolean("email_notifications").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("staff_users_tenant_idx").on(t.tenantId, t.id)],
);

export type StaffUserRow = typeof staffUsers.$inferSelect;
