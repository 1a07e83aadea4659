import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  // Every module's tables; the registry (src/modules/index.ts) lists the same files through the modules.
  schema: ["./src/**/*.table.ts"],
  out: "./drizzle",
});
