import { and, eq, type SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { documentCategories, documents } from "./document.table.js";
import { firmScope, nothing } from "../../auth/policy.js";
import { customerScope } from "../customer/customer.scope.js";

/** Rule C3 in SQL: staff see the firm's documents; app accounts only released ones of the customers they may access. */
export function documentScope(viewer: Viewer): SQL {
  if (viewer.kind === "staff") return customerScope(viewer, documents.customerId, documents.tenantId);
  if (viewer.kind === "app") return and(customerScope(viewer, documents.customerId, documents.tenantId), eq(documents.visibleToCustomer, true))!;
  return nothing;
}

/** The firm's document categories (their names are no secret to its app accounts: documents show them). */
export const documentCategoryScope = firmScope(documentCategories.tenantId);
