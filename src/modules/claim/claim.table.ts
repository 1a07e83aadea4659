import { sql } from "drizzle-orm";
import { boolean, date, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tstz, updatedAt } from "../../db/columns.js";
import { tenantColumn } from "../../db/tenant-column.js";
import { pgEnumOf } from "../../db/enum.js";
import { customers } from "../customer/customer.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { appAccounts } from "../account/account.table.js";
import { contracts } from "../contract/contract.table.js";
import { files } from "../../files/file.table.js";
import { ClaimStatus } from "./claim.enums.js";

export const claimStatus = pgEnumOf("claim_status", ClaimStatus);

/** Rules G1-G4: a loss the customer reported from the app. Money is integer cents. */
export const claims = pgTable(
  "claims",
  {
    id: id(),
    tenantId: tenantColumn(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    contractId: uuid("contract_id").references(() => contracts.id, { onDelete: "set null" }),
    /** The firm's own number, e.g. "S-2026-00012". */
    number: text("number").notNull(),
    status: claimStatus("status").notNull(),
    dateOfLoss: date("date_of_loss", { mode: "string" }).notNull(),
    description: text("description").notNull(),
    /** Set by the server when the report arrives (rule G1). */
    reportedAt: tstz("reported_at").notNull(),
    reportedByAccountId: uuid("reported_by_account_id").references(() => appAccounts.id, { onDelete: "set null" }),
    insurerClaimNumber: text("insurer_claim_number"),
    amountClaimedCents: integer("amount_claimed_cents"),
    amountPaidCents: integer("amount_paid_cents"),
    /** Amounts staff keep from the app (e.g. while still negotiating). */
    amountClaimedInternal: boolean("amount_claimed_internal").notNull().default(false),
    amountPaidInternal: boolean("amount_paid_internal").notNull().default(false),
    /** Staff only: never in the app's view or events. */
    internalNotes: text("internal_notes"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("claims_tenant_number_idx").on(t.tenantId, t.number),
    index("claims_tenant_reported_idx").on(t.tenantId, t.reportedAt, t.id),
    index("claims_customer_idx").on(t.customerId, t.reportedAt),
    // Search by part of our number or the insurer's (`ilike '%term%'`): trigram indexes (pg_trgm).
    index("claims_number_trgm_idx").using("gin", sql`${t.number} gin_trgm_ops`),
    index("claims_insurer_number_trgm_idx").using("gin", sql`${t.insurerClaimNumber} gin_trgm_ops`),
  ],
);

/** The next claim number of each firm (one row per firm, bumped in the report's transaction). */
export const claimCounters = pgTable("claim_counters", {
  tenantId: tenantColumn().primaryKey(),
  last: integer("last").notNull(),
});

/** A photo of a claim: the original as sent, its JPEG rendition and a thumbnail (all files of purpose CLAIM_PHOTO). */
export const claimPhotos = pgTable(
  "claim_photos",
  {
    id: id(),
    tenantId: tenantColumn(),
    claimId: uuid("claim_id")
      .notNull()
      .references(() => claims.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    originalFileId: uuid("original_file_id")
      .notNull()
      .unique()
      .references(() => files.id),
    jpegFileId: uuid("jpeg_file_id")
      .notNull()
      .unique()
      .references(() => files.id),
    thumbnailFileId: uuid("thumbnail_file_id")
      .notNull()
      .unique()
      .references(() => files.id),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("claim_photos_claim_idx").on(t.claimId, t.position)],
);

/** Rule G4: every status change, the customer's timeline (the first row is the report: `fromStatus` null). */
export const claimStatusChanges = pgTable(
  "claim_status_changes",
  {
    id: id(),
    tenantId: tenantColumn(),
    claimId: uuid("claim_id")
      .notNull()
      .references(() => claims.id, { onDelete: "cascade" }),
    fromStatus: claimStatus("from_status"),
    toStatus: claimStatus("to_status").notNull(),
    changedByStaffId: uuid("changed_by_staff_id").references(() => staffUsers.id, { onDelete: "set null" }),
    changedByAccountId: uuid("changed_by_account_id").references(() => appAccounts.id, { onDelete: "set null" }),
    changedAt: tstz("changed_at").notNull().defaultNow(),
  },
  (t) => [index("claim_status_changes_claim_idx").on(t.claimId, t.changedAt)],
);

export type ClaimRow = typeof claims.$inferSelect;
export type ClaimPhotoRow = typeof claimPhotos.$inferSelect;
export type ClaimStatusChangeRow = typeof claimStatusChanges.$inferSelect;
