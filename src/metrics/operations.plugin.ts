import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { recordOperation } from "./metrics.js";

/** Counts and times every GraphQL operation over HTTP, with the errors it answered (already formatted, so with their codes). */
export function operationMetricsPlugin<T extends BaseContext>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(ctx) {
          const body = ctx.response.body;
          const errors = body.kind === "single" ? body.singleResult.errors : body.initialResult.errors;
          recordOperation({
            transport: "http",
            name: ctx.operationName ?? ctx.request.operationName,
            type: ctx.operation?.operation,
            errors: errors as ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined,
            seconds: Number(process.hrtime.bigint() - started) / 1e9,
          });
        },
      };
    },
  };
}
