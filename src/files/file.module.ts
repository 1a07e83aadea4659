import { defineModule } from "../modules/module.js";
import * as tables from "./file.table.js";
import { FileResolver } from "./file.resolver.js";

/** The file pipeline: uploads (`createUpload`), storage and signed downloads. Modules register the purposes (logo: tenant; documents; claim photos). */
export const fileModule = defineModule({
  name: "file",
  resolvers: [FileResolver],
  tables,
});
