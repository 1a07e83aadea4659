import type { Viewer } from "../../auth/viewer.js";
import { batchLoader, none } from "../../graphql/batch-loader.js";
import type { DocumentService } from "./document.service.js";

export function documentLoaders(viewer: Viewer, service: DocumentService) {
  return {
    /** Documents the viewer may see (rule C3: released ones of accessible customers for app accounts). */
    document: batchLoader((ids) => service.findMany(viewer, ids), (d) => d.dbId),
    documentCategory: batchLoader(
      viewer.kind !== "staff" && viewer.kind !== "app" ? none : (ids) => service.categoriesByIds(viewer.tenantId, ids),
      (c) => c.dbId,
    ),
  };
}
