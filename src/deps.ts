import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import type { Database } from "./db/client.js";
import type { Clock } from "./clock.js";
import type { PasswordHasher } from "./auth/password.js";
import type { RateLimiter } from "./auth/rate-limit.js";
import type { PubSubEngine } from "./realtime/engine.js";
import type { MailTransport } from "./mail/transport.js";
import type { FileStorage } from "./files/storage.js";

/** What services need from the outside world; tests swap the clock (and anything with side effects). */
export interface Deps {
  config: Config;
  log: Logger;
  database: Database;
  clock: Clock;
  hasher: PasswordHasher;
  rateLimiter: RateLimiter;
  bus: PubSubEngine;
  mailer: MailTransport;
  storage: FileStorage;
  /** Signs upload and download URLs; the same on every instance. */
  fileSecret: string;
}
