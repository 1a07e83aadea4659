import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../db/client.js";
import { migrate } from "../db/migrate.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** PostgreSQL: a migrated template database for this run; each test file gets its own copy of it. */
    databaseUrl: string | undefined;
    /** PostgreSQL: the database to connect to for CREATE/DROP DATABASE. */
    adminDatabaseUrl: string | undefined;
    /** PGlite: a migrated data directory dump each test file starts from (0.5 s instead of 3 s). */
    pgliteDump: string | undefined;
  }
}

/**
 * Runs once per `npm test`. With TEST_DATABASE_URL: creates a fresh, migrated template database for the run
 * (each test file copies it, see harness.ts) and drops it and its copies after.
 * Without: migrates an in-memory PGlite once and dumps it for the test files.
 */
export default async function setup(project: TestProject) {
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    const { default: postgres } = await import("postgres");
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    const name = `kundenapp_test_${process.pid}_${Date.now()}`;
    await admin.unsafe(`create database ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const database = await openDatabase({ databaseUrl: url.toString(), poolMax: 2 });
    await migrate(database);
    await database.close();
    project.provide("databaseUrl", url.toString());
    project.provide("adminDatabaseUrl", base);
    project.provide("pgliteDump", undefined);
    return async () => {
      const copies = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${name}_%`}`;
      for (const { datname } of copies) await admin.unsafe(`drop database if exists ${datname} with (force)`);
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  const database = await openDatabase({});
  await migrate(database);
  const client = (database.db as unknown as { $client: { dumpDataDir(c: "none"): Promise<Blob> } }).$client;
  const dump = await client.dumpDataDir("none");
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-test-")), "template.tar");
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide("databaseUrl", undefined);
  project.provide("adminDatabaseUrl", undefined);
  project.provide("pgliteDump", file);
  return () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
