import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Queryable } from "../../db/client.js";
import { staffPermission, staffUsers, type StaffUserRow } from "../staff/staff.table.js";
import { contractResponsibleStaff } from "../contract/contract.table.js";
import { customerResponsibleStaff } from "../customer/customer.table.js";

/**
 * Who gets notified: the one place that decides it (rules B1, C5, E0, F3, G3). Every function returns
 * staff user ids of the firm, in a stable order, without duplicates, and only of ACTIVE staff users:
 * an invited or deactivated user is never notified. Where a permission is asked for, only staff holding
 * it (rule B1: staff without CHAT are never notified of chats).
 *
 * Fallbacks compose with `firstNonEmpty`, so a module states its routing in one expression:
 *
 *   // the contract's responsible staff, else the customer's, else nobody (C5, E0)
 *   firstNonEmpty(() => amongStaff(tx, tenantId, contractStaffIds), () => customerResponsible(tx, tenantId, [customerId]))
 *   // the chat operator, else every admin, both with CHAT (F3)
 *   firstNonEmpty(() => amongStaff(tx, tenantId, [operatorId], { permission: "CHAT" }), () => admins(tx, tenantId, { permission: "CHAT" }))
 */

export type StaffPermission = StaffUserRow["permissions"][number];

export interface RecipientFilter {
  /** Only staff holding this permission. */
  permission?: StaffPermission;
}

/** A source of recipients, evaluated only when an earlier one came up empty. */
export type RecipientSource = () => Promise<string[]>;

/** The firm's ACTIVE staff users (with the permission, if asked): the condition every recipient meets. */
function eligible(tenantId: string, filter: RecipientFilter): SQL {
  return and(
    eq(staffUsers.tenantId, tenantId),
    eq(staffUsers.status, "ACTIVE"),
    // An explicit cast: both drivers then compare enum arrays, whatever type they give the parameter.
    filter.permission ? sql`${staffUsers.permissions} @> array[${filter.permission}]::${sql.raw(staffPermission.enumName)}[]` : undefined,
  )!;
}

const distinct = (ids: string[]): string[] => [...new Set(ids)];

/**
 * The responsible staff of the customers (rule C1), eligible ones only: the customers in the order given,
 * each one's staff in their set order; a user responsible for several customers appears once.
 */
export async function customerResponsible(tx: Queryable, tenantId: string, customerIds: readonly string[], filter: RecipientFilter = {}): Promise<string[]> {
  if (customerIds.length === 0) return [];
  const rows = await tx
    .select({ customerId: customerResponsibleStaff.customerId, staffUserId: customerResponsibleStaff.staffUserId })
    .from(customerResponsibleStaff)
    .innerJoin(staffUsers, eq(staffUsers.id, customerResponsibleStaff.staffUserId))
    .where(and(eq(customerResponsibleStaff.tenantId, tenantId), inArray(customerResponsibleStaff.customerId, [...customerIds]), eligible(tenantId, filter)))
    .orderBy(asc(customerResponsibleStaff.position));
  return distinct(customerIds.flatMap((c) => rows.filter((r) => r.customerId === c).map((r) => r.staffUserId)));
}

/** The contract's own responsible staff (rule E0), eligible ones only, in their set order. */
export async function contractResponsible(tx: Queryable, tenantId: string, contractId: string, filter: RecipientFilter = {}): Promise<string[]> {
  const rows = await tx
    .select({ staffUserId: contractResponsibleStaff.staffUserId })
    .from(contractResponsibleStaff)
    .innerJoin(staffUsers, eq(staffUsers.id, contractResponsibleStaff.staffUserId))
    .where(and(eq(contractResponsibleStaff.tenantId, tenantId), eq(contractResponsibleStaff.contractId, contractId), eligible(tenantId, filter)))
    .orderBy(asc(contractResponsibleStaff.position));
  return distinct(rows.map((r) => r.staffUserId));
}

/**
 * The eligible ones among staff users another module names (a contract's responsible staff, a chat's
 * operator), in the order given. Ids of another firm are dropped like inactive users.
 */
export async function amongStaff(tx: Queryable, tenantId: string, staffUserIds: readonly (string | null | undefined)[], filter: RecipientFilter = {}): Promise<string[]> {
  const wanted = distinct(staffUserIds.filter((id): id is string => !!id));
  if (wanted.length === 0) return [];
  const rows = await tx
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(and(inArray(staffUsers.id, wanted), eligible(tenantId, filter)));
  const found = new Set(rows.map((r) => r.id));
  return wanted.filter((id) => found.has(id));
}

/** Every eligible admin of the firm, oldest first. */
export async function admins(tx: Queryable, tenantId: string, filter: RecipientFilter = {}): Promise<string[]> {
  const rows = await tx
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(and(eligible(tenantId, filter), eq(staffUsers.role, "ADMIN")))
    .orderBy(asc(staffUsers.createdAt), asc(staffUsers.id));
  return rows.map((r) => r.id);
}

/** Every ACTIVE staff user of the firm holding the permission, oldest first. */
export async function withPermission(tx: Queryable, tenantId: string, permission: StaffPermission): Promise<string[]> {
  const rows = await tx
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(eligible(tenantId, { permission }))
    .orderBy(asc(staffUsers.createdAt), asc(staffUsers.id));
  return rows.map((r) => r.id);
}

/** The first source that names anyone; later sources are not queried. Nobody when all are empty. */
export async function firstNonEmpty(...sources: RecipientSource[]): Promise<string[]> {
  for (const source of sources) {
    const ids = await source();
    if (ids.length > 0) return ids;
  }
  return [];
}
