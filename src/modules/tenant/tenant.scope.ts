import { eq, type SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { nothing } from "../../auth/policy.js";
import { tenants } from "./tenant.table.js";

/** A viewer sees its own firm only. */
export function tenantScope(viewer: Viewer): SQL {
  return viewer.kind === "staff" || viewer.kind === "app" ? eq(tenants.id, viewer.tenantId) : nothing;
}
