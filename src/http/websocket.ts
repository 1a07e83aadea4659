import type http from "node:http";
import type { Duplex } from "node:stream";
import { GraphQLError, parse, validate, getOperationAST, type DocumentNode, type ExecutionArgs, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { WebSocketServer, type WebSocket } from "ws";
import type { Disposable } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import type { Config } from "../config.js";
import type { Services } from "../services.js";
import { bearer, createContext } from "../context.js";
import { ErrorCode } from "../errors.js";
import { PARSE_OPTIONS, wsValidationRules, type createArmor } from "../graphql/limits.js";
import { CLOSE_TOO_MANY_SOCKETS, type SocketRegistry } from "./session-sockets.js";
import { baseUrl, clientAddress, originAllowed } from "./graphql-http.js";
import { WsOperationMetrics } from "../metrics/ws-operations.js";
import { SharedExecution } from "./shared-execution.js";

/** Far below ws's 100 MiB default: an operation is a few KiB. */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 25;
/** Parsed and validated documents kept for reuse (the oldest goes first). */
const MAX_CACHED_DOCUMENTS = 1000;

/** Query text -> a document that parsed and validated; bounded, oldest first out. */
class DocumentCache {
  private readonly map = new Map<string, DocumentNode>();
  constructor(private readonly max: number) {}
  get(query: string): DocumentNode | undefined {
    return this.map.get(query);
  }
  set(query: string, document: DocumentNode): void {
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    this.map.set(query, document);
  }
}

type WsExtra = {
  viewerToken: string | undefined;
  sessionId: string | undefined;
  clientAddress: string;
  baseUrl: string;
};

export interface GraphqlWebSocketOptions {
  schema: GraphQLSchema;
  config: Config;
  services: Services;
  /** The same query limits as over HTTP: armor does not cover graphql-ws, so they run in onSubscribe. */
  armor: ReturnType<typeof createArmor>;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Sockets by session, so ending a session closes its sockets. */
  sockets: SocketRegistry;
}

/** Refuses an upgrade before any WebSocket exists. */
export function refuseUpgrade(socket: Duplex): void {
  socket.write("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
  socket.destroy();
}

/** The graphql-ws server: only logged-in viewers, the HTTP query limits, and errors formatted as over HTTP. */
export class GraphqlWebSocket {
  private readonly wss: WebSocketServer;
  private readonly server: Disposable;
  private readonly operations = new WsOperationMetrics();
  /** Subscription events executed once per (operation, variables, access scope), whatever the number of sockets. */
  readonly shared = new SharedExecution();

  constructor(private readonly opts: GraphqlWebSocketOptions) {
    const { schema, config, services, sockets, formatError } = opts;
    const production = config.env === "production";
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
    const wsRules = wsValidationRules(opts.armor.validationRules, production);
    const validDocuments = new DocumentCache(MAX_CACHED_DOCUMENTS);
    const operations = this.operations;
    const shared = this.shared;
    this.server = useServer<Record<string, unknown> | undefined, WsExtra>(
      {
        schema,
        subscribe: this.shared.subscribe,
        connectionInitWaitTimeout: config.wsInitTimeoutMs,
        // Only logged-in viewers may hold a socket; the socket is tied to its session so ending it closes the socket.
        onConnect: async (ctx) => {
          const token = bearer(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
          const viewer = await services.session.authenticate(token);
          if (viewer.kind === "anonymous") return false;
          const extra = ctx.extra as unknown as WsExtra & { socket: WebSocket; request: http.IncomingMessage };
          extra.viewerToken = token;
          extra.clientAddress = clientAddress(extra.request, config.trustProxy);
          extra.baseUrl = baseUrl(extra.request, config);
          if (viewer.kind !== "operator") {
            // One token must not hold hundreds of sockets: every event costs each of them queries.
            const userKey = viewer.kind === "staff" ? `staff:${viewer.userId}` : `app:${viewer.accountId}`;
            const refused = sockets.admit(viewer.sessionId, userKey, extra.socket, { perSession: config.wsMaxPerSession, perUser: config.wsMaxPerUser });
            if (refused) {
              // Closed here with its own code; graphql-ws's 4403 that follows finds the socket closing and is dropped.
              extra.socket.close(CLOSE_TOO_MANY_SOCKETS, refused);
              return false;
            }
            extra.sessionId = viewer.sessionId;
          }
          return true;
        },
        onSubscribe: async (ctx, id, payload) => {
          operations.begin(ctx, id, payload.operationName);
          // graphql-ws has entered this operation in `subscriptions` already: it is one of those counted.
          if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_SOCKET) {
            return [new GraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection`, { extensions: { code: ErrorCode.RATE_LIMITED } })];
          }
          // Thousands of clients send the same few documents: each is parsed and validated once (documents are immutable).
          let document = validDocuments.get(payload.query);
          if (!document) {
            try {
              document = parse(payload.query, PARSE_OPTIONS);
            } catch (err) {
              // The code Apollo gives a syntax error (or too many tokens) over HTTP.
              if (!(err instanceof GraphQLError)) return [new GraphQLError("Syntax error", { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
              return [new GraphQLError(err.message, { source: err.source, positions: err.positions, extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
            }
            const errors = validate(schema, document, wsRules);
            // One code for every refused document, as Apollo gives over HTTP (armor's rules say BAD_USER_INPUT themselves).
            if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, originalError: e, extensions: { ...e.extensions, code: ErrorCode.GRAPHQL_VALIDATION_FAILED } }));
            validDocuments.set(payload.query, document);
          }
          // A fresh context (viewer re-read from the session, new loaders) for every operation.
          const extra = ctx.extra as unknown as WsExtra & { socket: WebSocket };
          const contextValue = await createContext(services, extra.viewerToken, extra.clientAddress, extra.baseUrl);
          // Its events may be written to the socket directly, with every other socket of the same operation and scope.
          shared.bind(contextValue, extra.socket, id);
          const args: ExecutionArgs = {
            schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue,
          };
          if (!getOperationAST(document, payload.operationName)) return [new GraphQLError("Operation not found", { extensions: { code: ErrorCode.OPERATION_RESOLUTION_FAILURE } })];
          return args;
        },
        onOperation: (ctx, id, _payload, args, result) => {
          // Named as over HTTP: the operation's own name, whether or not the client sent `operationName`.
          const op = getOperationAST(args.document, args.operationName);
          operations.operated(ctx, id, op?.name?.value ?? args.operationName, op?.operation, Symbol.asyncIterator in result);
          return undefined;
        },
        onNext: (ctx, id, payload, _args, result) => {
          if (!result.errors) return;
          const errors = result.errors.map((e) => formatError(e.toJSON(), e));
          operations.errors(ctx, id, payload.operationName, errors);
          return { ...result, errors };
        },
        onError: (ctx, id, payload, errors) => {
          const formatted = errors.map((e) => formatError(e.toJSON(), e));
          operations.errors(ctx, id, payload.operationName, formatted);
          return formatted;
        },
        onComplete: (ctx, id) => operations.complete(ctx, id),
        onClose: (ctx) => operations.closed(ctx),
      },
      this.wss,
    );
  }

  /** Takes over an upgrade request for the GraphQL path; refuses foreign browser origins and, with `accepting` false, everyone. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, accepting: boolean): void {
    if (!accepting || !originAllowed(req, this.opts.config)) return refuseUpgrade(socket);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit("connection", ws, req));
  }

  /** Open WebSockets, for metrics. */
  connections(): number {
    return this.wss.clients.size;
  }

  /** Live subscriptions on this server's sockets, for metrics. */
  subscriptions(): number {
    return this.operations.subscriptions();
  }

  /** 1001 "going away": clients reconnect (to another instance) and resume with `after:`. */
  async goAway(): Promise<void> {
    for (const client of this.wss.clients) client.close(1001, "Server shutting down");
    await this.server.dispose();
  }

  /** Ends whatever is still open once the grace period is over. */
  terminate(): void {
    for (const client of this.wss.clients) client.terminate();
  }
}
