import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../config.js";

/** Files under src/ whose names end with `suffix`, sorted (so test order is stable). */
export function sourceFiles(suffix: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(suffix)) out.push(p);
    }
  };
  walk(path.join(projectRoot, "src"));
  return out.sort();
}

/**
 * Every module's test rows of one kind (`<f>.access.ts`, `<f>.bad-input.ts`), found by file name: a new module's
 * rows take part without being listed anywhere. Each file exports one value of the kind.
 */
export async function discoverRows<T>(suffix: string): Promise<T[]> {
  const found: T[] = [];
  for (const file of sourceFiles(suffix)) {
    const exported = Object.values((await import(file)) as Record<string, unknown>);
    if (exported.length !== 1) throw new Error(`${path.relative(projectRoot, file)} must export exactly one value (its rows)`);
    found.push(exported[0] as T);
  }
  return found;
}
