/** Who may call the file module's operations (run by src/test/isolation.test.ts). */
import { CreateUploadDocument } from "../sdk/client.js";
import type { ModuleAccess } from "../test/access-registry.js";

export const fileAccess: ModuleAccess = {
  operations: [
    {
      name: "createUpload",
      access: "staff",
      app: "ok",
      call: (c) => c.request(CreateUploadDocument, { input: { purpose: "DOCUMENT", contentType: "application/pdf", size: 100, fileName: "iso.pdf" } }),
    },
  ],
  // The file IDs other modules take (`uploadDocument`, `updateBrokerProfile`) are rows of those modules.
  byId: [],
  lists: [],
  subscriptions: [],
  open: [],
  pending: [],
};
