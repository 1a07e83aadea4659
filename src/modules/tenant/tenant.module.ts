import type { Node } from "../../graphql/relay.js";
import { defineModule } from "../module.js";
import * as tables from "./tenant.table.js";
import { BrokerProfileResolver, TenantResolver } from "./tenant.resolver.js";

export const tenantModule = defineModule({
  name: "tenant",
  resolvers: [TenantResolver, BrokerProfileResolver],
  tables,
  nodes: { Tenant: (ctx, id): Promise<Node | null> => ctx.services.tenant.find(ctx.viewer, id) },
  filePurposes: {
    // Rule A3: the logo is the firm's face in the app; every member of the firm may see it.
    LOGO: {
      types: ["image/png", "image/jpeg"],
      maxBytes: 2 * 1024 * 1024,
      mayUpload: (v) => v.kind === "staff" && v.role === "ADMIN",
      uploadDenied: "Only admins change the logo",
      mayDownload: async () => true,
    },
  },
});
