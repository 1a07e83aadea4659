// `npm run sdk:pack [-- <directory>]`: builds the SDK package (src/sdk, its own tsconfig, into src/sdk/dist)
// and packs it with `npm pack` into <directory> (default dist/sdk). Prints the tarball's path.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

export const SDK_DIR = fileURLToPath(new URL("../sdk/", import.meta.url));
const ROOT = path.resolve(SDK_DIR, "../..");

/** Builds and packs the SDK into `destination`; resolves to the tarball's absolute path. */
export async function packSdk(destination = path.join(ROOT, "dist", "sdk")): Promise<string> {
  const dir = path.resolve(destination);
  fs.mkdirSync(dir, { recursive: true });
  // `prepack` (src/sdk/package.json) empties src/sdk/dist and compiles it first. `--json` keeps npm's file listing off stdout.
  const { stdout } = await promisify(execFile)("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: SDK_DIR,
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
    maxBuffer: 16 * 1024 * 1024,
  });
  // The prepack script's own output comes before npm's JSON (an array).
  const json = stdout.slice(stdout.indexOf("\n[") + 1 || stdout.indexOf("["));
  const [packed] = JSON.parse(json) as Array<{ filename: string }>;
  if (!packed) throw new Error(`npm pack printed no tarball: ${stdout}`);
  return path.join(dir, packed.filename);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await packSdk(process.argv[2]));
}
