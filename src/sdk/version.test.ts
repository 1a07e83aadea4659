import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { schemaHash } from "../../codegen.js";
import { SCHEMA_HASH } from "./index.js";

const read = (file: string) => fs.readFileSync(new URL(file, import.meta.url), "utf8");

/** The changelog's entries, newest first: `## <version> — schema <hash>`. */
function entries(): Array<{ version: string; hash: string; line: string }> {
  return [...read("./CHANGELOG.md").matchAll(/^## (\S+) — schema ([0-9a-f]+)\s*$/gm)].map((m) => ({ version: m[1]!, hash: m[2]!, line: m[0] }));
}

function semver(version: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`${version} is not a release version (major.minor.patch)`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

const compare = (a: [number, number, number], b: [number, number, number]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

describe("the SDK's version follows the schema", () => {
  it("the generated SDK was made from schema/schema.graphql as it is (else: npm run generate)", () => {
    expect(SCHEMA_HASH, "src/sdk/generated is stale: run `npm run generate`").toBe(schemaHash());
  });

  it("the changelog's top entry names the package version and this schema (after a schema change: bump the version, add an entry)", () => {
    const { version } = JSON.parse(read("./package.json")) as { version: string };
    const top = entries()[0];
    expect(top, "src/sdk/CHANGELOG.md has no entry `## <version> — schema <hash>`").toBeDefined();
    expect(
      { version: top!.version, hash: top!.hash },
      `schema/schema.graphql is now ${SCHEMA_HASH}: run \`npm run schema:diff -- <last release>\`, set the next version ` +
        `(major: breaking, minor: additions) in src/sdk/package.json, and add "## <version> — schema ${SCHEMA_HASH}" on top of src/sdk/CHANGELOG.md`,
    ).toEqual({ version, hash: SCHEMA_HASH });
  });

  it("versions only go up, and a new schema never keeps the version: each schema hash is released once, later entries of it are patches", () => {
    const all = entries();
    for (let i = 0; i + 1 < all.length; i++) {
      const [newer, older] = [all[i]!, all[i + 1]!];
      expect(compare(semver(newer.version), semver(older.version)), `${newer.line} must be a higher version than ${older.line}`).toBeGreaterThan(0);
      if (newer.hash === older.hash) {
        // The same schema again: only the SDK's code changed, a patch.
        const [a, b] = [semver(newer.version), semver(older.version)];
        expect([a[0], a[1]], `${newer.line} has the schema of ${older.line}: only a patch release may`).toEqual([b[0], b[1]]);
      }
    }
    const hashes = all.map((e) => e.hash);
    const released = hashes.filter((h, i) => hashes.indexOf(h) !== i && hashes[i - 1] !== h);
    expect(released, "a schema hash appears again after another schema: the changelog is out of order").toEqual([]);
  });
});
