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
    maxTokens: { n: LIMITS.maxTokens },
    costLimit: { maxCost: LIMITS.costLimit },
  }).protect();
}

/** The validation rules a WebSocket operation must pass: graphql's own, armor's, and no introspection in production. */
export function wsValidationRules(armorRules: ValidationRule[], production: boolean): ValidationRule[] {
  return [...specifiedRules, ...armorRules, ...(production ? [NoSchemaIntrospectionCustomRule] : [])];
}
