import type http from "node:http";
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import type { GraphQLFormattedError, GraphQLSchema } from "graphql";
import type { Config } from "../config.js";
import type { Services } from "../services.js";
import { bearer, createContext, type Context } from "../context.js";
import { ErrorCode } from "../errors.js";
import type { createArmor } from "../graphql/limits.js";
import { sendError } from "./respond.js";

const MAX_BODY_BYTES = 1024 * 1024;

export function clientAddress(req: http.IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = req.headers["x-forwarded-for"];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? "unknown";
}

/** Browsers send Origin; a foreign one is refused unless configured. Non-browser clients send none and pass. */
export function originAllowed(req: http.IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Absolute URLs for files: PUBLIC_URL, else the host the client used. */
export function baseUrl(req: http.IncomingMessage, config: Config): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/$/, "");
  const proto = config.trustProxy ? String(req.headers["x-forwarded-proto"] ?? "http").split(",")[0]!.trim() : "http";
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
      validationRules: opts.armor.validationRules,
      plugins: [
        // In ESM, armor's plugin types clash with Apollo's (STACK-NOTES); at run time they are Apollo plugins.
        ...(opts.armor.plugins as unknown as ApolloServerPlugin<Context>[]),
        production ? ApolloServerPluginLandingPageProductionDefault({ footer: false }) : ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
      ],
    });
    await apollo.start();
    return new GraphqlHttp(apollo, opts.config, opts.services);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const origin = req.headers.origin;
    if (origin && originAllowed(req, this.config.allowedOrigins)) {
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
    if (response.body.kind === "complete") return void res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  /** Lets operations in flight finish (Apollo's own shutdown). */
  stop(): Promise<void> {
    return this.apollo.stop();
  }
}
