import { boolean, date, index, integer, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { createdAt, id, tstz, updatedAt } from "../../db/columns.js";
import { tenantColumn } from "../../db/tenant-column.js";
import { pgEnumOf } from "../../db/enum.js";
import { customers } from "../customer/customer.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { appAccounts } from "../account/account.table.js";
import { ContractStatus, LineOfBusiness, PaymentInterval, RiskKind } from "./contract.enums.js";

export const contractStatus = pgEnumOf("contract_status", ContractStatus);
export const lineOfBusiness = pgEnumOf("line_of_business", LineOfBusiness);
export const paymentInterval = pgEnumOf("payment_interval", PaymentInterval);
export const riskKind = pgEnumOf("risk_kind", RiskKind);

/** Rule E0: the firm's list of insurers (Gesellschaften), seeded with the common German ones; admins add more. */
export const insurers = pgTable(
  "insurers",
  {
    id: id(),
    tenantId: tenantColumn(),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("insurers_tenant_name_idx").on(t.tenantId, sql`lower(${t.name})`)],
);

/** Rule E0: an insured object of a customer (a vehicle, a building, a person), shared by the customer's contracts. */
export const risks = pgTable(
  "risks",
  {
    id: id(),
    tenantId: tenantColumn(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    kind: riskKind("kind").notNull(),
    licensePlate: text("license_plate"),
    street: text("street"),
    postalCode: text("postal_code"),
    city: text("city"),
    personName: text("person_name"),
    birthDate: date("birth_date", { mode: "string" }),
    description: text("description"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("risks_customer_idx").on(t.customerId)],
);

/** Rules E0-E5: an insurance contract (or an offer) of a customer. Money is integer cents. */
export const contracts = pgTable(
  "contracts",
  {
    id: id(),
    tenantId: tenantColumn(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    insurerId: uuid("insurer_id")
      .notNull()
      .references(() => insurers.id),
    contractNumber: text("contract_number").notNull(),
    lineOfBusiness: lineOfBusiness("line_of_business"),
    status: contractStatus("status").notNull(),
    premiumCents: integer("premium_cents"),
    paymentInterval: paymentInterval("payment_interval"),
    startDate: date("start_date", { mode: "string" }),
    endDate: date("end_date", { mode: "string" }),
    riskId: uuid("risk_id").references(() => risks.id, { onDelete: "set null" }),
    /** Staff only: never in the app's view or events. */
    notes: text("notes"),
    visibleToCustomer: boolean("visible_to_customer").notNull().default(false),
    /** Rule E5: when the customer accepted the offer (once). */
    acceptedAt: tstz("accepted_at"),
    acceptedByAccountId: uuid("accepted_by_account_id").references(() => appAccounts.id, { onDelete: "set null" }),
    createdByStaffId: uuid("created_by_staff_id").references(() => staffUsers.id, { onDelete: "set null" }),
    createdByAccountId: uuid("created_by_account_id").references(() => appAccounts.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("contracts_tenant_idx").on(t.tenantId, t.createdAt, t.id),
    index("contracts_customer_idx").on(t.customerId, t.createdAt, t.id),
    index("contracts_tenant_number_idx").on(t.tenantId, t.contractNumber),
    // Search by part of the number (`ilike '%term%'`): a trigram index (pg_trgm).
    index("contracts_number_trgm_idx").using("gin", sql`${t.contractNumber} gin_trgm_ops`),
  ],
);

/** Rule E0: the contract's own ordered responsible staff (Vertragsverantwortliche). */
export const contractResponsibleStaff = pgTable(
  "contract_responsible_staff",
  {
    tenantId: tenantColumn(),
    contractId: uuid("contract_id")
      .notNull()
      .references(() => contracts.id, { onDelete: "cascade" }),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.contractId, t.staffUserId] }), index("contract_responsible_staff_user_idx").on(t.staffUserId)],
);

/** Rule E3: every status change, who made it and when (the first row is the creation: `fromStatus` null). */
export const contractStatusChanges = pgTable(
  "contract_status_changes",
  {
    id: id(),
    tenantId: tenantColumn(),
    contractId: uuid("contract_id")
      .notNull()
      .references(() => contracts.id, { onDelete: "cascade" }),
    fromStatus: contractStatus("from_status"),
    toStatus: contractStatus("to_status").notNull(),
    changedByStaffId: uuid("changed_by_staff_id").references(() => staffUsers.id, { onDelete: "set null" }),
    changedByAccountId: uuid("changed_by_account_id").references(() => appAccounts.id, { onDelete: "set null" }),
    changedAt: tstz("changed_at").notNull().defaultNow(),
  },
  (t) => [index("contract_status_changes_contract_idx").on(t.contractId, t.changedAt)],
);

export type ContractRow = typeof contracts.$inferSelect;
export type InsurerRow = typeof insurers.$inferSelect;
export type RiskRow = typeof risks.$inferSelect;
export type ContractStatusChangeRow = typeof contractStatusChanges.$inferSelect;
