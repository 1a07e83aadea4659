import type { Services } from "../../services.js";
import type { Viewer } from "../../auth/viewer.js";
import { batchLoader, listLoader } from "../../graphql/batch-loader.js";

export function contractLoaders(services: Services, viewer: Viewer) {
  const contracts = services.contract;
  return {
    /** Contracts the viewer may see (rule C3: visible ones of accessible customers for app accounts). */
    contract: batchLoader((ids) => contracts.findMany(viewer, ids), (c) => c.dbId),
    insurer: batchLoader((ids) => contracts.insurersByIds(viewer, ids), (i) => i.dbId),
    risk: batchLoader((ids) => contracts.risksByIds(viewer, ids), (r) => r.dbId),
    contractHistory: listLoader((ids) => contracts.historyOf(viewer, ids)),
    contractResponsibleStaffIds: listLoader((ids) => contracts.responsibleStaffIdsOf(viewer, ids)),
    contractsOfCustomer: listLoader((ids) => contracts.ofCustomers(viewer, ids)),
    risksOfCustomer: listLoader((ids) => contracts.risksOfCustomers(viewer, ids)),
    documentsOfContract: listLoader((ids) => services.document.ofContracts(viewer, ids)),
  };
}
