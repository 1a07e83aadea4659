/**
 * A NUL byte (which PostgreSQL cannot store in text) in every string an operation takes: each argument and input
 * field of type String, ID or a custom scalar (Date, DateTime, EmailAddress, ...), at any depth, list entries
 * included. Each is BAD_USER_INPUT naming the field (src/graphql/text-input.ts for String and ID, the
 * scalar's own check for the others) and writes nothing, whoever sends it.
 *
 * The cases are read from the schema, not listed: a new mutation, argument or input field is tested as soon as it
 * exists. The values around the field under test only have to pass GraphQL's coercion, as the check comes first.
 */
import { sql } from "drizzle-orm";
import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  isCompositeType,
  getNamedType,
  type GraphQLField,
  type GraphQLInputType,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSchema } from "../schema.js";
import { startTestServer, OPERATOR_TOKEN, type TestServer } from "./harness.js";
import { factories } from "./factories.js";
import { firmRows } from "./firm-tables-registry.js";
import { rateLimits } from "../modules/session/session.table.js";
import { LoginDocument } from "../sdk/client.js";

const schema = await getSchema();

/** Scalars that are not text: a NUL byte cannot reach them (GraphQL refuses a string for them as such). */
const NOT_TEXT = new Set(["Int", "Float", "Boolean"]);

/** A valid value of each text scalar, for the fields around the one under test. A new custom scalar needs one here. */
const SAMPLES: Record<string, string> = {
  String: "Text",
  ID: "VGV4dDox",
  Date: "2024-05-01",
  DateTime: "2024-05-01T10:00:00.000Z",
  EmailAddress: "nul-test@example.test",
};

/** The sample with a NUL byte inside it. */
const withNul = (scalar: string) => {
  const good = SAMPLES[scalar];
  if (good === undefined) throw new Error(`no sample value for the scalar ${scalar}: add one to SAMPLES`);
  return `${good.slice(0, 2)}\u0000${good.slice(2)}`;
};

/** A string an operation takes: its path as the API names it in `extensions.fields` (`input.customers.0.email`). */
interface Leaf {
  path: string[];
  scalar: string;
}

/** Every text leaf below the field's arguments (list entries as `0`; a recursive input type is walked once). */
function textLeaves(field: GraphQLField<unknown, unknown>): Leaf[] {
  const out: Leaf[] = [];
  const walk = (type: GraphQLInputType, path: string[], seen: ReadonlySet<string>): void => {
    if (isNonNullType(type)) return walk(type.ofType, path, seen);
    if (isListType(type)) return walk(type.ofType, [...path, "0"], seen);
    if (isInputObjectType(type)) {
      if (seen.has(type.name)) return;
      for (const child of Object.values(type.getFields())) walk(child.type, [...path, child.name], new Set([...seen, type.name]));
      return;
    }
    if (isScalarType(type) && !NOT_TEXT.has(type.name)) out.push({ path, scalar: type.name });
  };
  for (const arg of field.args) walk(arg.type, [arg.name], new Set());
  return out;
}

/**
 * A value of `type` that passes coercion: required fields filled with samples, and on `target` (the rest of the
 * leaf's path below this type) the NUL byte.
 */
function value(type: GraphQLInputType, target: string[] | undefined): unknown {
  if (isNonNullType(type)) return value(type.ofType, target);
  if (isListType(type)) return [value(type.ofType, target?.slice(1))];
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const child of Object.values(type.getFields())) {
      if (target?.[0] === child.name) out[child.name] = value(child.type, target.slice(1));
      else if (!type.isOneOf && isNonNullType(child.type) && child.defaultValue === undefined) out[child.name] = value(child.type, undefined);
    }
    return out;
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isScalarType(type)) {
    if (target) return withNul(type.name);
    if (type.name === "Int" || type.name === "Float") return 1;
    if (type.name === "Boolean") return false;
    const good = SAMPLES[type.name];
    if (good === undefined) throw new Error(`no sample value for the scalar ${type.name}: add one to SAMPLES`);
    return good;
  }
  throw new Error(`cannot build a value of ${String(type)}`);
}

/** The operation that sends a NUL byte at `leaf`: the arguments it needs, each as a variable (as clients send them). */
function request(kind: "mutation" | "query" | "subscription", field: GraphQLField<unknown, unknown>, leaf: Leaf) {
  const args = field.args.filter((a) => a.name === leaf.path[0] || (isNonNullType(a.type) && a.defaultValue === undefined));
  const selection = isCompositeType(getNamedType(field.type)) ? "{ __typename }" : "";
  return {
    query: `${kind} (${args.map((a) => `$${a.name}: ${String(a.type)}`).join(", ")}) { ${field.name}(${args.map((a) => `${a.name}: $${a.name}`).join(", ")}) ${selection} }`,
    variables: Object.fromEntries(args.map((a) => [a.name, value(a.type, a.name === leaf.path[0] ? leaf.path.slice(1) : undefined)])),
  };
}

type Case = { operation: string; field: string; leaf: Leaf };
function cases(kind: "mutation" | "query" | "subscription"): Case[] {
  const root = { mutation: schema.getMutationType(), query: schema.getQueryType(), subscription: schema.getSubscriptionType() }[kind];
  return Object.values(root?.getFields() ?? {}).flatMap((f) => textLeaves(f).map((leaf) => ({ operation: f.name, field: leaf.path.join("."), leaf })));
}
const fieldOf = (kind: "mutation" | "query" | "subscription", name: string) =>
  ({ mutation: schema.getMutationType(), query: schema.getQueryType(), subscription: schema.getSubscriptionType() })[kind]!.getFields()[name]!;

