import fs from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations, SQL } from "drizzle-orm";
import type postgres from "postgres";
import { projectRoot } from "../config.js";
import { lockDataDir } from "./pglite-lock.js";

/** The API uses drizzle's query builder only (no relational queries), so the client needs no schema object. */
type NoSchema = Record<string, never>;
/** One type over both drivers: drizzle on postgres.js and drizzle on PGlite. */
export type Db = PgDatabase<PgQueryResultHKT, NoSchema>;
export type Tx = PgTransaction<PgQueryResultHKT, NoSchema, ExtractTablesWithRelations<NoSchema>>;
/** Anything a query can run on: the database or an open transaction. */
export type Queryable = Db | Tx;

export interface Database {
  kind: "postgres" | "pglite";
  db: Db;
  /** Raw SQL returning rows, normalized across drivers (postgres.js returns an array, PGlite `{ rows }`). */
  rows<T extends Record<string, unknown>>(query: SQL, on?: Queryable): Promise<T[]>;
  /** The postgres.js client, for LISTEN/NOTIFY; absent on PGlite. */
  pg?: postgres.Sql;
  /** Opens a second postgres.js connection pool to the same database (for LISTEN); absent on PGlite. */
  connectionUrl?: string;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(projectRoot, "drizzle");

function normalizeRows<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function queryLogger(opts: OpenOptions) {
  const onQuery = opts.onQuery;
  return onQuery ? { logQuery: (query: string) => onQuery(query) } : undefined;
}

export interface OpenOptions {
  databaseUrl?: string;
  /** PGlite data directory; undefined means in memory. */
  dataDir?: string;
  /** A PGlite data dump to start from (tests: a migrated template). */
  loadDataDir?: Blob;
  poolMax?: number;
  /** Called for every SQL statement (benchmarks count statements per request with it). */
  onQuery?: (sql: string) => void;
  /** PostgreSQL: send queries as prepared statements (default); off for poolers that cannot keep them (PgBouncer < 1.21 in transaction mode). */
  prepare?: boolean;
}

const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * Drizzle sends a query as a prepared statement only when it is given a name; every other query is parsed and
 * planned by PostgreSQL each time. postgres.js keeps a prepared statement per query text and connection, and
 * drizzle's text for a query is the same whatever its parameters: so every select, insert, update and delete is
 * sent prepared (issue 14: PostgreSQL's CPU per request). Inside transactions too.
 */
function preparing(sql: postgres.Sql | postgres.TransactionSql): postgres.Sql {
  return new Proxy(sql as postgres.Sql, {
    get(target, prop, receiver) {
      if (prop === "unsafe") {
        return (query: string, params?: unknown[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, params as never, PREPARABLE.test(query) ? { ...options, prepare: true } : options);
      }
      if (prop === "begin" || prop === "savepoint") {
        return (...args: unknown[]) => {
          const fn = args.at(-1) as (tx: postgres.TransactionSql) => unknown;
          return (target as unknown as Record<string, (...a: unknown[]) => unknown>)[prop]!(...args.slice(0, -1), (tx: postgres.TransactionSql) => fn(preparing(tx) as unknown as postgres.TransactionSql));
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** Opens PostgreSQL through postgres.js when a URL is given, else PGlite (embedded, in `dataDir` or memory). */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const { default: postgresFn } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const pg = postgresFn(opts.databaseUrl, {
      max: opts.poolMax ?? 10,
      onnotice: () => {},
      connection: { application_name: "kundenapp-api" },
      // Off behind a pooler that cannot keep prepared statements: then no query is prepared, not even the ones
      // drizzle prepares by name (the session lookups, compiled reads), which would otherwise ask for it.
      prepare: opts.prepare !== false,
    });
    const db = drizzle(opts.prepare === false ? pg : preparing(pg), { logger: queryLogger(opts) }) as unknown as Db;
    return {
      kind: "postgres",
      db,
      pg,
      connectionUrl: opts.databaseUrl,
      rows: async (q, on) => normalizeRows(await (on ?? db).execute(q)),
      close: () => pg.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  // The searches' trigram indexes (migration 0008) need pg_trgm, as on PostgreSQL.
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  if (opts.dataDir) fs.mkdirSync(opts.dataDir, { recursive: true });
  // One process per data directory: a second one (the CLI while the server runs) would write behind its back.
  const release = opts.dataDir ? lockDataDir(opts.dataDir) : () => {};
  let client;
  try {
    client = await PGlite.create({
      dataDir: opts.dataDir,
      loadDataDir: opts.loadDataDir,
      extensions: { pg_trgm },
    });
  } catch (err) {
    release();
    throw err;
  }
  const db = drizzle(client, { logger: queryLogger(opts) }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    rows: async (q, on) => normalizeRows(await (on ?? db).execute(q)),
    close: async () => {
      await client.close();
      release();
    },
  };
}
