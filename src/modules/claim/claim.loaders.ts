import type { Services } from "../../services.js";
import type { Viewer } from "../../auth/viewer.js";
import { batchLoader, listLoader } from "../../graphql/batch-loader.js";

export function claimLoaders(services: Services, viewer: Viewer) {
  const claims = services.claim;
  return {
    /** Claims the viewer may see (CLAIMS permission for staff; its customers' for app accounts). */
    claim: batchLoader((ids) => claims.findMany(viewer, ids), (c) => c.dbId),
    claimPhotos: listLoader((ids) => claims.photosOf(viewer, ids)),
    claimTimeline: listLoader((ids) => claims.timelineOf(viewer, ids)),
    claimsOfCustomer: listLoader((ids) => claims.ofCustomers(viewer, ids)),
    documentsOfClaim: listLoader((ids) => services.document.ofClaims(viewer, ids)),
  };
}
