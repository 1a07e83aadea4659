import type { Services } from "./services.js";
import type { Viewer } from "./auth/viewer.js";
import { staffLoaders } from "./modules/staff/staff.loaders.js";
import { customerLoaders } from "./modules/customer/customer.loaders.js";
import { documentLoaders } from "./modules/document/document.loaders.js";
import { accountLoaders } from "./modules/account/account.loaders.js";

/** Batch loaders for one request (or one subscription), scoped to the viewer: a loader never returns what the viewer may not see. */
export function createLoaders(services: Services, viewer: Viewer) {
  const db = services.deps.database.db;
  return {
    ...staffLoaders(db, viewer),
    ...customerLoaders(db, viewer, services.customer),
    ...documentLoaders(viewer, services.document),
    ...accountLoaders(db, viewer),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
