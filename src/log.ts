import { pino } from "pino";

export type Logger = pino.Logger;

/** JSON logs to stdout (or `destination`, for tests); secrets that might reach a log line are redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: ["*.password", "*.token", "*.authorization", "req.headers.authorization"], censor: "[redacted]" },
    // Every error, at every level, goes through one serializer that drops SQL parameters (see `loggableError`).
    serializers: { err: loggableError, error: loggableError },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Keys under which drizzle and the drivers keep a failed statement's values (drizzle and PGlite: `params`,
 * postgres.js: `parameters`), and PostgreSQL's `detail`, which repeats them ("Key (email)=(...) already exists").
 * They hold personal data: the SQL text (placeholders only) and the error code are kept.
 */
const SQL_VALUE_KEYS: ReadonlySet<string> = new Set(["params", "parameters", "detail"]);

/** drizzle writes the parameters into its message (and so into the stack) too: "Failed query: ...\nparams: a,b". */
function withoutParams(text: string): string {
  // PostgreSQL's own context names them too: "unnamed portal parameter $1 = '...'".
  return text.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, "\nparams: [redacted]").replace(/(parameter \$\d+ = )'(?:[^']|'')*'/g, "$1[redacted]");
}

/** An error as a log line may hold it: pino's own serialization, causes included, without SQL parameters. */
export function loggableError(err: unknown, depth = 0): unknown {
  if (typeof err === "string") return withoutParams(err);
  if (depth > 5 || err === null || typeof err !== "object") return err;
  const plain: Record<string, unknown> =
    err instanceof Error ? { ...pino.stdSerializers.err(err) } : { ...(err as Record<string, unknown>) };
  if (err instanceof Error && err.cause !== undefined) plain.cause = err.cause;
  for (const [key, value] of Object.entries(plain)) {
    if (SQL_VALUE_KEYS.has(key)) plain[key] = "[redacted]";
    else if (Array.isArray(value)) plain[key] = value.map((v: unknown) => loggableError(v, depth + 1));
    else plain[key] = loggableError(value, depth + 1);
  }
  return plain;
}
