import http from "node:http";
import net, { type AddressInfo, type Socket } from "node:net";
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
import { Ide, IDE_PREFIX } from "./http/ide.js";
import { MetricsEndpoint, METRICS_PATH } from "./http/metrics.js";
import { operationMetricsPlugin } from "./metrics/operations.plugin.js";
import type { Context } from "./context.js";

export { MAX_SUBSCRIPTIONS_PER_SOCKET, MAX_WS_MESSAGE_BYTES } from "./http/websocket.js";

export const GRAPHQL_PATH = "/graphql";

/**
 * After SIGTERM the port stays open until nothing is in flight and no connection came for this long: a busy event
 * loop accepts late, and closing the port would reset connections still in the kernel's queue (sent before the signal).
 */
const SETTLE_MS = 150;
/**
 * During the drain an idle connection is closed once it has been idle this long: one just accepted may have its
 * request on the wire, and a keep-alive client may have sent the next one as the last answer left.
 */
const IDLE_GRACE_MS = 500;

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  sockets: SocketRegistry;
  /** HTTP requests being worked on right now. */
  inFlight(): number;
  /** Subscription events executed so far: once per (operation, variables, access scope), not per socket. */
  subscriptionExecutions(): number;
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
  const graphql = await GraphqlHttp.start({ schema, config, services, armor, formatError: errorFormatter, plugins: [operationMetricsPlugin<Context>()] });
  const fileRoutes = new FileRoutes(services.file, log);
  const ide = config.graphiql ? new Ide() : undefined;

  // Per connection: requests under way, and since when it has been idle. Node's closeIdleConnections() also ends
  // connections whose request is still on the wire, which then see a reset instead of an answer.
  const connections = new Map<Socket, { busy: number; idleSince: number }>();
  let lastConnectionAt = 0;
  httpServer.on("connection", (socket: Socket) => {
    lastConnectionAt = Date.now();
    connections.set(socket, { busy: 0, idleSince: Date.now() });
    socket.once("close", () => connections.delete(socket));
  });
  const closeIdle = () => {
    const now = Date.now();
    for (const [socket, c] of connections) {
      if (c.busy === 0 && now - c.idleSince > IDLE_GRACE_MS) socket.destroy();
    }
  };

  let inFlight = 0;
  httpServer.on("request", (req, res) => {
    inFlight++;
    const connection = connections.get(req.socket);
    if (connection) connection.busy++;
    // While draining, tell keep-alive clients not to send another request on this connection.
    if (shuttingDown) res.setHeader("connection", "close");
    res.once("close", () => {
      inFlight--;
      if (connection) {
        connection.busy--;
        connection.idleSince = Date.now();
      }
    });
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
    if (path === METRICS_PATH && (req.method === "GET" || req.method === "HEAD")) return metrics.handle(req, res);
    if (path === READINESS_PATH) return sendReadiness(res, { shuttingDown, database: services.deps.database });
    if (path.startsWith(UPLOAD_PREFIX) && req.method === "PUT") return fileRoutes.upload(req, res, path.slice(UPLOAD_PREFIX.length));
    if (path.startsWith(DOWNLOAD_PREFIX) && (req.method === "GET" || req.method === "HEAD")) return fileRoutes.download(res, path.slice(DOWNLOAD_PREFIX.length));
    if (ide && path.startsWith(IDE_PREFIX) && (req.method === "GET" || req.method === "HEAD")) return ide.sendAsset(req, res, path.slice(IDE_PREFIX.length));
    if (path === GRAPHQL_PATH && ide && Ide.wanted(req, url)) return ide.sendPage(res);
    if (path === GRAPHQL_PATH) return graphql.handle(req, res, url);
    sendError(res, 404, ErrorCode.NOT_FOUND, "Not found");
  }

  // WebSocket: same port and path, graphql-ws protocol.
  const sockets = new SocketRegistry();
  const ws = new GraphqlWebSocket({ schema, config, services, armor, formatError: errorFormatter, sockets });
  httpServer.on("upgrade", (req, socket, head) => {
    // A WebSocket now: goAway() and terminate() end it, not the HTTP drain.
    connections.delete(socket as Socket);
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== GRAPHQL_PATH) return refuseUpgrade(socket);
    ws.upgrade(req, socket, head, !shuttingDown);
  });
  const metrics = new MetricsEndpoint({
    config,
    log,
    database: services.deps.database,
    clock: services.deps.clock,
    ws,
    httpInFlight: () => inFlight,
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
    subscriptionExecutions: () => ws.shared.executions,
    async close(graceMs = 10_000) {
      shuttingDown = true;
      stopClosingEndedSessions();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      const closing = (async () => {
        await ws.goAway();
        // Readiness says 503 now; connections the kernel has queued are still accepted for a moment, then no new
        // ones. Connections with a request under way (or about to send one) keep it; idle ones are closed.
        const settleUntil = Date.now() + graceMs / 2;
        while (Date.now() < settleUntil && (inFlight > 0 || Date.now() - lastConnectionAt < Math.min(SETTLE_MS, graceMs / 10))) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        // net.Server's close, not http.Server's: that one also ends every idle connection at once (Node 19+),
        // including those whose request is on the wire; closeIdle() below waits for them.
        const drained = new Promise<void>((resolve) => net.Server.prototype.close.call(httpServer, () => resolve()));
        closeIdle();
        const idle = setInterval(closeIdle, 50);
        await drained.finally(() => clearInterval(idle));
        await graphql.stop();
      })();
      await Promise.race([closing, deadline]);
      httpServer.closeAllConnections();
      ws.terminate();
    },
  };
}
