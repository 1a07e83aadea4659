import path from "node:path";
import { z } from "zod";

/** Project root, computed from the working directory so it is the same under tsx and in dist/. */
export const projectRoot = process.cwd();

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL").optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  DATABASE_PREPARE: bool.optional(),
  OPERATOR_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(60 * 24 * 14),
  SESSION_MAX_DAYS: z.coerce.number().int().min(1).default(90),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SEED_DEMO: bool.optional(),
  // A number of proxy hops, or true/false (true: one proxy).
  TRUST_PROXY: z
    .union([bool, z.coerce.number().int().min(0).max(10)], { error: "must be true, false or the number of proxy hops (0-10)" })
    .transform((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v))
    .default(0),
  ALLOWED_ORIGINS: z.string().default(""),
  GRAPHIQL: bool.optional(),
  APP_LINK_BASE: z.url().default("https://app.kundenapp.example/register"),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional(),
  MAIL_FROM: z.string().min(3).default("Kundenapp <no-reply@kundenapp.example>"),
  WORKER_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  EVENT_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(30_000),
  WS_MAX_PER_SESSION: z.coerce.number().int().min(1).max(1000).default(5),
  WS_MAX_PER_USER: z.coerce.number().int().min(1).max(1000).default(20),
  WS_INIT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  FILE_URL_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default("us-east-1"),
  S3_BUCKET: z.string().min(3).optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),
  STAFF_LINK_BASE: z.url().default("https://crm.kundenapp.example/invitation"),
});

export interface Config {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  publicUrl: string | undefined;
  databaseUrl: string | undefined;
  /** Redis for the event bus between instances; unset: PostgreSQL NOTIFY (or memory on PGlite). */
  redisUrl: string | undefined;
  dataDir: string;
  databasePoolMax: number;
  /** PostgreSQL: queries as prepared statements (off behind a pooler that cannot keep them). */
  databasePrepare: boolean;
  operatorToken: string | undefined;
  sessionIdleMs: number;
  sessionMaxMs: number;
  logLevel: string;
  seedDemo: boolean;
  /**
   * How many proxies in front of the server append to `X-Forwarded-For` (0: none, the socket's peer is the client).
   * The client address is the entry that many hops from the right; what a client writes further left is ignored.
   */
  trustProxy: number;
  /** Open WebSockets one session may hold, and one user (staff user or app account) over all its sessions. */
  wsMaxPerSession: number;
  wsMaxPerUser: number;
  /** Origins a browser may open a WebSocket from; empty means only same-host origins. */
  allowedOrigins: string[];
  /** Development only: any port of localhost, 127.0.0.1 and [::1] may call the API from a browser (a front-end's own dev server). */
  allowLocalOrigins: boolean;
  /** Serve the GraphiQL IDE on `GET /graphql` for browsers: on outside production, off in production unless GRAPHIQL=true. */
  graphiql: boolean;
  appLinkBase: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** How often the worker loop runs (F4 escalation, mail, clean-up); 0 in tests that drive it by hand. */
  workerIntervalMs: number;
  /** How often a subscription reads the event log even without a wake-up from the bus. */
  eventPollMs: number;
  /** How long a WebSocket may take to send `connection_init`. */
  wsInitTimeoutMs: number;
  /** Signs file URLs; every instance needs the same. Unset: a random secret per process (one instance only). */
  fileUrlSecret: string | undefined;
  /** An S3-compatible store for files; unset: local disk under the data directory. */
  s3: { endpoint: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean } | undefined;
  /** Where a staff invitation link points (the broker web app's set-password page). */
  staffLinkBase: string;
}

function s3Config(e: z.infer<typeof envSchema>): Config["s3"] {
  if (!e.S3_BUCKET) return undefined;
  const missing = (["S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const).filter((k) => !e[k]);
  if (missing.length) throw new ConfigError(missing.map((k) => `${k}: required when S3_BUCKET is set`));
  return {
    endpoint: e.S3_ENDPOINT!,
    region: e.S3_REGION,
    bucket: e.S3_BUCKET,
    accessKeyId: e.S3_ACCESS_KEY_ID!,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads and validates the environment once; a bad value names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir: path.resolve(projectRoot, e.DATA_DIR),
    databasePoolMax: e.DATABASE_POOL_MAX,
    databasePrepare: e.DATABASE_PREPARE ?? true,
    operatorToken: e.OPERATOR_TOKEN,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_DAYS * 86_400_000,
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO ?? e.NODE_ENV !== "production",
    trustProxy: e.TRUST_PROXY,
    allowedOrigins: e.ALLOWED_ORIGINS.split(",").map((s) => s.trim()).filter(Boolean),
    allowLocalOrigins: e.NODE_ENV === "development",
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== "production",
    appLinkBase: e.APP_LINK_BASE,
    staffLinkBase: e.STAFF_LINK_BASE,
    fileUrlSecret: e.FILE_URL_SECRET,
    wsInitTimeoutMs: e.WS_INIT_TIMEOUT_MS,
    wsMaxPerSession: e.WS_MAX_PER_SESSION,
    wsMaxPerUser: e.WS_MAX_PER_USER,
    eventPollMs: e.EVENT_POLL_MS,
    s3: s3Config(e),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    workerIntervalMs: e.WORKER_INTERVAL_MS,
  };
}
