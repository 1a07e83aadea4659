/**
 * GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/), with graphql-http's audit as the reference:
 * every MUST and SHOULD holds. Apollo's CSRF prevention stays on, so a GET runs only with a header a cross-site form
 * or <img> cannot send (`apollo-require-preflight`, `x-apollo-operation-name`, or `content-type: application/json`):
 * the audit's three optional (MAY) GET checks, which send none, are refused, and pass once the header comes along.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditServer, type AuditResult } from "graphql-http";
import { count } from "drizzle-orm";
import { LoginDocument } from "../sdk/client.js";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import { customers } from "../modules/customer/customer.table.js";

let t: TestServer;
let token: string;
beforeAll(async () => {
  t = await startTestServer();
  const staff = await factories(t).buildStaff({ role: "ADMIN" });
  token = (await t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } })).login.token;
});
afterAll(() => t.close());

/**
 * MAY audits expected to fail with CSRF prevention on: GETs with no preflight header (5A70 sends only the query,
 * D6D5 and 6A70 only `Accept`). No MUST or SHOULD is on this list, and none may ever be.
 */
const REFUSED_BY_CSRF_PREVENTION = ["5A70", "6A70", "D6D5"];

function summary(results: AuditResult[]) {
  const failed = results.filter((r) => r.status !== "ok");
  return {
    ok: results.length - failed.length,
    failed: Object.fromEntries(failed.map((r) => [r.id, `${r.status}: ${r.name} (${r.reason}, HTTP ${r.response.status})`])),
  };
}

describe("graphql-http's audit", () => {
  it("passes every MUST and SHOULD; only the GET checks without a CSRF header fail, and they are MAY", async () => {
    const results = await auditServer({ url: t.url });
    const { failed } = summary(results);
    const mustOrShould = results.filter((r) => r.status === "error" || r.status === "warn");
    expect(mustOrShould.map((r) => `${r.id} ${r.name}`), JSON.stringify(failed, null, 2)).toEqual([]);
    expect(Object.keys(failed).sort(), JSON.stringify(failed, null, 2)).toEqual(REFUSED_BY_CSRF_PREVENTION);
    // The audit has MUSTs and SHOULDs at all (an empty list would pass the check above).
    expect(results.filter((r) => r.name.startsWith("MUST")).length).toBeGreaterThan(10);
    expect(results.filter((r) => r.name.startsWith("SHOULD")).length).toBeGreaterThan(20);
  });

  it("passes every audit, MAY included, when GETs carry apollo-require-preflight (as the IDE and Apollo Client send)", async () => {
    const withPreflight = (input: string | URL, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if ((init.method ?? "GET") === "GET") headers.set("apollo-require-preflight", "1");
      return fetch(input, { ...init, headers });
    };
    const results = await auditServer({ url: t.url, fetchFn: withPreflight });
    expect(summary(results).failed).toEqual({});
  });
});

