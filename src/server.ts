import http from "node:http";
import type { AddressInfo } from "node:net";
import type { GraphQLSchema } from "graphql";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import { ErrorCode, formatError } from "./errors.js";
import { getSchema } from "./schema.js";
import { createArmor } from "./graphql/limits.js";
import type { Services } from "./services.js";
import { GraphqlHttp } from "./http/graphql-http.js";
import { DOWNLOAD_PREFIX, FileRoutes, UPLOAD_PREFIX } from "./http/file-routes.js";
import { LIVENESS_PATH, READINESS_PATH, sendLiveness, sendReadiness } from "./http/health.js";
import { GraphqlWebSocket, refuseUpgrade } from "./http/websocket.js";
import { closeEndedSessionSockets, SocketRegistry } from "./http/session-sockets.js";
import { sendError } from "./http/respond.js";

export { MAX_SUBSCRIPTIONS_PER_SOCKET, MAX_WS_MESSAGE_BYTES } from "./http/websocket.js";

export const GRAPHQL_PATH = "/graphql";

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

/** Starts HTTP (GraphQL, files, health) and WebSocket (graphql-ws) on one port. */
export async function startServer(opts: { config: Config; log: Logger; services: Services; port?: number; host?: string }): Promise<RunningServer> {
  const { config, log, services } = opts;
  const schema: GraphQLSchema = await getSchema();
  const armor = createArmor();
  const errorFormatter = formatError(log);
  let shuttingDown = false;

  const httpServer = http.createServer();
  const graphql = await GraphqlHttp.start({ schema, config, services, armor, formatError: errorFormatter });
  const fileRoutes = new FileRoutes(services.file, log);

  let inFlight = 0;
  httpServer.on("request", (req, res) => {
    inFlight++;
    res.once("close", () => inFlight--);
    void route(req, res).catch((err: unknown) => {
      log.error({ err }, "request failed");
      if (!res.headersSent) sendError(res, 500, ErrorCode.INTERNAL, "Internal error");
      else res.end();
    });
  });

  /** Which path goes where. */
  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (path === LIVENESS_PATH) return sendLiveness(res);
    if (path === READINESS_PATH) return sendReadiness(res, { shuttingDown, database: services.deps.database });
    if (path.startsWith(UPLOAD_PREFIX) && req.method === "PUT") return fileRoutes.upload(req, res, path.slice(UPLOAD_PREFIX.length));
    if (path.startsWith(DOWNLOAD_PREFIX) && (req.method === "GET" || req.method === "HEAD")) return fileRoutes.download(res, path.slice(DOWNLOAD_PREFIX.length));
    if (path === GRAPHQL_PATH) return graphql.handle(req, res, url);
    sendError(res, 404, ErrorCode.NOT_FOUND, "Not found");
  }

  // WebSocket: same port and path, graphql-ws protocol.
  const sockets = new SocketRegistry();
  const ws = new GraphqlWebSocket({ schema, config, services, armor, formatError: errorFormatter, sockets });
  httpServer.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== GRAPHQL_PATH) return refuseUpgrade(socket);
    ws.upgrade(req, socket, head, !shuttingDown);
  });
  const stopClosingEndedSessions = closeEndedSessionSockets({ sockets, bus: services.deps.bus, session: services.session, log });

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
      stopClosingEndedSessions();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      const closing = (async () => {
        await ws.goAway();
        // No new connections; connections with a request under way keep it. Node's own bookkeeping knows
        // a request has begun as soon as its parser has, which Apollo's drain plugin (counting 'request'
        // events) does not: it ended sockets whose request had arrived but was not yet parsed.
        const drained = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        const idle = setInterval(() => httpServer.closeIdleConnections(), 50);
        await drained.finally(() => clearInterval(idle));
        await graphql.stop();
      })();
      await Promise.race([closing, deadline]);
      httpServer.closeAllConnections();
      ws.terminate();
    },
  };
}
