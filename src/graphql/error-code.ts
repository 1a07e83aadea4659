import { GraphQLEnumType, type GraphQLSchema } from "graphql";
import { ErrorCode } from "../errors.js";

/** The ErrorCode enum as a GraphQL type (reused if the schema already has it). */
export function getErrorCodeEnum(schema: GraphQLSchema): GraphQLEnumType {
  const existing = schema.getType("ErrorCode");
  if (existing instanceof GraphQLEnumType) return existing;
  return new GraphQLEnumType({
    name: "ErrorCode",
    description: "Stable codes in `extensions.code` of every error.",
    values: Object.fromEntries(Object.values(ErrorCode).map((v) => [v, { value: v }])),
  });
}
