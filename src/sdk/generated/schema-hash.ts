/* eslint-disable */
// Written by `npm run codegen` (codegen.ts). The package version and the top entry of src/sdk/CHANGELOG.md follow it.
/** SHA-256 (first 16 hex digits) of the schema/schema.graphql this SDK was generated from. */
export const SCHEMA_HASH = "63344fa803275a50";
