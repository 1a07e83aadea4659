/**
 * The tables that hold a firm's data, read from the drizzle schema rather than listed by hand: every table
 * a registered module lists (`src/modules/index.ts`) that has a `tenantId` column, plus `tenants` itself. A new
 * module's table joins the "nothing changed" snapshots of the isolation and bad-input tests as soon as it is registered.
 */
import { getTableColumns, type AnyColumn, type SQL } from "drizzle-orm";
import { type PgTable, getTableConfig } from "drizzle-orm/pg-core";
import { allTables } from "../modules/index.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import type { Db } from "../db/client.js";

export interface FirmTable {
  /** The SQL name (`staff_users`), which names the table in a snapshot and in a failing diff. */
  name: string;
  table: PgTable;
  /** The column naming the firm: `tenant_id`, or `id` for `tenants`. */
  firmColumn: AnyColumn;
}

/**
 * Tables without a firm column, each with why: the guard below fails for any other table without one,
 * so a new table is never silently left out of the snapshots.
 */
export const tablesWithoutFirm: Record<string, string> = {
  rate_limits: "login throttling counters, keyed by address and login name; the bad-input test reads the keys its cases use",
};

/** Columns that change when a row is only read (a token's use), left out of every snapshot. */
const volatileColumns: Record<string, readonly string[]> = {
  sessions: ["lastUsedAt"],
};


/** Every firm table, `tenants` first. */
export function firmTables(): FirmTable[] {
  const out: FirmTable[] = [{ name: getTableConfig(tenants).name, table: tenants, firmColumn: tenants.id }];
  for (const table of allTables()) {
    const column = (getTableColumns(table) as Record<string, AnyColumn>).tenantId;
    if (column) out.push({ name: getTableConfig(table).name, table, firmColumn: column });
  }
  return out;
}

/** Tables the schema exports that neither have a firm column, nor are `tenants`, nor are named in `tablesWithoutFirm`. */
export function tablesNotAccountedFor(): string[] {
  const firm = new Set(firmTables().map((t) => t.name));
  return allTables()
    .map((t) => getTableConfig(t).name)
    .filter((name) => !firm.has(name) && !(name in tablesWithoutFirm));
}

/** A stable order for a snapshot: by `id` where a row has one (numbers padded), else by the whole row. */
function sortRows(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const key = (r: Record<string, unknown>) => (typeof r.id === "number" ? String(r.id).padStart(20, "0") : typeof r.id === "string" ? r.id : JSON.stringify(r));
  return rows.sort((x, y) => key(x).localeCompare(key(y)));
}

/**
 * Every row of the chosen firms in every firm table, by table name, sorted; columns that reading touches are left out.
 * `ofFirms` picks the firms by their firm column (`eq(column, firmId)`). The reads are independent, so they run at
 * once (on PostgreSQL the pool has several connections).
 */
export async function firmRows(db: Db, ofFirms: (firmColumn: AnyColumn) => SQL): Promise<Record<string, Array<Record<string, unknown>>>> {
  const read = await Promise.all(
    firmTables().map(async ({ name, table, firmColumn }) => {
      const rows = (await db.select().from(table).where(ofFirms(firmColumn))) as Array<Record<string, unknown>>;
      const drop = volatileColumns[name] ?? [];
      return [name, sortRows(rows.map((r) => Object.fromEntries(Object.entries(r).filter(([column]) => !drop.includes(column)))))] as const;
    }),
  );
  return Object.fromEntries(read);
}
