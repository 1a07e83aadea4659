import { Field, Int, ObjectType, ArgsType, ClassType } from "type-graphql";
import { Max, Min } from "class-validator";
import { and, asc, count, desc, gt, lt, or, eq, is, sql, Column, Param, type SQL, type AnyColumn } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";
import type { Queryable } from "../db/client.js";
import { badInput } from "../errors.js";

@ObjectType({ description: "Relay page information: lists are paged forward with `first` and `after`." })
export class PageInfo {
  @Field(() => Boolean, { description: "Whether more items follow; pass `endCursor` as `after:` to get them." })
  hasNextPage!: boolean;
  @Field(() => Boolean, { description: "True when this page was asked for with `after:`." })
  hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true, description: "The cursor of the page's first item; null for an empty page." })
  startCursor!: string | null;
  @Field(() => String, { nullable: true, description: "The cursor of the page's last item; null for an empty page." })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: "How many items, at most 100." })
  @Min(0)
  @Max(100)
  first!: number;

  @Field(() => String, { nullable: true, description: "Cursor of the item after which the page starts." })
  after?: string | null;
}

/** A value that computes itself only if awaited: `totalCount` costs a query only when a client asks for it. */
export function lazy<T>(compute: () => Promise<T>): PromiseLike<T> {
  let p: Promise<T> | undefined;
  return { then: (ok, fail) => (p ??= compute()).then(ok, fail) };
}

export interface ConnectionShape<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: PromiseLike<number> | number;
}

/** Builds `XConnection` and `XEdge` object types for a node type. */
export function Connection<T extends object>(nodeType: ClassType<T>, name: string, opts: { extend?: boolean } = {}) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String, { description: "Pass it as `after:` to continue after this item; opaque, valid only for the same list." })
    cursor!: string;
    @Field(() => nodeType)
    node!: T;
  }

  // With `extend`, a subclass adds fields and takes the name; type-graphql 2 emits only referenced types.
  @ObjectType(opts.extend ? `${name}ConnectionBase` : `${name}Connection`)
  abstract class Conn implements ConnectionShape<T> {
    @Field(() => [Edge], { description: "The page's items, each with its cursor." })
    edges!: Edge[];
    @Field(() => [nodeType], { description: "The nodes of `edges`, for clients that need no cursors." })
    nodes!: T[];
    @Field(() => PageInfo)
    pageInfo!: PageInfo;
    @Field(() => Int, { description: "All items matching the filter; counted only when asked for." })
    totalCount!: PromiseLike<number> | number;
  }
  return Conn;
}

/** One key of a keyset ordering: the column and its direction. The last key must be unique (the id). */
export interface SortKey {
  /** A column, or a SQL expression (e.g. "offers first") the query also selects for the cursor. */
  column: AnyColumn | SQL;
  direction: "asc" | "desc";
  /** How the cursor's JSON value turns back into the column's type. */
  decode?: (v: unknown) => unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Decoder for a uuid sort key: a forged cursor is bad input, not a database error. */
export function uuidKey(v: unknown): string {
  if (typeof v !== "string" || !UUID.test(v)) throw new Error("not a uuid");
  return v;
}

/** Decoder for a text sort key. */
export function textKey(v: unknown): string {
  if (typeof v !== "string") throw new Error("not text");
  return v;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

function decodeCursor(cursor: string, keys: SortKey[]): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (!Array.isArray(values) || values.length !== keys.length) throw new Error("shape");
    return values.map((v, i) => (keys[i]!.decode ? keys[i]!.decode!(v) : v));
  } catch {
    throw badInput([{ field: "after", rule: "CURSOR", message: "is not a cursor this list gave out" }]);
  }
}

/** ORDER BY for the keys. */
export function orderBy(keys: SortKey[]): SQL[] {
  return keys.map((k) => (k.direction === "asc" ? asc(k.column) : desc(k.column)));
}

/** WHERE that starts strictly after the cursor's row, for any mix of directions. */
export function afterCursor(keys: SortKey[], cursor: string | null | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const values = decodeCursor(cursor, keys);
  return keysetAfter(keys, (_, i) => values[i]);
}