const mutationCases = cases("mutation");
const queryCases = cases("query");
const subscriptionCases = cases("subscription");

type Body = { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string; fields?: Array<{ field: string }> } }> };

let t: TestServer;
/** Who sends each case: every kind of viewer, as the check comes before any permission check. */
let viewers: Array<[who: string, token: string | undefined]>;
let adminToken: string;

beforeAll(async () => {
  t = await startTestServer();
  const f = factories(t);
  const firm = await f.buildFirm();
  const account = await f.buildAppAccount({ tenant: firm.tenant });
  const login = async (input: { email: string; password: string; brokerId?: string }) => (await t.client().request(LoginDocument, { input })).login.token;
  adminToken = await login({ email: firm.admin.email, password: firm.admin.password });
  viewers = [
    ["admin", adminToken],
    ["employee", await login({ email: firm.employee.email, password: firm.employee.password })],
    ["app account", await login({ email: account.email, password: account.password, brokerId: firm.tenant.brokerId })],
    ["operator", OPERATOR_TOKEN],
    ["no login", undefined],
  ];
});
afterAll(() => t.close());

async function post(token: string | undefined, body: { query: string; variables: Record<string, unknown> }): Promise<Body> {
  const res = await fetch(t.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Body;
}

/** The answer must be BAD_USER_INPUT naming the field, and nothing but that. */
function expectRefused(body: Body, field: string, who: string): void {
  const context = `${who}: ${JSON.stringify(body.errors)}`;
  expect(body.errors?.map((e) => e.extensions?.code), context).toEqual(["BAD_USER_INPUT"]);
  expect(body.errors![0]!.extensions?.fields?.map((p) => p.field), context).toContain(field);
  expect(body.data ?? null, context).toBeNull();
}

/** Every row of every table of this test's own database (session use times left out), and the throttling counters. */
async function everything() {
  const db = t.app.deps.database.db;
  const [rows, limits] = await Promise.all([firmRows(db, () => sql`true`), db.select().from(rateLimits)]);
  return { ...rows, rate_limits: limits.sort((x, y) => x.key.localeCompare(y.key)) };
}

/**
 * Mutations whose arguments hold no text at all (only Boolean, Int, Float and enum values), so a NUL byte cannot reach
 * them: each with what it takes. A mutation that starts taking text gets cases by itself and must leave this list.
 */
const WITHOUT_TEXT: Record<string, string> = {
  updateChatSettings: "input.storeTranscriptByDefault: Boolean!",
  updateMySettings: "input.emailNotifications: Boolean",
};

describe("the cases cover the schema", () => {
  it("every mutation with arguments has cases, unless it takes no text at all (named above)", () => {
    const withArgs = Object.values(schema.getMutationType()!.getFields()).filter((m) => m.args.length > 0);
    const covered = new Set(mutationCases.map((c) => c.operation));
    expect(withArgs.filter((m) => !covered.has(m.name)).map((m) => m.name).sort()).toEqual(Object.keys(WITHOUT_TEXT).sort());
    expect(covered.size).toBeGreaterThan(40);
  });

  it("every case can be built (each text scalar has a sample value)", () => {
    for (const [kind, list] of [["mutation", mutationCases], ["query", queryCases], ["subscription", subscriptionCases]] as const) {
      for (const c of list) expect(() => request(kind, fieldOf(kind, c.operation), c.leaf), `${c.operation} ${c.field}`).not.toThrow();
    }
  });
});

/** The state a case left when it passed: nothing may change, so it is the next case's "before". */
let unchanged: Awaited<ReturnType<typeof everything>> | undefined;

const byMutation = new Map<string, Case[]>();
for (const c of mutationCases) byMutation.set(c.operation, [...(byMutation.get(c.operation) ?? []), c]);

describe.each([...byMutation])("mutation %s", (operation, list) => {
  it.each(list.map((c) => ({ field: c.field, leaf: c.leaf })))("a NUL byte in $field → BAD_USER_INPUT naming it, nothing written", async ({ field, leaf }) => {
    const before = unchanged ?? (await everything());
    unchanged = undefined;
    const body = request("mutation", fieldOf("mutation", operation), leaf);
    for (const [who, token] of viewers) expectRefused(await post(token, body), field, who);
    const after = await everything();
    expect(after).toEqual(before);
    unchanged = after;
  });
});

describe("queries", () => {
  it.each(queryCases.map((c) => ({ operation: c.operation, field: c.field, leaf: c.leaf })))("$operation: a NUL byte in $field → BAD_USER_INPUT naming it", async ({ operation, field, leaf }) => {
    expectRefused(await post(adminToken, request("query", fieldOf("query", operation), leaf)), field, "admin");
  });
});

describe("subscriptions, over WebSocket", () => {
  it("have text arguments to test", () => {
    expect(subscriptionCases.length).toBeGreaterThan(0);
  });

  /** One socket for all (a session may hold only a few). */
  let client: ReturnType<TestServer["client"]>;
  beforeAll(() => {
    client = t.client(adminToken);
  });

  it.each(subscriptionCases.map((c) => ({ operation: c.operation, field: c.field, leaf: c.leaf })))(
    "$operation: a NUL byte in $field → BAD_USER_INPUT naming it",
    async ({ operation, field, leaf }) => {
      let errors: Body["errors"];
      try {
        const step = await client.socket().iterate(request("subscription", fieldOf("subscription", operation), leaf)).next();
        errors = (step.value as Body | undefined)?.errors;
      } catch (err) {
        if (!Array.isArray(err)) throw err;
        errors = err as Body["errors"];
      }
      expectRefused({ errors }, field, "admin over WebSocket");
    },
  );
});