type Body = { data?: unknown; errors?: Array<{ message: string; extensions: { code: string } }> };

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(t.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const get = (params: Record<string, string>, headers: Record<string, string> = {}) => fetch(`${t.url}?${new URLSearchParams(params)}`, { headers });
const customerRows = async () => (await t.app.deps.database.db.select({ n: count() }).from(customers))[0]!.n;
const createCustomer = 'mutation { createCustomer(input: { firstName: "Über", lastName: "GET" }) { customer { id } } }';

describe("status codes follow the media type the client accepts", () => {
  const requestErrors = [
    ["a parse error", { query: "{ viewer { kind " }, "GRAPHQL_PARSE_FAILED"],
    ["a validation error", { query: "{ nosuchfield }" }, "GRAPHQL_VALIDATION_FAILED"],
    ["a variable that cannot be coerced", { query: "query ($id: ID!) { node(id: $id) { id } }", variables: { id: null } }, "BAD_USER_INPUT"],
    ["an unknown operation name", { query: "query A { __typename } query B { __typename }", operationName: "C" }, "OPERATION_RESOLUTION_FAILURE"],
  ] as const;

  it.each(requestErrors)("%s: 200 for application/json, 400 for application/graphql-response+json, no data either way", async (_, body, code) => {
    for (const [accept, status, type] of [
      ["application/json", 200, "application/json"],
      ["application/json; charset=utf-8, */*;q=0.5", 200, "application/json"],
      ["application/graphql-response+json", 400, "application/graphql-response+json"],
      ["application/graphql-response+json, application/json", 400, "application/graphql-response+json"],
    ] as const) {
      const res = await post(body, { accept });
      expect(res.status, accept).toBe(status);
      expect(res.headers.get("content-type"), accept).toContain(type);
      const json = (await res.json()) as Body;
      expect(json.data, accept).toBeUndefined();
      expect(json.errors?.map((e) => e.extensions.code), accept).toEqual([code]);
    }
  });

  it("without Accept, or with */* only: an application/json body with the status of graphql-response+json (400), as the spec says since 2025", async () => {
    // fetch sends `accept: */*` unless told otherwise; node:http sends no Accept at all.
    const none = await new Promise<{ status: number; type: string; body: Body }>((resolve, reject) => {
      const req = http.request(t.url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"]), body: JSON.parse(text) as Body }));
      });
      req.on("error", reject);
      req.end(JSON.stringify({ query: "{ viewer { kind " }));
    });
    const wildcard = await post({ query: "{ viewer { kind " }, { accept: "*/*" });
    for (const res of [none, { status: wildcard.status, type: String(wildcard.headers.get("content-type")), body: (await wildcard.json()) as Body }]) {
      expect(res.status).toBe(400);
      expect(res.type).toContain("application/json");
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors?.[0]?.extensions.code).toBe("GRAPHQL_PARSE_FAILED");
    }
  });

  it("a persisted-query miss has no data: 400 with graphql-response+json (a MUST), 200 with application/json", async () => {
    const miss = { extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } };
    const strict = await post(miss, { accept: "application/graphql-response+json" });
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as Body).errors?.[0]?.extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect((await post(miss, { accept: "application/json" })).status).toBe(200);
  });

  it("a request that is not well-formed stays 4xx for application/json too", async () => {
    expect((await post({ qeury: "{ __typename }" }, { accept: "application/json" })).status).toBe(400);
    const notJson = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: "{ nope" });
    expect(notJson.status).toBe(400);
  });

  it("an Accept without a type the server answers with is 406, before anything runs", async () => {
    const before = await customerRows();
    for (const accept of ["text/csv", "application/json;q=0, application/graphql-response+json;q=0", "application/json; charset=latin1"]) {
      const res = await post({ query: createCustomer }, { accept, authorization: `Bearer ${token}` });
      expect(res.status, accept).toBe(406);
      expect(((await res.json()) as Body).errors?.[0]?.extensions.code).toBe("BAD_REQUEST");
    }
    expect(await customerRows()).toBe(before);
  });

  it("a POST body must be application/json (UTF-8): anything else is 415 and runs nothing, preflight header or not", async () => {
    const before = await customerRows();
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"]) {
      const res = await fetch(t.url, {
        method: "POST",
        headers: { "content-type": contentType, "apollo-require-preflight": "1", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: createCustomer }),
      });
      expect(res.status, contentType).toBe(415);
    }
    expect(await customerRows()).toBe(before);
    // utf-8 in any spelling, or none, is JSON.
    for (const contentType of ["application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8"]) {
      const res = await fetch(t.url, { method: "POST", headers: { "content-type": contentType }, body: JSON.stringify({ query: "{ __typename }" }) });
      expect(res.status, contentType).toBe(200);
    }
  });
});

describe("GET", () => {
  const query = { query: "query ($name: String!) { __type(name: $name) { name } }", variables: JSON.stringify({ name: "Query" }) };

  it("runs a query that carries a CSRF-safe header, with either media type", async () => {
    for (const headers of [
      { "apollo-require-preflight": "1" },
      { "x-apollo-operation-name": "Type" },
      { "content-type": "application/json" },
      { "apollo-require-preflight": "1", accept: "application/graphql-response+json" },
    ] as Array<Record<string, string>>) {
      const res = await get(query, headers);
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(await res.json()).toEqual({ data: { __type: { name: "Query" } } });
    }
  });

  it("refuses a query without one (CSRF prevention): 400, BAD_REQUEST", async () => {
    for (const headers of [{}, { accept: "application/json" }, { accept: "application/graphql-response+json" }] as Array<Record<string, string>>) {
      const res = await get(query, headers);
      expect(res.status, JSON.stringify(headers)).toBe(400);
      expect(((await res.json()) as Body).errors?.[0]?.extensions.code).toBe("BAD_REQUEST");
    }
  });

  it("never runs a mutation: 405 with Allow: POST, and nothing is written", async () => {
    const before = await customerRows();
    for (const accept of ["application/json", "application/graphql-response+json"]) {
      const res = await get({ query: createCustomer }, { accept, "apollo-require-preflight": "1", authorization: `Bearer ${token}` });
      expect(res.status, accept).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      const body = (await res.json()) as Body;
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0]?.extensions.code).toBe("BAD_REQUEST");
    }
    expect(await customerRows()).toBe(before);
    // The same mutation over POST does write: the GET was refused for its method, not for anything else.
    const res = await post({ query: createCustomer }, { authorization: `Bearer ${token}` });
    expect(((await res.json()) as Body).errors).toBeUndefined();
    expect(await customerRows()).toBe(before + 1);
  });
});
