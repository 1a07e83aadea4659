import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { documents } from "./document.table.js";

/** Rule C3 in SQL: staff see the firm's documents; app accounts only released ones of the customers they may access. */
export function documentScope(viewer: Viewer): SQL {
  if (viewer.kind === "staff") return eq(documents.tenantId, viewer.tenantId);
  if (viewer.kind === "app")
    return and(eq(documents.tenantId, viewer.tenantId), inArray(documents.customerId, [...viewer.customerIds]), eq(documents.visibleToCustomer, true))!;
  return sql`false`;
}
