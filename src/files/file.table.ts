import { index, integer, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { FilePurpose } from "./file.enums.js";
import { pgEnumOf } from "../db/enum.js";
import { sql } from "drizzle-orm";
import { createdAt, id, tstz } from "../db/columns.js";
import { staffUsers } from "../modules/staff/staff.table.js";
import { appAccounts } from "../modules/account/account.table.js";
import { tenantColumn } from "../db/tenant-column.js";

export const filePurpose = pgEnumOf("file_purpose", FilePurpose);
/** PENDING: URL issued, no bytes yet; STORED: bytes checked and stored; ATTACHED: belongs to a logo, document or claim. */
export const fileStatus = pgEnum("file_status", ["PENDING", "STORED", "ATTACHED"]);

/** Every stored file. Bytes live in the storage under `storage_key`; unattached rows expire and are removed with their bytes. */
export const files = pgTable(
  "files",
  {
    id: id(),
    tenantId: tenantColumn(),
    purpose: filePurpose("purpose").notNull(),
    status: fileStatus("status").notNull().default("PENDING"),
    fileName: text("file_name").notNull(),
    declaredType: text("declared_type").notNull(),
    declaredSize: integer("declared_size").notNull(),
    /** The type sniffed from the bytes, never the declared one. */
    mimeType: text("mime_type"),
    size: integer("size"),
    sha256: text("sha256"),
    storageKey: text("storage_key").notNull().unique(),
    createdByStaffId: uuid("created_by_staff_id").references(() => staffUsers.id, { onDelete: "set null" }),
    createdByAccountId: uuid("created_by_account_id").references(() => appAccounts.id, { onDelete: "set null" }),
    /** Until attached: when the upload counts as abandoned. */
    expiresAt: tstz("expires_at"),
    createdAt: createdAt(),
  },
  (t) => [index("files_abandoned_idx").on(t.expiresAt).where(sql`status <> 'ATTACHED'`)],
);

export type FileRow = typeof files.$inferSelect;
