import { and, eq, type SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { firmScope, nothing } from "../../auth/policy.js";
import { customerScope } from "../customer/customer.scope.js";
import { contracts, insurers, risks } from "./contract.table.js";

/** Rule C3 in SQL: staff see the firm's contracts; app accounts only visible ones of the customers they may access. */
export function contractScope(viewer: Viewer): SQL {
  if (viewer.kind === "staff") return customerScope(viewer, contracts.customerId, contracts.tenantId);
  if (viewer.kind === "app") return and(customerScope(viewer, contracts.customerId, contracts.tenantId), eq(contracts.visibleToCustomer, true))!;
  return nothing;
}

/** Risks are a customer's: the firm's for staff, the accessible customers' for app accounts. */
export function riskScope(viewer: Viewer): SQL {
  return customerScope(viewer, risks.customerId, risks.tenantId);
}

/** The firm's insurers (their names are no secret to its app accounts, which pick one when adding a contract). */
export const insurerScope = firmScope(insurers.tenantId);
