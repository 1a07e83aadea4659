import { TypeInfo, createSourceEventStream, execute, print, visit, visitWithTypeInfo, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from "graphql";

/** How long an event's result is kept for the other sockets of its scope (they are handed it within one read). */
const KEEP_MS = 5_000;

/**
 * Subscriptions over WebSocket, executed once per event for every socket that subscribed with the same operation
 * and variables as the same access scope (issue 14). The event log hands each subscriber its events with a
 * `shareKey` (topic, access scope, rows: see `LiveEvent`); the first socket to reach an event executes the
 * operation, the others get the same result (and write it to their socket). Events without a key run per socket.
 *
 * Safe because the key holds everything an event's field resolvers may depend on: the viewer's rights
 * (`accessScopeKey`), the operation, its variables and the base URL of signed links; and the viewer's identity
 * when the operation selects a field marked `@Extensions({ perViewer: true })` (a staff user's unread count).
 */
export class SharedExecution {
  private readonly results = new Map<string, Promise<ExecutionResult>>();
  private readonly documents = new WeakMap<DocumentNode, { text: string; perViewer: boolean }>();
  /** Executions of subscription events, for tests and the benchmark (one per operation, variables and scope). */
  executions = 0;

  readonly subscribe = async (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const source = stream[Symbol.asyncIterator]();
    const baseUrl = (args.contextValue as { baseUrl?: string } | undefined)?.baseUrl ?? "";
    // Per document (the WebSocket server reuses parsed documents): its text and whether it selects per-viewer fields.
    let known = this.documents.get(args.document);
    if (!known) this.documents.set(args.document, (known = { text: print(args.document), perViewer: selectsPerViewerField(args.schema, args.document) }));
    const operation = `${known.perViewer ? "viewer" : "scope"}|${baseUrl}|${args.operationName ?? ""}|${JSON.stringify(args.variableValues ?? {})}|${known.text}`;
    const run = (event: unknown) => this.run(operation, event, args);
    const iterator: AsyncGenerator<ExecutionResult, void, void> = {
      async next() {
        const step = await source.next();
        if (step.done) return { done: true, value: undefined };
        return { done: false, value: await run(step.value) };
      },
      async return() {
        await source.return?.();
        return { done: true, value: undefined };
      },
      async throw(err: unknown) {
        await source.return?.();
        throw err;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
      // Node 20 types async generators as disposable too.
      async [Symbol.asyncDispose]() {
        await source.return?.();
      },
    } as AsyncGenerator<ExecutionResult, void, void>;
    return iterator;
  };

  private run(operation: string, event: unknown, args: ExecutionArgs): Promise<ExecutionResult> {
    const { shareKey, viewerKey } = (event ?? {}) as { shareKey?: unknown; viewerKey?: unknown };
    if (typeof shareKey !== "string" || typeof viewerKey !== "string") {
      this.executions++;
      return Promise.resolve(execute({ ...args, rootValue: event }));
    }
    const key = operation.startsWith("viewer|") ? `${shareKey}|${viewerKey}|${operation}` : `${shareKey}|${operation}`;
    let result = this.results.get(key);
    if (!result) {
      this.executions++;
      result = Promise.resolve(execute({ ...args, rootValue: event }));
      this.results.set(key, result);
      setTimeout(() => this.results.delete(key), KEEP_MS).unref();
    }
    return result;
  }
}

/** Whether the document selects a field whose value depends on who the viewer is (`extensions.perViewer`). */
export function selectsPerViewerField(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        if (typeInfo.getFieldDef()?.extensions?.perViewer === true) found = true;
      },
    }),
  );
  return found;
}
