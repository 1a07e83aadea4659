import type { Node } from "../../graphql/relay.js";
import { defineModule } from "../module.js";
import * as tables from "./customer.table.js";
import { CustomerResolver } from "./customer.resolver.js";
import { customerLoaders } from "./customer.loaders.js";

export const customerModule = defineModule({
  name: "customer",
  resolvers: [CustomerResolver],
  tables,
  loaders: customerLoaders,
  nodes: { Customer: (ctx, id): Promise<Node | null> => ctx.loaders.customer.load(id) },
});
