import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import type { Viewer } from "../../auth/viewer.js";
import { batchLoader, none } from "../../graphql/batch-loader.js";
import { staffUsers } from "./staff.table.js";
import { StaffUser } from "./staff.types.js";

/** Staff users of the viewer's firm, for staff viewers only. */
export function staffLoaders(db: Db, viewer: Viewer) {
  return {
    staffUser: batchLoader(
      viewer.kind !== "staff"
        ? none
        : async (ids) =>
            (await db.select().from(staffUsers).where(and(inArray(staffUsers.id, [...ids]), eq(staffUsers.tenantId, viewer.tenantId)))).map(StaffUser.from),
      (u) => u.dbId,
    ),
  };
}
