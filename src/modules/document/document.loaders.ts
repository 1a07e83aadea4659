import type { Services } from "../../services.js";
import type { Viewer } from "../../auth/viewer.js";
import { batchLoader } from "../../graphql/batch-loader.js";

export function documentLoaders(services: Services, viewer: Viewer) {
  return {
    /** Documents the viewer may see (rule C3: released ones of accessible customers for app accounts). */
    document: batchLoader((ids) => services.document.findMany(viewer, ids), (d) => d.dbId),
    documentCategory: batchLoader((ids) => services.document.categoriesByIds(viewer, ids), (c) => c.dbId),
  };
}
