import { defineModule } from "../module.js";
import * as tables from "./session.table.js";
import { SessionResolver } from "./session.resolver.js";

export const sessionModule = defineModule({
  name: "session",
  resolvers: [SessionResolver],
  tables,
});
