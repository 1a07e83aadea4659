import type { SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { nothing } from "../../auth/policy.js";
import { customerScope } from "../customer/customer.scope.js";
import { claims } from "./claim.table.js";

/**
 * Rule C3 for claims: staff holding CLAIMS see the firm's; an app account the claims of the customers it may
 * access (a customer sees every claim it reported: there is no "hidden" claim). Others see none.
 */
export function claimScope(viewer: Viewer): SQL {
  if (viewer.kind === "staff") return viewer.permissions.has("CLAIMS") ? customerScope(viewer, claims.customerId, claims.tenantId) : nothing;
  if (viewer.kind === "app") return customerScope(viewer, claims.customerId, claims.tenantId);
  return nothing;
}
