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
  const pg = database.pg!;
  // A lock is held per connection: reserve one so lock, migrate and unlock share it.
  const reserved = await pg.reserve();
  try {
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK})`;
    const { drizzle } = await import("drizzle-orm/postgres-js");
    await run(drizzle(reserved), { migrationsFolder });
  } finally {
    await reserved`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    reserved.release();
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
