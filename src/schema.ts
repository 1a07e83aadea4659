import "reflect-metadata";
import { GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { authChecker } from "./auth/auth-checker.js";
import { NodeResolver } from "./graphql/node.resolver.js";
import { SessionResolver } from "./modules/session/session.resolver.js";
import { StaffResolver } from "./modules/staff/staff.resolver.js";
import { TenantResolver } from "./modules/tenant/tenant.resolver.js";
import { NotificationResolver } from "./modules/notification/notification.resolver.js";
import { createPubSub } from "@graphql-yoga/subscription";
import { CustomerResolver } from "./modules/customer/customer.resolver.js";
import { AccountResolver } from "./modules/account/account.resolver.js";
import { FileResolver } from "./files/file.resolver.js";
import { DocumentResolver } from "./modules/document/document.resolver.js";
import { BrokerProfileResolver } from "./modules/tenant/tenant.resolver.js";
import { getErrorCodeEnum } from "./graphql/error-code.js";

export const resolvers = [NodeResolver, SessionResolver, TenantResolver, StaffResolver, NotificationResolver, CustomerResolver, AccountResolver, FileResolver, BrokerProfileResolver, DocumentResolver] as const;

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
    return new GraphQLSchema({ ...config, types: [...config.types, getErrorCodeEnum(built)] });
  })();
  return cached;
}

/** SDL as committed in schema/schema.graphql (sorted, so the diff shows only real changes). */
export async function printSdl(): Promise<string> {
  return printSchema(lexicographicSortSchema(await getSchema())) + "\n";
}
