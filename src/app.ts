import "reflect-metadata";
import type { Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { openDatabase, type Database } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { systemClock, type Clock } from "./clock.js";
import { argon2Hasher, type PasswordHasher } from "./auth/password.js";
import { RateLimiter } from "./auth/rate-limit.js";
import { MemoryEngine, type PubSubEngine } from "./realtime/engine.js";
import type { Deps } from "./deps.js";
import { Services } from "./services.js";

export interface AppOverrides {
  log?: Logger;
  clock?: Clock;
  hasher?: PasswordHasher;
  database?: Database;
  bus?: PubSubEngine;
}

export interface App {
  deps: Deps;
  services: Services;
  close(): Promise<void>;
}

/** Wires the database, the bus and the services from the configuration; applies migrations. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger(config.logLevel);
  const database =
    overrides.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.databasePoolMax }));
  await migrate(database);
  const clock = overrides.clock ?? systemClock;
  const bus = overrides.bus ?? new MemoryEngine();
  const deps: Deps = {
    config,
    log,
    database,
    clock,
    hasher: overrides.hasher ?? argon2Hasher,
    rateLimiter: new RateLimiter(database, clock),
    bus,
  };
  const services = new Services(deps);
  return {
    deps,
    services,
    async close() {
      await bus.close();
      if (!overrides.database) await database.close();
    },
  };
}
