import { pgEnum } from "drizzle-orm/pg-core";

/**
 * A PostgreSQL enum from the TypeScript enum the GraphQL schema registers: each enum is declared once
 * (in `<f>.enums.ts`) and shared by the table and the schema, so the two cannot drift apart.
 */
export function pgEnumOf<const E extends Record<string, string>>(name: string, e: E) {
  const values = Object.values(e) as [`${E[keyof E]}`, ...Array<`${E[keyof E]}`>];
  return pgEnum(name, values);
}
