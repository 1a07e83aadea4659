import type { Node } from "../../graphql/relay.js";
import { defineModule } from "../module.js";
import * as tables from "./contract.table.js";
import { ContractResolver, ContractStatusChangeResolver, CustomerContractsResolver } from "./contract.resolver.js";
import { contractLoaders } from "./contract.loaders.js";

export const contractModule = defineModule({
  name: "contract",
  resolvers: [ContractResolver, ContractStatusChangeResolver, CustomerContractsResolver],
  tables,
  loaders: contractLoaders,
  nodes: {
    Contract: (ctx, id): Promise<Node | null> => ctx.loaders.contract.load(id),
    Insurer: (ctx, id): Promise<Node | null> => ctx.loaders.insurer.load(id),
    Risk: (ctx, id): Promise<Node | null> => ctx.loaders.risk.load(id),
  },
});
