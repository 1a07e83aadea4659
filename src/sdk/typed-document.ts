import type { DocumentNode } from "graphql";

// The typed document types of @graphql-typed-document-node/core, declared here so that the package needs
// no dependency besides graphql and graphql-ws. They are structurally the same: a document typed here is
// accepted by Apollo Client, urql, graphql-request and anything else that takes a TypedDocumentNode.
// codegen.ts points the generated code at this file instead of the original package.

export interface DocumentTypeDecoration<TResult, TVariables> {
  /** Carries the result and variables types; never set at run time. */
  __apiType?: (variables: TVariables) => TResult;
}

/** A parsed GraphQL document that knows its result type and the variables it takes. */
export interface TypedDocumentNode<TResult = { [key: string]: any }, TVariables = { [key: string]: any }>
  extends DocumentNode,
    DocumentTypeDecoration<TResult, TVariables> {}

/** The result type of a typed document: `ResultOf<typeof CustomersDocument>`. */
export type ResultOf<T> = T extends DocumentTypeDecoration<infer R, infer _V> ? R : never;

/** The variables type of a typed document: `VariablesOf<typeof CustomersDocument>`. */
export type VariablesOf<T> = T extends DocumentTypeDecoration<infer _R, infer V> ? V : never;
