import { and, eq, type SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { nothing } from "../../auth/policy.js";
import { appAccounts } from "./account.table.js";

/** App accounts the viewer may see: the firm's for staff; itself for an app account. */
export function accountScope(viewer: Viewer): SQL {
  if (viewer.kind === "staff") return eq(appAccounts.tenantId, viewer.tenantId);
  if (viewer.kind === "app") return and(eq(appAccounts.tenantId, viewer.tenantId), eq(appAccounts.id, viewer.accountId))!;
  return nothing;
}
