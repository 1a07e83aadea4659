import type { Node } from "../../graphql/relay.js";
import { defineModule } from "../module.js";
import * as tables from "./account.table.js";
import { AccountResolver } from "./account.resolver.js";
import { accountLoaders } from "./account.loaders.js";

export const accountModule = defineModule({
  name: "account",
  resolvers: [AccountResolver],
  tables,
  loaders: accountLoaders,
  nodes: { AppAccount: (ctx, id): Promise<Node | null> => ctx.services.accountAdmin.find(ctx.viewer, id) },
});
