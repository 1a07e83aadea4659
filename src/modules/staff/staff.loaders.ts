import type { Services } from "../../services.js";
import type { Viewer } from "../../auth/viewer.js";
import { batchLoader } from "../../graphql/batch-loader.js";

/** Staff users for staff viewers; public cards for everyone of the firm (the service decides what the viewer sees). */
export function staffLoaders(services: Services, viewer: Viewer) {
  return {
    staffUser: batchLoader((ids) => services.staff.findMany(viewer, ids), (u) => u.dbId),
    staffCard: batchLoader((ids) => services.staff.cards(viewer, ids), (c) => c.dbId),
  };
}
