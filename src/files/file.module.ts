import { defineModule } from "../modules/module.js";
import * as tables from "./file.table.js";
import { FileResolver } from "./file.resolver.js";

/** The file pipeline: uploads (`createUpload`), storage and signed downloads. Modules register the purposes. */
export const fileModule = defineModule({
  name: "file",
  resolvers: [FileResolver],
  tables,
  filePurposes: {
    // Rule G1. The claims module takes this over (and decides downloads by the claim's scope); until then
    // photos come only from the app and only the firm's staff see them.
    CLAIM_PHOTO: {
      types: ["image/jpeg", "image/png", "image/heic"],
      maxBytes: 15 * 1024 * 1024,
      mayUpload: (v) => v.kind === "app",
      uploadDenied: "Claim photos come from the customer app",
      mayDownload: async (_db, viewer) => viewer.kind === "staff",
    },
  },
});
