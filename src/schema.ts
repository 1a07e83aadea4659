import "reflect-metadata";
import { GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { authChecker } from "./auth/auth-checker.js";
import { NodeResolver } from "./graphql/node.resolver.js";
import { modules } from "./modules/index.js";
import { createPubSub } from "@graphql-yoga/subscription";
import { getErrorCodeEnum } from "./graphql/error-code.js";
import { guardArguments } from "./graphql/text-input.js";

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's type for resolver classes
export const resolvers: [Function, ...Function[]] = [NodeResolver, ...modules.flatMap((m): Function[] => m.resolvers)];

let cached: Promise<GraphQLSchema> | undefined;

/** The executable schema; built once per process (type-graphql's metadata is global anyway). */
export function getSchema(): Promise<GraphQLSchema> {
  cached ??= (async () => {
    const built = await buildSchema({
      resolvers,
      authChecker,
      authMode: "error",
      // Required by type-graphql for @Subscription, but unused: every subscription brings its own
      // \`subscribe\` that reads the event log (replay with \`after:\`), woken through the app's bus.
      pubSub: createPubSub(),
      scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
      // `target` is kept only so formatError can tell arguments from input fields; neither it nor `value`
      // ever reaches a client (formatError lists field, rule and message only).
      validate: { forbidUnknownValues: true, validationError: { target: true, value: false } },
    });
    // ErrorCode is referenced only from `extensions.code`, so add it explicitly for clients and the SDK.
    const config = built.toConfig();
    // NUL bytes and lone surrogates in any string argument are the client's mistake, not an INTERNAL error.
    return guardArguments(new GraphQLSchema({ ...config, types: [...config.types, getErrorCodeEnum(built)] }));
  })();
  return cached;
}

/** SDL as committed in schema/schema.graphql (sorted, so the diff shows only real changes). */
export async function printSdl(): Promise<string> {
  return printSchema(lexicographicSortSchema(await getSchema())) + "\n";
}
