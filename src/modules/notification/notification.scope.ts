import { and, eq, type SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { nothing } from "../../auth/policy.js";
import { notifications } from "./notification.table.js";

/** A staff user's own notifications; nobody else's. */
export function notificationScope(viewer: Viewer): SQL {
  return viewer.kind === "staff" ? and(eq(notifications.tenantId, viewer.tenantId), eq(notifications.staffUserId, viewer.userId))! : nothing;
}
