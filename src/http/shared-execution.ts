import { TypeInfo, createSourceEventStream, execute, print, visit, visitWithTypeInfo, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from "graphql";
import type { WebSocket } from "ws";
import { DIRECT, type DirectSink } from "../realtime/event-log.js";

/** How long an event's result is kept for the other sockets of its scope (they are handed it within one read). */
const KEEP_MS = 5_000;
/** Bytes a socket may have waiting to be sent before its subscription is ended as too slow (it resumes with `after:`). */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Subscriptions over WebSocket, executed once per event for every socket that subscribed with the same operation
 * and variables as the same access scope (issue 14). The event log hands each subscriber its events with a
 * `shareKey` (topic, access scope, rows: see `LiveEvent`); the first socket to reach an event executes the
 * operation, the others get the same result (and write it to their socket). Events without a key run per socket.
 *
 * Safe because the key holds everything an event's field resolvers may depend on: the viewer's rights
 * (`accessScopeKey`), the operation, its variables and the base URL of signed links; and the viewer's identity
 * when the operation selects a field marked `@Extensions({ perViewer: true })` (a staff user's unread count).
 *
 * A socket bound with `bind` takes its events directly (see `DIRECT` in src/realtime/event-log.ts): the firm's
 * reader hands an event to every such socket of the same operation and scope at once, and the result is serialized
 * once and written to each of them as the same `next` frame (one buffer per subscription id), without a promise
 * chain per socket. A result with errors goes the per-socket way, through graphql-ws and its error formatting.
 */
export class SharedExecution {
  private readonly results = new Map<string, Promise<ExecutionResult>>();
  private readonly documents = new WeakMap<DocumentNode, { text: string; perViewer: boolean }>();
  /** Operations subscribed now, by their text (scope or viewer, base URL, name, variables, document). */
  private readonly operations = new Map<string, { text: string; id: string; sockets: number }>();
  private lastOperationId = 0;
  /** The socket and subscription id of an operation's context, for direct delivery. */
  private readonly targets = new WeakMap<object, { socket: WebSocket; id: string }>();
  /** The last payload written and its frame per subscription id: thousands of sockets are sent the same buffer. */
  private frames: { payload: string; byId: Map<string, Buffer> } = { payload: "", byId: new Map() };
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
    const operation = this.acquire(`${known.perViewer ? "viewer" : "scope"}|${baseUrl}|${args.operationName ?? ""}|${JSON.stringify(args.variableValues ?? {})}|${known.text}`);
    let released = false;
    const release = () => {
      if (!released) this.release(operation);
      released = true;
    };
    const run = (event: unknown) => this.run(operation.id, event, args);
    const target = this.targets.get(args.contextValue as object);
    if (target && DIRECT in source) {
      const sink: DirectSink = {
        operation: operation.id,
        perViewer: known.perViewer,
        execute: async (event) => {
          const result = await run(event);
          return result.errors ? null : JSON.stringify(result);
        },
        write: (payload) => {
          if (released || target.socket.readyState !== target.socket.OPEN) return true;
          if (target.socket.bufferedAmount > MAX_BUFFERED_BYTES) return false;
          // A text frame, as graphql-ws sends (a Buffer would go as a binary one).
          target.socket.send(this.frame(target.id, payload), { binary: false });
          return true;
        },
      };
      (source as unknown as { [DIRECT](sink: DirectSink): void })[DIRECT](sink);
    }
    const iterator: AsyncGenerator<ExecutionResult, void, void> = {
      async next() {
        const step = await source.next();
        if (step.done) {
          release();
          return { done: true, value: undefined };
        }
        return { done: false, value: await run(step.value) };
      },
      async return() {
        release();
        await source.return?.();
        return { done: true, value: undefined };
      },
      async throw(err: unknown) {
        release();
        await source.return?.();
        throw err;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
      // Node 20 types async generators as disposable too.
      async [Symbol.asyncDispose]() {
        release();
        await source.return?.();
      },
    } as AsyncGenerator<ExecutionResult, void, void>;
    return iterator;
  };

  /** Binds an operation's context to its socket and subscription id: its events may then be written directly. */
  bind(contextValue: object, socket: WebSocket, id: string): void {
    this.targets.set(contextValue, { socket, id });
  }

  /** The graphql-ws `next` message for a payload, as graphql-ws writes it, made once per payload and subscription id. */
  private frame(id: string, payload: string): Buffer {
    if (this.frames.payload !== payload) this.frames = { payload, byId: new Map() };
    let frame = this.frames.byId.get(id);
    if (!frame) this.frames.byId.set(id, (frame = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`)));
    return frame;
  }

  /** A short id for an operation, while any socket has it subscribed: keys are built per socket and event, the text may be kilobytes. */
  private acquire(text: string): { text: string; id: string; sockets: number } {
    let op = this.operations.get(text);
    if (!op) this.operations.set(text, (op = { text, id: `${text.startsWith("viewer|") ? "viewer" : "scope"}:${++this.lastOperationId}`, sockets: 0 }));
    op.sockets++;
    return op;
  }

  private release(op: { text: string; sockets: number }): void {
    if (--op.sockets === 0) this.operations.delete(op.text);
  }

  private run(operation: string, event: unknown, args: ExecutionArgs): Promise<ExecutionResult> {
    const { shareKey, viewerKey } = (event ?? {}) as { shareKey?: unknown; viewerKey?: unknown };
    if (typeof shareKey !== "string" || typeof viewerKey !== "string") {
      this.executions++;
      return Promise.resolve(execute({ ...args, rootValue: event }));
    }
    const key = operation.startsWith("viewer:") ? `${shareKey}|${viewerKey}|${operation}` : `${shareKey}|${operation}`;
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
