import type { Services } from "../../services.js";
import type { Viewer } from "../../auth/viewer.js";
import { batchLoader, listLoader } from "../../graphql/batch-loader.js";

export function customerLoaders(services: Services, viewer: Viewer) {
  return {
    /** Customers the viewer may see (the firm for staff; own and granted ones for app accounts, rule C3). */
    customer: batchLoader((ids) => services.customer.findMany(viewer, ids), (c) => c.dbId),
    /** Responsible staff ids of customers the viewer may see, in order (rule C1). */
    responsibleStaffIds: listLoader((ids) => services.customer.responsibleStaffIdsOf(viewer, ids)),
  };
}
