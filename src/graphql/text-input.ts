import { defaultFieldResolver, isObjectType, type GraphQLSchema } from "graphql";
import { Problems } from "../errors.js";

/**
 * Characters PostgreSQL refuses in text (NUL) or that UTF-8 cannot carry (a lone UTF-16 surrogate, which would be
 * stored as U+FFFD): refused as the client's input, naming the field, before any resolver or statement sees them.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function collect(value: unknown, field: string, problems: Problems, depth: number): void {
  if (typeof value === "string") {
    if (UNSTORABLE.test(value)) problems.add(field, "FORMAT", "must not contain NUL bytes or unpaired surrogate characters");
    return;
  }
  if (depth > 10 || value === null || typeof value !== "object") return;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v: unknown, i): [string, unknown] => [String(i), v]) : Object.entries(value);
  for (const [key, child] of entries) collect(child, `${field}.${key}`, problems, depth + 1);
}

/** Throws BAD_USER_INPUT naming every argument (or input field) that holds text PostgreSQL cannot store. */
export function refuseUnstorableArgs(args: Record<string, unknown>): void {
  let problems: Problems | undefined;
  for (const name in args) {
    const value = args[name];
    if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean") continue;
    collect(value, name, (problems ??= new Problems()), 0);
  }
  problems?.throwIfAny();
}

/**
 * Every string in every argument of every field, over HTTP and WebSocket alike: each field that takes arguments
 * (and each subscription's `subscribe`) checks them first, synchronously. Fields without arguments keep their
 * resolvers as they are: a type-graphql global middleware would wrap every field of every object in an async
 * chain (a promise per field of every list item), which cost more CPU per request than all the SQL (issue 14).
 */
export function guardArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (root, args, context, info) => {
        refuseUnstorableArgs(args);
        return resolve(root, args, context, info);
      };
      const subscribe = field.subscribe;
      if (subscribe) {
        field.subscribe = (root, args, context, info) => {
          refuseUnstorableArgs(args);
          return subscribe(root, args, context, info);
        };
      }
    }
  }
  return schema;
}
