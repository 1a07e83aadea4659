import type { Node } from "../../graphql/relay.js";
import { and, eq } from "drizzle-orm";
import { defineModule } from "../module.js";
import * as tables from "./document.table.js";
import { DocumentResolver } from "./document.resolver.js";
import { documentLoaders } from "./document.loaders.js";
import { documentScope } from "./document.scope.js";

export const documentModule = defineModule({
  name: "document",
  resolvers: [DocumentResolver],
  tables,
  loaders: documentLoaders,
  nodes: {
    Document: (ctx, id): Promise<Node | null> => ctx.loaders.document.load(id),
    DocumentCategory: (ctx, id): Promise<Node | null> => ctx.loaders.documentCategory.load(id),
  },
  filePurposes: {
    // Rules C2/C5: staff and app accounts upload documents; a download is allowed while the document is in the viewer's scope (rule C3).
    DOCUMENT: {
      types: ["application/pdf", "image/jpeg", "image/png", "image/heic"],
      maxBytes: 25 * 1024 * 1024,
      mayUpload: () => true,
      uploadDenied: "You may not upload documents",
      mayDownload: async (db, viewer, file) => {
        const [doc] = await db
          .select({ id: tables.documents.id })
          .from(tables.documents)
          .where(and(eq(tables.documents.fileId, file.id), documentScope(viewer)));
        return Boolean(doc);
      },
    },
  },
});
