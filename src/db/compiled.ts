import { sql, type SQL } from "drizzle-orm";
import type { AppViewer, SessionViewer, StaffViewer } from "../auth/viewer.js";
import type { Db } from "./client.js";

/**
 * Hot reads built once (issue 14). Drizzle turns a query into SQL text every time it runs; on the app's start
 * screen that was a fifth of the API's CPU, as much as the rest of the query's path in Node. A compiled query is
 * built once per *shape*, with a placeholder for every value, and then only run with the values.
 *
 * The shape of a read is what its SQL text depends on: the viewer's kind, role and permissions (scopes and policies
 * branch on them, never on ids: `viewerShape`), plus whatever the caller's arguments change in the text (the sort
 * order, which filters are set), which the caller names in the key. The builder gets a template of the viewer whose
 * ids are placeholders (`viewerTemplate`), so one compiled query serves every viewer of its shape with that viewer's
 * own ids: no viewer's ids are ever part of the text.
 *
 * Only reads on the database itself (never in a transaction) are compiled: a prepared query is bound to its client.
 */

/** A viewer's customer ids as a placeholder: customer scopes turn it into `= any($n::uuid[])` (see `uuidArray`). */
class IdsPlaceholder extends Set<string> {
  constructor(readonly name: string) {
    super();
  }
}

/** A set of uuids as one `uuid[]` parameter: the SQL text is the same for one id and for a thousand. */
export function uuidArray(ids: ReadonlySet<string> | readonly string[]): SQL {
  if (ids instanceof IdsPlaceholder) return sql`${sql.placeholder(ids.name)}::uuid[]`;
  return sql`${uuidArrayLiteral([...ids])}::uuid[]`;
}

/** A list of uuids as one PostgreSQL array literal (both drivers take it as a single text parameter). */
export function uuidArrayLiteral(ids: readonly string[]): string {
  return `{${ids.join(",")}}`;
}

/** What a viewer's SQL can differ in besides its ids. */
export function viewerShape(viewer: SessionViewer): string {
  return viewer.kind === "staff" ? `staff:${viewer.role}:${[...viewer.permissions].sort().join(",")}` : "app";
}

const ph = (name: string) => sql.placeholder(name) as unknown as string;

/** The viewer with its ids as placeholders (`viewerValues` fills them). Only for building a compiled query. */
export function viewerTemplate<V extends SessionViewer>(viewer: V): V {
  if (viewer.kind === "staff") {
    const t: StaffViewer = { ...viewer, sessionId: ph("viewer_session"), tenantId: ph("viewer_tenant"), userId: ph("viewer_user") };
    return t as V;
  }
  const t: AppViewer = {
    ...viewer,
    sessionId: ph("viewer_session"),
    tenantId: ph("viewer_tenant"),
    accountId: ph("viewer_account"),
    customerId: ph("viewer_customer"),
    customerIds: new IdsPlaceholder("viewer_customers"),
  };
  return t as V;
}

/** The values of a template's placeholders for a viewer. */
export function viewerValues(viewer: SessionViewer): Record<string, unknown> {
  if (viewer.kind === "staff") return { viewer_session: viewer.sessionId, viewer_tenant: viewer.tenantId, viewer_user: viewer.userId };
  return {
    viewer_session: viewer.sessionId,
    viewer_tenant: viewer.tenantId,
    viewer_account: viewer.accountId,
    viewer_customer: viewer.customerId,
    viewer_customers: uuidArrayLiteral([...viewer.customerIds]),
  };
}

/**
 * A compiled read's key: its name and what else changes its text, as `name=value` pairs. Give each filter as whether
 * it is set (or how many values it has), never its value: values are placeholders.
 */
export function shapeKey(name: string, parts: Record<string, string | number | boolean>): string {
  return `${name}:${Object.entries(parts)
    .map(([k, v]) => `${k}=${v}`)
    .join(",")}`;
}

/** A value as itself (a one-off read) or as the placeholder of a compiled read, so one function builds both. */
export type Bind = <T>(name: string, value: T) => T;
export const placeholder: Bind = <T>(name: string) => sql.placeholder(name) as unknown as T;
export const asIs: Bind = <T>(_name: string, value: T) => value;

interface Preparable<R> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<R> };
  toSQL(): { sql: string };
}

interface Compiled {
  text: string;
  query: { execute(values?: Record<string, unknown>): Promise<unknown> };
}

/**
 * A service's compiled reads, by shape. Shapes are few (viewer kinds, roles and permission sets times the sort
 * orders and filters a list has), so the cache is not evicted; past `max` shapes a read is built as usual.
 *
 * Under test (`verify`, on when vitest runs) every run builds the read again and compares its text with the
 * compiled one: a key that misses something the text depends on fails the test that reaches it, instead of
 * serving one request's values to the next.
 */
export class CompiledQueries {
  private readonly cache = new Map<string, Compiled>();

  constructor(
    private readonly db: Db,
    private readonly prefix: string,
    private readonly verify = process.env.VITEST !== undefined,
    private readonly max = 500,
  ) {}

  /**
   * Runs the read `build` makes for the viewer's shape and `key` (what else changes its text), with the viewer's
   * ids and `values` for its placeholders. `build` gets the viewer's template and must read every other value
   * through a placeholder named in `values`.
   */
  async run<V extends SessionViewer, R>(key: string, viewer: V, build: (db: Db, viewer: V) => Preparable<R>, values: Record<string, unknown> = {}): Promise<R> {
    const shape = `${key}|${viewerShape(viewer)}`;
    let compiled = this.cache.get(shape);
    if (!compiled || this.verify) {
      const built = build(this.db, viewerTemplate(viewer));
      const text = built.toSQL().sql;
      if (compiled && compiled.text !== text) {
        throw new Error(`compiled read ${this.prefix}:${shape}: the key misses something its SQL depends on\n${compiled.text}\n${text}`);
      }
      if (!compiled) {
        compiled = { text, query: built.prepare(`${this.prefix}_${this.cache.size}`) };
        if (this.cache.size < this.max) this.cache.set(shape, compiled);
      }
    }
    return (await compiled.query.execute({ ...viewerValues(viewer), ...values })) as R;
  }
}
