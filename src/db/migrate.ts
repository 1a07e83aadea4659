import { sql } from "drizzle-orm";
import { migrationsFolder, type Database } from "./client.js";

/** An arbitrary fixed key: only one process migrates at a time. */
const MIGRATION_LOCK = 7_220_431_001;

/** Applies drizzle-kit's migrations; on PostgreSQL under an advisory lock so several instances may start at once. */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === "pglite") {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    // The Db type is shared; the PGlite migrator wants its own driver type.
    await run(database.db as never, { migrationsFolder });
    return;
  }
  const { migrate: run } = await import("drizzle-orm/postgres-js/migrator");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { default: postgres } = await import("postgres");
  // An advisory lock belongs to a connection: a pool of one keeps lock, migration and unlock on it.
  const single = postgres(database.connectionUrl!, { max: 1, onnotice: () => {} });
  try {
    await single`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await run(drizzle(single), { migrationsFolder });
    await single`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await single.end({ timeout: 5 });
  }
}

/** True when the database answers a trivial query (readiness probe). */
export async function ping(database: Database): Promise<boolean> {
  try {
    await database.rows(sql`select 1 as ok`);
    return true;
  } catch {
    return false;
  }
}
