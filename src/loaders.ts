import DataLoader from "dataloader";
import { and, eq, inArray } from "drizzle-orm";
import type { Services } from "./services.js";
import type { Viewer } from "./auth/viewer.js";
import { staffUsers } from "./modules/staff/staff.table.js";
import { StaffUser } from "./modules/staff/staff.types.js";
import { customers } from "./modules/customer/customer.table.js";
import { Customer } from "./modules/customer/customer.types.js";
import { customerScope } from "./modules/customer/customer.service.js";
import type { Document, DocumentCategory } from "./modules/document/document.types.js";
import { appAccounts } from "./modules/account/account.table.js";
import { AppAccount } from "./modules/account/account.types.js";

/** Batch loaders, scoped to the viewer's firm: a loader never returns another firm's row. */
export function createLoaders(services: Services, viewer: Viewer) {
  const db = services.deps.database.db;
  const tenantId = viewer.kind === "staff" ? viewer.tenantId : null;
  return {
    staffUser: new DataLoader<string, StaffUser | null>(async (ids) => {
      if (!tenantId) return ids.map(() => null);
      const rows = await db
        .select()
        .from(staffUsers)
        .where(and(inArray(staffUsers.id, [...ids]), eq(staffUsers.tenantId, tenantId)));
      const byId = new Map(rows.map((r) => [r.id, StaffUser.from(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** Customers the viewer may see (firm for staff; own and granted for app accounts). */
    customer: new DataLoader<string, Customer | null>(async (ids) => {
      if (viewer.kind !== "staff" && viewer.kind !== "app") return ids.map(() => null);
      const rows = await db
        .select()
        .from(customers)
        .where(and(inArray(customers.id, [...ids]), customerScope(viewer)));
      const byId = new Map(rows.map((r) => [r.id, Customer.from(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** Documents the viewer may see (rule C3: released ones of accessible customers for app accounts). */
    document: new DataLoader<string, Document | null>(async (ids) => {
      const found = await services.document.findMany(viewer, ids);
      const byId = new Map(found.map((d) => [d.dbId, d]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    documentCategory: new DataLoader<string, DocumentCategory | null>(async (ids) => {
      if (viewer.kind !== "staff" && viewer.kind !== "app") return ids.map(() => null);
      const found = await services.document.categoriesByIds(viewer.tenantId, ids);
      const byId = new Map(found.map((c) => [c.dbId, c]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** The app login of each customer: staff see every customer's; an app account only its own. */
    appAccountOfCustomer: new DataLoader<string, AppAccount | null>(async (customerIds) => {
      if (viewer.kind !== "staff" && viewer.kind !== "app") return customerIds.map(() => null);
      const rows = await db
        .select()
        .from(appAccounts)
        .where(
          and(
            inArray(appAccounts.customerId, [...customerIds]),
            eq(appAccounts.tenantId, viewer.tenantId),
            viewer.kind === "app" ? eq(appAccounts.id, viewer.accountId) : undefined,
          ),
        );
      const byCustomer = new Map(rows.map((r) => [r.customerId, AppAccount.from(r)]));
      return customerIds.map((id) => byCustomer.get(id) ?? null);
    }),
    responsibleStaffIds: new DataLoader<string, string[]>(async (customerIds) => {
      const map = await services.customer.responsibleStaffIds(db, customerIds);
      return customerIds.map((id) => map.get(id) ?? []);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
