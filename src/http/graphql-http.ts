import type http from "node:http";
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLFormattedError, GraphQLSchema } from "graphql";
import type { Config } from "../config.js";
import type { Services } from "../services.js";
import { bearer, createContext, type Context } from "../context.js";
import { ErrorCode } from "../errors.js";
import { PARSE_OPTIONS, type createArmor } from "../graphql/limits.js";
import { sendError } from "./respond.js";
import { acceptsGraphqlResponse, isJsonRequest, JSON_TYPE, GRAPHQL_RESPONSE_TYPE, specStatus } from "./graphql-media.js";

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The entry `hops` places from the right of a comma-separated forwarding header: each trusted proxy appends the
 * address it received from, so anything further left was written by the client and proves nothing.
 */
function forwardedEntry(req: http.IncomingMessage, header: string, hops: number): string | undefined {
  const raw = req.headers[header];
  const entries = (Array.isArray(raw) ? raw.join(",") : (raw ?? "")).split(",").map((e) => e.trim()).filter(Boolean);
  if (hops <= 0 || entries.length === 0) return undefined;
  // Fewer entries than trusted hops: the leftmost is the furthest any proxy vouches for.
  return entries[Math.max(0, entries.length - hops)];
}

/** The client's address: the socket's peer, or with TRUST_PROXY=n the address n proxies vouch for (see `forwardedEntry`). */
export function clientAddress(req: http.IncomingMessage, trustProxy: number): string {
  return forwardedEntry(req, "x-forwarded-for", trustProxy) ?? req.socket.remoteAddress ?? "unknown";
}

/** Host names of this machine as a browser writes them in Origin (`URL.hostname` keeps IPv6 brackets). */
const LOCAL_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Browsers send Origin; a foreign one is refused unless configured. Non-browser clients send none and pass.
 * In development any port of a local host passes, so a front-end on its own dev server (e.g. :5173) works at once.
 */
export function originAllowed(req: http.IncomingMessage, config: Pick<Config, "allowedOrigins" | "allowLocalOrigins">): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  const allowed = config.allowedOrigins;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    const url = new URL(origin);
    if (config.allowLocalOrigins && (url.protocol === "http:" || url.protocol === "https:") && LOCAL_HOSTNAMES.has(url.hostname)) return true;
    return url.host === req.headers.host;
  } catch {
    return false;
  }
}

/** Absolute URLs for files: PUBLIC_URL, else the host the client used. */
export function baseUrl(req: http.IncomingMessage, config: Config): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/$/, "");
  const proto = forwardedEntry(req, "x-forwarded-proto", config.trustProxy) ?? "http";
  return `${proto}://${req.headers.host ?? `localhost:${config.port}`}`;
}

class BodyTooLarge extends Error {
  constructor() {
    super("body too large");
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export interface GraphqlHttpOptions {
  schema: GraphQLSchema;
  config: Config;
  services: Services;
  /** The query limits, shared with the WebSocket path. */
  armor: ReturnType<typeof createArmor>;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** More Apollo plugins (metrics). */
  plugins?: ApolloServerPlugin<Context>[];
}

/** Apollo over node:http: CORS for allowed origins, a bounded JSON body, a fresh context per request. */
export class GraphqlHttp {
  private constructor(
    private readonly apollo: ApolloServer<Context>,
    private readonly config: Config,
    private readonly services: Services,
  ) {}

  static async start(opts: GraphqlHttpOptions): Promise<GraphqlHttp> {
    const production = opts.config.env === "production";
    const apollo = new ApolloServer<Context>({
      schema: opts.schema,
      introspection: !production,
      formatError: opts.formatError,
      includeStacktraceInErrorResponses: false,
      allowBatchedHttpRequests: false,
      // The server's own drain (RunningServer.close) is the only SIGTERM handling: Apollo's would stop GraphQL at
      // once and answer requests still in flight with 500.
      stopOnTerminationSignals: false,
      validationRules: opts.armor.validationRules,
      parseOptions: PARSE_OPTIONS,
      plugins: [
        // In ESM, armor's plugin types clash with Apollo's (STACK-NOTES); at run time they are Apollo plugins.
        ...(opts.armor.plugins as unknown as ApolloServerPlugin<Context>[]),
        // Apollo's landing pages load from a CDN; the IDE is served by ./ide.ts instead (and none in production unless switched on).
        ApolloServerPluginLandingPageDisabled(),
        // No cache hints are used (responses are per viewer and never cached), and Apollo's default cache-control
        // plugin wraps every field's resolver to collect them: measurable CPU on list screens (issue 14).
        ApolloServerPluginCacheControlDisabled(),
        ...(opts.plugins ?? []),
      ],
    });
    await apollo.start();
    return new GraphqlHttp(apollo, opts.config, opts.services);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const origin = req.headers.origin;
    if (origin && originAllowed(req, this.config)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "origin");
      res.setHeader("access-control-allow-headers", "authorization, content-type, apollo-require-preflight, x-apollo-operation-name");
      res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
      res.setHeader("access-control-max-age", "600");
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204);
      return void res.end();
    }

    // GraphQL over HTTP: an `Accept` without a type we can answer is 406 before anything runs (Apollo would run the
    // operation, a mutation too, and only then refuse).
    const accept = req.headers.accept;
    if (!acceptsGraphqlResponse(accept)) {
      res.setHeader("accept", `${GRAPHQL_RESPONSE_TYPE}; charset=utf-8, ${JSON_TYPE}; charset=utf-8`);
      return sendError(res, 406, ErrorCode.BAD_REQUEST, `Accept must allow ${GRAPHQL_RESPONSE_TYPE} or ${JSON_TYPE}`);
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    let body: unknown;
    if (req.method === "POST") {
      // Only JSON bodies: text/plain, forms and a missing type are what a cross-site form can send (Apollo's CSRF
      // prevention refuses them too, unless a preflight header came along).
      if (!isJsonRequest(req.headers["content-type"])) {
        return sendError(res, 415, ErrorCode.BAD_REQUEST, `Content-Type must be ${JSON_TYPE} (UTF-8)`);
      }
      let raw: string;
      try {
        raw = await readBody(req);
      } catch (err) {
        if (err instanceof BodyTooLarge) return sendError(res, 413, ErrorCode.BAD_USER_INPUT, "Request body too large");
        throw err;
      }
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return sendError(res, 400, ErrorCode.BAD_USER_INPUT, "Body is not valid JSON");
      }
    }
    const { config, services } = this;
    const response = await this.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? "GET").toUpperCase(), headers, search: url.search, body },
      context: () => createContext(services, bearer(req.headers.authorization), clientAddress(req, config.trustProxy), baseUrl(req, config)),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      res.statusCode = specStatus(res.statusCode, accept, response.headers.get("content-type"), response.body.string);
      return void res.end(response.body.string);
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  /** Lets operations in flight finish (Apollo's own shutdown). */
  stop(): Promise<void> {
    return this.apollo.stop();
  }
}
