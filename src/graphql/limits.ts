import { ApolloArmor } from "@escape.tech/graphql-armor";
import { NoSchemaIntrospectionCustomRule, specifiedRules, type ValidationRule } from "graphql";

/** Query limits shared by HTTP and WebSocket, so neither path is the cheap way in. */
export const LIMITS = {
  maxDepth: 12,
  maxAliases: 15,
  maxDirectives: 20,
  maxTokens: 3000,
  costLimit: 10_000,
} as const;

export function createArmor() {
  return new ApolloArmor({
    maxDepth: { n: LIMITS.maxDepth },
    maxAliases: { n: LIMITS.maxAliases },
    maxDirectives: { n: LIMITS.maxDirectives },
    // The token limit is graphql-js's own parse option (Apollo's parseOptions, graphql-ws's parse): armor's plugin
    // throws from parsing as an unexpected error (HTTP 500) instead of a parse failure (400, GRAPHQL_PARSE_FAILED).
    maxTokens: { enabled: false },
    // Suggestions are stripped in formatError, for HTTP and WebSocket alike; armor's mask would leave "[Suggestion hidden]?".
    blockFieldSuggestion: { enabled: false },
    costLimit: { maxCost: LIMITS.costLimit },
  }).protect();
}

/** graphql-js parse options for every document, over HTTP and WebSocket. */
export const PARSE_OPTIONS = { maxTokens: LIMITS.maxTokens } as const;

/** The validation rules a WebSocket operation must pass: graphql's own, armor's, and no introspection in production. */
export function wsValidationRules(armorRules: ValidationRule[], production: boolean): ValidationRule[] {
  return [...specifiedRules, ...armorRules, ...(production ? [NoSchemaIntrospectionCustomRule] : [])];
}
