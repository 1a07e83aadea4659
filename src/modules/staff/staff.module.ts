import type { Node } from "../../graphql/relay.js";
import { defineModule } from "../module.js";
import * as tables from "./staff.table.js";
import { StaffResolver } from "./staff.resolver.js";
import { staffLoaders } from "./staff.loaders.js";

export const staffModule = defineModule({
  name: "staff",
  resolvers: [StaffResolver],
  tables,
  loaders: staffLoaders,
  nodes: { StaffUser: (ctx, id): Promise<Node | null> => ctx.loaders.staffUser.load(id) },
});
