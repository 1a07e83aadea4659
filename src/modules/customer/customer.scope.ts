import { and, eq, sql, type Column, type SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { nothing } from "../../auth/policy.js";
import { uuidArray } from "../../db/compiled.js";
import { customers } from "./customer.table.js";

/**
 * Rule C3 in SQL, "the viewer may see this customer": the firm for staff; own and granted customers for
 * app accounts. Other resources at a customer reuse it with their own columns.
 */
export function customerScope(viewer: Viewer, column: Column = customers.id, tenantColumn: Column = customers.tenantId): SQL {
  if (viewer.kind === "staff") return eq(tenantColumn, viewer.tenantId);
  // One array parameter: the text is the same whatever the number of customers (prepared once, compiled once).
  if (viewer.kind === "app") return and(eq(tenantColumn, viewer.tenantId), sql`${column} = any(${uuidArray(viewer.customerIds)})`)!;
  return nothing;
}
