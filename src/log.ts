import { pino } from "pino";

export type Logger = pino.Logger;

/** JSON logs to stdout; secrets that might reach a log line are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: ["*.password", "*.token", "*.authorization", "req.headers.authorization"], censor: "[redacted]" },
  });
}
