import http from "node:http";
import { pipeline } from "node:stream/promises";
import type { AddressInfo } from "node:net";
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { GraphQLError, parse, validate, getOperationAST, type ExecutionArgs, type GraphQLSchema } from "graphql";
import { WebSocketServer, type WebSocket } from "ws";
import { useServer } from "graphql-ws/use/ws";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import { bearer, createContext, type Context } from "./context.js";
import { ErrorCode, formatError } from "./errors.js";
import { getSchema } from "./schema.js";
import { createArmor, LIMITS, wsValidationRules } from "./graphql/limits.js";
import { SocketRegistry } from "./realtime/sockets.js";
import { SESSIONS_ENDED } from "./modules/session/session.service.js";
import type { Services } from "./services.js";
import { ping } from "./db/migrate.js";

export const GRAPHQL_PATH = "/graphql";
const MAX_BODY_BYTES = 1024 * 1024;
/** Far below ws's 100 MiB default: an operation is a few KiB. */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 25;

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  sockets: SocketRegistry;
  /** HTTP requests being worked on right now. */
  inFlight(): number;
  /** Stops taking new work, lets requests in flight finish, closes sockets; resolves within `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

type WsExtra = {
  viewerToken: string | undefined;
  sessionId: string | undefined;
  clientAddress: string;
  baseUrl: string;
};

function clientAddress(req: http.IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = req.headers["x-forwarded-for"];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? "unknown";
}

/** Browsers send Origin; a foreign one is refused unless configured. Non-browser clients send none and pass. */
function originAllowed(req: http.IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error("body too large"), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/** Starts HTTP (GraphQL, health) and WebSocket (graphql-ws) on one port. */
export async function startServer(opts: { config: Config; log: Logger; services: Services; port?: number; host?: string }): Promise<RunningServer> {
  const { config, log, services } = opts;
  const production = config.env === "production";
  const schema: GraphQLSchema = await getSchema();
  const armor = createArmor();
  const errorFormatter = formatError(log);
  let shuttingDown = false;

  const httpServer = http.createServer();
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: !production,
    formatError: errorFormatter,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: armor.validationRules,
    plugins: [
      ...(armor.plugins as unknown as ApolloServerPlugin<Context>[]),
      production ? ApolloServerPluginLandingPageProductionDefault({ footer: false }) : ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
    ],
  });
  await apollo.start();

  let inFlight = 0;
  httpServer.on("request", (req, res) => {
    inFlight++;
    res.once("close", () => inFlight--);
    void handle(req, res).catch((err: unknown) => {
      const status = (err as { status?: number }).status;
      if (status === 413) return send(res, 413, { errors: [{ message: "Request body too large", extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
      log.error({ err }, "request failed");
      if (!res.headersSent) send(res, 500, { errors: [{ message: "Internal error", extensions: { code: ErrorCode.INTERNAL } }] });
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/healthz") return send(res, 200, { status: "ok" });
    if (url.pathname === "/readyz") {
      const ok = !shuttingDown && (await ping(services.deps.database));
      return send(res, ok ? 200 : 503, { status: ok ? "ready" : "unavailable" });
    }
    if (url.pathname.startsWith("/uploads/") && req.method === "PUT") return handleUpload(req, res, url.pathname.slice("/uploads/".length));
    if (url.pathname.startsWith("/files/") && (req.method === "GET" || req.method === "HEAD")) return handleDownload(res, url.pathname.slice("/files/".length));
    if (url.pathname !== GRAPHQL_PATH) return send(res, 404, { error: "not found" });

    const origin = req.headers.origin;
    if (origin && originAllowed(req, config.allowedOrigins)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "origin");
      res.setHeader("access-control-allow-headers", "authorization, content-type, apollo-require-preflight");
      res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
      res.setHeader("access-control-max-age", "600");
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204);
      return void res.end();
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    let body: unknown;
    if (req.method === "POST") {
      const raw = await readBody(req);
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return send(res, 400, { errors: [{ message: "Body is not valid JSON", extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
      }
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? "GET").toUpperCase(), headers, search: url.search, body },
      context: () => createContext(services, bearer(req.headers.authorization), clientAddress(req, config.trustProxy), baseUrl(req)),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") return void res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  /** Absolute URLs for files: PUBLIC_URL, else the host the client used. */
  function baseUrl(req: http.IncomingMessage): string {
    if (config.publicUrl) return config.publicUrl.replace(/\/$/, "");
    const proto = config.trustProxy ? String(req.headers["x-forwarded-proto"] ?? "http").split(",")[0]!.trim() : "http";
    return `${proto}://${req.headers.host ?? `localhost:${config.port}`}`;
  }

  async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, token: string): Promise<void> {
    const result = await services.file.receive(token, req);
    if (result.ok) return send(res, 200, { ok: true, size: result.file.size, mimeType: result.file.mimeType });
    // A refused body may still be arriving: answer, then close rather than read megabytes we will not keep.
    res.setHeader("connection", "close");
    send(res, result.error.status, { errors: [{ message: result.error.message, extensions: { code: result.error.code } }] });
    req.resume();
  }

  async function handleDownload(res: http.ServerResponse, token: string): Promise<void> {
    const opened = await services.file.open(token);
    if (!opened) return send(res, 404, { error: "not found or link expired" });
    const { file, stream } = opened;
    res.writeHead(200, {
      "content-type": file.mimeType ?? "application/octet-stream",
      "content-length": String(file.size ?? ""),
      "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      "cache-control": "private, max-age=300",
      "x-content-type-options": "nosniff",
    });
    // pipeline() ends the response if the storage fails half-way, instead of leaving it hanging.
    await pipeline(stream, res).catch((err: unknown) => {
      log.debug({ err, fileId: file.id }, "download interrupted (client gone or storage failed)");
      res.destroy();
    });
  }

  // WebSocket: same port and path, graphql-ws protocol.
  const sockets = new SocketRegistry();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
  httpServer.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (shuttingDown || path !== GRAPHQL_PATH || !originAllowed(req, config.allowedOrigins)) {
      socket.write("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  const wsRules = wsValidationRules(armor.validationRules, production);
  const wsServer = useServer<Record<string, unknown> | undefined, WsExtra>(
    {
      schema,
      connectionInitWaitTimeout: config.wsInitTimeoutMs,
      // Only logged-in viewers may hold a socket; the socket is tied to its session so ending it closes the socket.
      onConnect: async (ctx) => {
        const token = bearer(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
        const viewer = await services.session.authenticate(token);
        if (viewer.kind === "anonymous") return false;
        const extra = ctx.extra as unknown as WsExtra & { socket: WebSocket; request: http.IncomingMessage };
        extra.viewerToken = token;
        extra.clientAddress = clientAddress(extra.request, config.trustProxy);
        extra.baseUrl = baseUrl(extra.request);
        if (viewer.kind !== "operator") {
          extra.sessionId = viewer.sessionId;
          sockets.add(viewer.sessionId, extra.socket);
        }
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        if (Object.keys(ctx.subscriptions).length >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
          return [new GraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection`, { extensions: { code: ErrorCode.RATE_LIMITED } })];
        }
        let document;
        try {
          document = parse(payload.query, { maxTokens: LIMITS.maxTokens });
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError("Syntax error")];
        }
        const errors = validate(schema, document, wsRules);
        if (errors.length > 0) return errors;
        // A fresh context (viewer re-read from the session, new loaders) for every operation.
        const extra = ctx.extra as unknown as WsExtra;
        const contextValue = await createContext(services, extra.viewerToken, extra.clientAddress, extra.baseUrl);
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
        if (!getOperationAST(document, payload.operationName)) return [new GraphQLError("Operation not found")];
        return args;
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return;
        return { ...result, errors: result.errors.map((e) => errorFormatter(e.toJSON(), e)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => errorFormatter(e.toJSON(), e)),
    },
    wss,
  );

  const stopListening = services.deps.bus.onMessage((message) => {
    if (message.topic !== SESSIONS_ENDED) return;
    for (const id of (message.payload.sessionIds as string[] | undefined) ?? []) sockets.closeSession(id);
  });

  // Sessions also end without an event (expiry, a missed NOTIFY): sweep this process's sockets every second.
  const sweep = setInterval(() => {
    const ids = sockets.sessionIds();
    if (ids.length === 0) return;
    services.session
      .stillActive(ids)
      .then((active) => ids.filter((id) => !active.has(id)).forEach((id) => sockets.closeSession(id)))
      .catch((err: unknown) => log.warn({ err }, "socket sweep failed"));
  }, 1_000);
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(opts.port ?? config.port, opts.host ?? config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = (opts.host ?? config.host) === "0.0.0.0" ? "localhost" : (opts.host ?? config.host);

  return {
    url: `http://${host}:${port}${GRAPHQL_PATH}`,
    wsUrl: `ws://${host}:${port}${GRAPHQL_PATH}`,
    port,
    sockets,
    inFlight: () => inFlight,
    async close(graceMs = 10_000) {
      shuttingDown = true;
      stopListening();
      clearInterval(sweep);
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      const closing = (async () => {
        // 1001 "going away": clients reconnect (to another instance) and resume with `after:`.
        for (const client of wss.clients) client.close(1001, "Server shutting down");
        await wsServer.dispose();
        // No new connections; connections with a request under way keep it. Node's own bookkeeping knows
        // a request has begun as soon as its parser has, which Apollo's drain plugin (counting 'request'
        // events) does not: it ended sockets whose request had arrived but was not yet parsed.
        const drained = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        const idle = setInterval(() => httpServer.closeIdleConnections(), 50);
        await drained.finally(() => clearInterval(idle));
        await apollo.stop();
      })();
      await Promise.race([closing, deadline]);
      httpServer.closeAllConnections();
      for (const client of wss.clients) client.terminate();
    },
  };
}
