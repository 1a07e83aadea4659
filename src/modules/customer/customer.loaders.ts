import DataLoader from "dataloader";
import { and, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import type { Viewer } from "../../auth/viewer.js";
import { batchLoader, none } from "../../graphql/batch-loader.js";
import { customers } from "./customer.table.js";
import { Customer } from "./customer.types.js";
import { customerScope, type CustomerService } from "./customer.service.js";

export function customerLoaders(db: Db, viewer: Viewer, service: CustomerService) {
  return {
    /** Customers the viewer may see (the firm for staff; own and granted ones for app accounts, rule C3). */
    customer: batchLoader(
      viewer.kind !== "staff" && viewer.kind !== "app"
        ? none
        : async (ids) => (await db.select().from(customers).where(and(inArray(customers.id, [...ids]), customerScope(viewer)))).map(Customer.from),
      (c) => c.dbId,
    ),
    /** Responsible staff ids of customers, in order (rule C1). */
    responsibleStaffIds: new DataLoader<string, string[]>(async (customerIds) => {
      const map = await service.responsibleStaffIds(db, customerIds);
      return customerIds.map((id) => map.get(id) ?? []);
    }),
  };
}
