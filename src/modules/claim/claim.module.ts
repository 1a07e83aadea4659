import type { Node } from "../../graphql/relay.js";
import { defineModule } from "../module.js";
import * as tables from "./claim.table.js";
import { ClaimPhotoResolver, ClaimResolver, CustomerClaimsResolver, OverviewClaimsResolver } from "./claim.resolver.js";
import { claimLoaders } from "./claim.loaders.js";
import { claimPhotos, claims } from "./claim.table.js";
import { claimScope } from "./claim.scope.js";
import { and, eq, or } from "drizzle-orm";

export const claimModule = defineModule({
  name: "claim",
  resolvers: [ClaimResolver, ClaimPhotoResolver, CustomerClaimsResolver, OverviewClaimsResolver],
  tables,
  loaders: claimLoaders,
  nodes: { Claim: (ctx, id): Promise<Node | null> => ctx.loaders.claim.load(id) },
  filePurposes: {
    // Rule G1: photos come from the app, JPEG, PNG or HEIC up to 15 MB; the server adds a JPEG and a
    // thumbnail of each. Any of the three downloads while its claim is in the viewer's scope.
    CLAIM_PHOTO: {
      types: ["image/jpeg", "image/png", "image/heic"],
      maxBytes: 15 * 1024 * 1024,
      mayUpload: (v) => v.kind === "app",
      uploadDenied: "Claim photos come from the customer app",
      mayDownload: async (db, viewer, file) => {
        const [row] = await db
          .select({ id: claimPhotos.id })
          .from(claimPhotos)
          .innerJoin(claims, eq(claims.id, claimPhotos.claimId))
          .where(and(or(eq(claimPhotos.originalFileId, file.id), eq(claimPhotos.jpegFileId, file.id), eq(claimPhotos.thumbnailFileId, file.id)), claimScope(viewer)));
        return Boolean(row);
      },
    },
  },
});
