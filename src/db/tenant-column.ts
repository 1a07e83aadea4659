import { uuid } from "drizzle-orm/pg-core";
import { tenants } from "../modules/tenant/tenant.table.js";

/** The firm a row belongs to: every row of firm data carries one, and goes with its firm. */
export const tenantColumn = () =>
  uuid("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" });
