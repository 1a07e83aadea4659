export * from "./client.js";
export type { TypedDocumentNode, DocumentTypeDecoration, ResultOf, VariablesOf } from "./typed-document.js";
export { SCHEMA_HASH } from "./generated/schema-hash.js";
