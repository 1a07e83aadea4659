import DataLoader from "dataloader";
import { and, eq, inArray } from "drizzle-orm";
import type { Services } from "./services.js";
import type { Viewer } from "./auth/viewer.js";
import { staffUsers } from "./modules/staff/staff.table.js";
import { StaffUser } from "./modules/staff/staff.types.js";

/** Batch loaders, scoped to the viewer's firm: a loader never returns another firm's row. */
export function createLoaders(services: Services, viewer: Viewer) {
  const db = services.deps.database.db;
  const tenantId = viewer.kind === "staff" ? viewer.tenantId : null;
  return {
    staffUser: new DataLoader<string, StaffUser | null>(async (ids) => {
      if (!tenantId) return ids.map(() => null);
      const rows = await db
        .select()
        .from(staffUsers)
        .where(and(inArray(staffUsers.id, [...ids]), eq(staffUsers.tenantId, tenantId)));
      const byId = new Map(rows.map((r) => [r.id, StaffUser.from(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
