import { and, eq, type SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { nothing } from "../../auth/policy.js";
import { customerScope } from "../customer/customer.scope.js";
import { chats } from "./chat.table.js";

/**
 * Rules F5/F1/C3: staff with CHAT see every chat of the firm, open and archived; an app account sees the OPEN
 * chats of the customers it may access (an archived chat is gone from the app). Others see none.
 */
export function chatScope(viewer: Viewer): SQL {
  if (viewer.kind === "staff") return viewer.permissions.has("CHAT") ? customerScope(viewer, chats.customerId, chats.tenantId) : nothing;
  if (viewer.kind === "app") return and(customerScope(viewer, chats.customerId, chats.tenantId), eq(chats.status, "OPEN"))!;
  return nothing;
}
