import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { documentCategories, documents } from "./document.table.js";
import { firmScope, nothing } from "../../auth/policy.js";
import { customerScope } from "../customer/customer.scope.js";
import { contracts } from "../contract/contract.table.js";

/** Rule C3: a document filed at a contract goes with it: hidden from the app while the contract is. */
const contractReleased = sql`(${documents.contractId} is null or exists (select 1 from ${contracts} where ${contracts.id} = ${documents.contractId} and ${contracts.visibleToCustomer}))`;

/** Rule C3 in SQL: staff see the firm's documents; app accounts only released ones of the customers they may access, none at a hidden contract. */
export function documentScope(viewer: Viewer): SQL {
  if (viewer.kind === "staff") return customerScope(viewer, documents.customerId, documents.tenantId);
  if (viewer.kind === "app") return and(customerScope(viewer, documents.customerId, documents.tenantId), eq(documents.visibleToCustomer, true), contractReleased)!;
  return nothing;
}

/** The firm's document categories (their names are no secret to its app accounts: documents show them). */
export const documentCategoryScope = firmScope(documentCategories.tenantId);