/**
 * `afterCursor` for a compiled read (db/compiled.ts): the cursor's values are placeholders `after0`, `after1`, …,
 * which `cursorValues` fills; a column's values are still mapped by the column (dates, enums).
 */
export function afterCursorPlaceholders(keys: SortKey[]): SQL {
  return keysetAfter(keys, (k, i) => (is(k.column, Column) ? new Param(sql.placeholder(`after${i}`), k.column) : sql.placeholder(`after${i}`)));
}

/** The values of `afterCursorPlaceholders` for a cursor (BAD_USER_INPUT when it is not one the list gave out). */
function cursorValues(keys: SortKey[], cursor: string): Record<string, unknown> {
  return Object.fromEntries(decodeCursor(cursor, keys).map((v, i) => [`after${i}`, v]));
}

/** The values a compiled page needs: its limit (`first + 1`, to tell whether there is a next page) and the cursor's. */
export function pageValues(keys: SortKey[], args: { first: number; after?: string | null }): Record<string, unknown> {
  return { limit: args.first + 1, ...(args.after ? cursorValues(keys, args.after) : {}) };
}

function keysetAfter(keys: SortKey[], valueOf: (k: SortKey, i: number) => unknown): SQL {
  const branches: SQL[] = keys.map((k, i) => {
    // Typed as SQL for the overloads only: a Column still maps its value (dates, enums) at run time.
    const equalPrefix = keys.slice(0, i).map((p, j) => eq(p.column as SQL, valueOf(p, j)));
    const beyond = k.direction === "asc" ? gt(k.column as SQL, valueOf(k, i)) : lt(k.column as SQL, valueOf(k, i));
    return and(...equalPrefix, beyond)!;
  });
  return or(...branches)!;
}

/**
 * Turns `first + 1` fetched rows into a connection. `keyOf` gives the row's sort-key values for its cursor.
 */
/** `totalCount` of a list: the rows of `table` matching the list's filter (run only when a client asks for it). */
export function countRows(db: Queryable, table: PgTable, where: SQL | undefined): () => Promise<number> {
  return async () => {
    const [c] = await db.select({ n: count() }).from(table).where(where);
    return c!.n;
  };
}

export function toConnection<R, T>(
  rows: R[],
  args: { first: number; after?: string | null },
  keyOf: (row: R) => unknown[],
  toNode: (row: R) => T,
  count: () => Promise<number>,
): ConnectionShape<T> {
  const page = rows.slice(0, args.first);
  const edges = page.map((r) => ({ cursor: encodeCursor(keyOf(r)), node: toNode(r) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: rows.length > args.first,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: lazy(count),
  };
}

/** The fields in a selection set, through inline fragments and fragment spreads. */
function fieldsOf(set: SelectionSetNode | undefined, info: GraphQLResolveInfo, out: FieldNode[] = []): FieldNode[] {
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) fieldsOf(s.selectionSet, info, out);
    else fieldsOf(info.fragments[s.name.value]?.selectionSet, info, out);
  }
  return out;
}

/**
 * The names of the fields a connection query selects on its nodes (`nodes { … }` and `edges { node { … } }`), so a
 * list can fetch them with its page in one statement instead of leaving each to a loader's own (issue 14). Fields
 * under @skip/@include count as selected: fetching one too many is harmless.
 */
export function selectedNodeFields(info: GraphQLResolveInfo): Set<string> {
  const names = new Set<string>();
  for (const top of info.fieldNodes) {
    for (const f of fieldsOf(top.selectionSet, info)) {
      if (f.name.value === "nodes") for (const n of fieldsOf(f.selectionSet, info)) names.add(n.name.value);
      if (f.name.value !== "edges") continue;
      for (const e of fieldsOf(f.selectionSet, info)) if (e.name.value === "node") for (const n of fieldsOf(e.selectionSet, info)) names.add(n.name.value);
    }
  }
  return names;
}
