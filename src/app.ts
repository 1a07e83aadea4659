import "reflect-metadata";
import { dbStatements } from "./metrics/metrics.js";
import type { Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { openDatabase, type Database } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { systemClock, type Clock } from "./clock.js";
import { argon2Hasher, type PasswordHasher } from "./auth/password.js";
import { RateLimiter } from "./auth/rate-limit.js";
import { MemoryEngine, type PubSubEngine } from "./realtime/engine.js";
import { PgNotifyEngine } from "./realtime/pg-engine.js";
import { RedisEngine } from "./realtime/redis-engine.js";
import { LogTransport, SmtpTransport, type MailTransport } from "./mail/transport.js";
import { Worker } from "./jobs/worker.js";
import crypto from "node:crypto";
import path from "node:path";
import { DiskStorage, type FileStorage } from "./files/storage.js";
import { S3Storage } from "./files/s3-storage.js";
import type { Deps } from "./deps.js";
import { Services } from "./services.js";

export interface AppOverrides {
  log?: Logger;
  clock?: Clock;
  hasher?: PasswordHasher;
  database?: Database;
  bus?: PubSubEngine;
  mailer?: MailTransport;
  storage?: FileStorage;
  /** Tests drive the worker by hand. */
  startWorker?: boolean;
}

export interface App {
  deps: Deps;
  services: Services;
  worker: Worker;
  close(): Promise<void>;
}

/** Wires the database, the bus and the services from the configuration; applies migrations. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger(config.logLevel);
  const database =
    overrides.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, "pglite"), poolMax: config.databasePoolMax, prepare: config.databasePrepare, onQuery: () => dbStatements.inc() }));
  await migrate(database);
  const clock = overrides.clock ?? systemClock;
  const bus = overrides.bus ?? (await createBus(config, database, log));
  const mailer = overrides.mailer ?? (config.smtpUrl ? new SmtpTransport(config.smtpUrl, config.mailFrom) : new LogTransport(log));
  const deps: Deps = {
    config,
    log,
    database,
    clock,
    hasher: overrides.hasher ?? argon2Hasher,
    rateLimiter: new RateLimiter(database, clock),
    bus,
    mailer,
    storage: overrides.storage ?? (config.s3 ? new S3Storage(config.s3) : new DiskStorage(path.join(config.dataDir, "files"))),
    fileSecret: config.fileUrlSecret ?? crypto.randomBytes(32).toString("base64url"),
  };
  if (!config.fileUrlSecret && config.env === "production") log.warn("FILE_URL_SECRET is not set: file URLs work only on the instance that issued them");
  const services = new Services(deps);
  const worker = new Worker(services);
  if (overrides.startWorker ?? true) worker.start(config.workerIntervalMs);
  return {
    deps,
    services,
    worker,
    async close() {
      await worker.stop();
      mailer.close();
      await bus.close();
      if (!overrides.database) await database.close();
    },
  };
}

/** Redis where configured; else on PostgreSQL, LISTEN/NOTIFY; on PGlite (one process) memory suffices. */
async function createBus(config: Config, database: Database, log: Logger): Promise<PubSubEngine> {
  if (config.redisUrl) return RedisEngine.connect(config.redisUrl, log);
  if (!database.pg) return new MemoryEngine();
  const engine = new PgNotifyEngine(database.pg, log);
  await engine.start();
  return engine;
}
