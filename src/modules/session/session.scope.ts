import { eq, type SQL } from "drizzle-orm";
import type { Viewer } from "../../auth/viewer.js";
import { nothing } from "../../auth/policy.js";
import { sessions } from "./session.table.js";

/** A viewer's own session, and no other: no operation reads or ends another's. */
export function sessionScope(viewer: Viewer): SQL {
  return viewer.kind === "staff" || viewer.kind === "app" ? eq(sessions.id, viewer.sessionId) : nothing;
}
