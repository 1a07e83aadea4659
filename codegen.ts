import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CodegenConfig } from "@graphql-codegen/cli";

const GENERATED = "src/sdk/generated/";

/**
 * The SDK package (src/sdk) depends on graphql and graphql-ws only: the generated code takes its
 * TypedDocumentNode from src/sdk/typed-document.ts, not from @graphql-typed-document-node/core.
 */
function localTypedDocument(file: string, content: string): string {
  if (!path.resolve(file).startsWith(path.resolve(GENERATED))) return content;
  return content.replaceAll("'@graphql-typed-document-node/core'", "'../typed-document.js'");
}

/** The hash of schema/schema.graphql this SDK was generated from; src/sdk/CHANGELOG.md's top entry must name it. */
export function schemaHash(schema = readFileSync("schema/schema.graphql", "utf8")): string {
  return createHash("sha256").update(schema.replaceAll("\r\n", "\n")).digest("hex").slice(0, 16);
}

function writeSchemaHash(): void {
  writeFileSync(
    path.join(GENERATED, "schema-hash.ts"),
    [
      "/* eslint-disable */",
      "// Written by `npm run codegen` (codegen.ts). The package version and the top entry of src/sdk/CHANGELOG.md follow it.",
      "/** SHA-256 (first 16 hex digits) of the schema/schema.graphql this SDK was generated from. */",
      `export const SCHEMA_HASH = "${schemaHash()}";`,
      "",
    ].join("\n"),
  );
}

/** schema/schema.graphql + schema/operations/*.graphql -> typed documents for the SDK (src/sdk/generated). */
const config: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["schema/operations/**/*.graphql"],
  ignoreNoDocuments: false,
  hooks: {
    beforeOneFileWrite: [localTypedDocument],
    afterAllFileWrite: [writeSchemaHash],
  },
  generates: {
    [GENERATED]: {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: "string", EmailAddress: "string", URL: "string", Date: "string" },
        strictScalars: true,
        avoidOptionals: false,
      },
    },
  },
};

export default config;
