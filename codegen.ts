import type { CodegenConfig } from "@graphql-codegen/cli";

/** schema/schema.graphql + schema/operations/*.graphql -> typed documents for the SDK (src/sdk/generated). */
const config: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["schema/operations/**/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "src/sdk/generated/": {
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
