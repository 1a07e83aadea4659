import { describe, expect, it } from "vitest";
import { is } from "drizzle-orm";
import { PgTable, getTableConfig } from "drizzle-orm/pg-core";
import { allTables, filePurposes, modules } from "./index.js";
import { filePurpose } from "../files/file.table.js";
import { sourceFiles as files } from "../test/discover.js";
import { resolvers } from "../schema.js";


describe("the module registry (src/modules/index.ts)", () => {
  it("lists every table drizzle-kit migrates, each once", async () => {
    const registered = allTables().map((t) => getTableConfig(t).name);
    expect(new Set(registered).size).toBe(registered.length);
    const onDisk: string[] = [];
    for (const file of files(".table.ts")) {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const v of Object.values(mod)) if (is(v, PgTable)) onDisk.push(getTableConfig(v).name);
    }
    expect(registered.sort()).toEqual([...new Set(onDisk)].sort());
  });

  it("registers every resolver class of src/ in the schema", async () => {
    const declared: unknown[] = [];
    for (const file of files(".resolver.ts")) {
      const mod = (await import(file)) as Record<string, unknown>;
      declared.push(...Object.entries(mod).filter(([name, v]) => name.endsWith("Resolver") && typeof v === "function").map(([, v]) => v));
    }
    for (const r of declared) expect(resolvers).toContain(r);
  });

  it("has a rule for every file purpose, registered by exactly one module", () => {
    expect(Object.keys(filePurposes()).sort()).toEqual([...filePurpose.enumValues].sort());
  });

  it("has unique module names", () => {
    expect(new Set(modules.map((m) => m.name)).size).toBe(modules.length);
  });
});
