import { Writable } from "node:stream";
import { eq } from "drizzle-orm";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { GraphQLError } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories, upload } from "../test/factories.js";
import { PNG } from "../test/fixtures.js";
import { ApiError, CreateCustomerDocument, CustomersDocument, LoginDocument, type KundenappClient } from "../sdk/client.js";
import { files } from "../files/file.table.js";
import { formatError } from "../errors.js";
import { createLogger } from "../log.js";

type Body = { data?: unknown; errors: Array<{ message: string; extensions: { code: string; fields?: Array<{ field: string }> } }> };

let t: TestServer;
let prod: TestServer;
let staff: KundenappClient;
let staffToken: string;

beforeAll(async () => {
  [t, prod] = await Promise.all([startTestServer(), startTestServer({ env: { NODE_ENV: "production" } })]);
  const f = factories(t);
  const admin = await f.buildStaff({ role: "ADMIN" });
  const { login } = await t.client().request(LoginDocument, { input: { email: admin.email, password: admin.password } });
  staffToken = login.token;
  staff = t.client(staffToken);
});
afterAll(() => Promise.all([t.close(), prod.close()]));

const post = (server: TestServer, query: string, variables?: Record<string, unknown>) =>
  fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });

/** The errors graphql-ws reports for an operation it refuses or that fails. */
async function overSocket(query: string, variables?: Record<string, unknown>): Promise<Body["errors"]> {
  try {
    const step = await staff.socket().iterate({ query, variables }).next();
    return ((step.value as { errors?: Body["errors"] } | undefined)?.errors ?? []);
  } catch (err) {
    if (Array.isArray(err)) return err as Body["errors"];
    throw err;
  }
}

const syntaxError = "{ viewer { kind ";
const tooManyTokens = `{ viewer { ${Array.from({ length: 3100 }, () => "kind").join(" ")} } }`;

describe("parse errors", () => {
  it.each([
    ["a syntax error", syntaxError],
    ["too many tokens", tooManyTokens],
  ])("answers %s with HTTP 400 and GRAPHQL_PARSE_FAILED", async (_name, query) => {
    const res = await post(t, query);
    expect(res.status).toBe(400);
    const body = (await res.json()) as Body;
    expect(body.data).toBeUndefined();
    expect(body.errors.map((e) => e.extensions.code)).toEqual(["GRAPHQL_PARSE_FAILED"]);
  });

  it.each([
    ["a syntax error", syntaxError],
    ["too many tokens", tooManyTokens],
  ])("gives %s the same code over WebSocket", async (_name, query) => {
    expect((await overSocket(query)).map((e) => e.extensions.code)).toEqual(["GRAPHQL_PARSE_FAILED"]);
  });
});

describe("limit errors", () => {
  it("carry the same code over HTTP and WebSocket", async () => {
    const aliases = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: viewer { kind }`).join(" ")} }`;
    const directives = `{ ${Array.from({ length: 25 }, (_, i) => `a${i % 10}: viewer @include(if: true) { kind }`).join(" ")} }`;
    for (const query of [aliases, directives, tooManyTokens]) {
      const http = ((await (await post(t, query)).json()) as Body).errors.map((e) => e.extensions.code);
      const ws = (await overSocket(query)).map((e) => e.extensions.code);
      expect(http.length).toBeGreaterThan(0);
      expect(ws).toEqual(http);
    }
  });
});

describe("no schema suggestions", () => {
  const unknownField = "{ viewr { kind } }";
  const unknownEnum = "{ appAccounts(status: ACTIV) { totalCount } }";
  const unknownEnumVariable = "query ($s: AppAccountStatus) { appAccounts(status: $s) { totalCount } }";

  it("over HTTP in production, for fields and enum values", async () => {
    for (const [query, variables] of [[unknownField], [unknownEnum], [unknownEnumVariable, { s: "ACTIV" }]] as const) {
      const body = (await (await post(prod, query, variables)).json()) as Body;
      expect(body.errors.length).toBeGreaterThan(0);
      for (const e of body.errors) {
        expect(e.message).not.toMatch(/did you mean|suggestion/i);
        expect(e.message).not.toContain("ACTIVE");
        expect(e.message).not.toContain('"viewer"');
      }
    }
  });

  it("over WebSocket", async () => {
    for (const [query, variables] of [[unknownField], [unknownEnum], [unknownEnumVariable, { s: "ACTIV" }]] as const) {
      const errors = await overSocket(query, variables);
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) {
        expect(e.message).not.toMatch(/did you mean|suggestion/i);
        expect(e.message).not.toContain("ACTIVE");
      }
    }
  });
});

describe("text PostgreSQL cannot store", () => {
  async function expectBadInput(promise: Promise<unknown>, field: string): Promise<void> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("BAD_USER_INPUT");
    expect((err as ApiError).fields.map((p) => p.field)).toContain(field);
  }

  it("refuses a NUL byte in a customer name, a search and a login email as BAD_USER_INPUT naming the field", async () => {
    await expectBadInput(staff.request(CreateCustomerDocument, { input: { firstName: "Anna\u0000", lastName: "Muster" } }), "input.firstName");
    await expectBadInput(staff.request(CustomersDocument, { search: "Mu\u0000ster" }), "search");
    await expectBadInput(t.client().request(LoginDocument, { input: { email: "a\u0000b@example.test", password: "x" } }), "input.email");
  });

  it("refuses a lone surrogate in a customer name", async () => {
    await expectBadInput(staff.request(CreateCustomerDocument, { input: { firstName: "Anna", lastName: "Mu\uD800ster" } }), "input.lastName");
  });

  it("refuses a NUL byte written into the document itself", async () => {
    const body = (await (await post(t, 'mutation { login(input: { email: "a@example.test", password: "x\\u0000" }) { token } }')).json()) as Body;
    expect(body.errors[0]!.extensions.code).toBe("BAD_USER_INPUT");
    expect(body.errors[0]!.extensions.fields?.map((p) => p.field)).toContain("input.password");
  });

  it("refuses a NUL byte over WebSocket too", async () => {
    const errors = await overSocket('query { customers(search: "a\\u0000") { totalCount } }');
    expect(errors[0]!.extensions.code).toBe("BAD_USER_INPUT");
    expect(errors[0]!.extensions.fields?.map((p) => p.field)).toContain("search");
  });
});

describe("logs", () => {
  it("never hold SQL parameters, however an unexpected error arrives", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger("trace", sink);
    const secret = "geheim-Passwort-und-anna@example.test";
    const cause = Object.assign(new Error("boom"), { code: "XX000", detail: `Key (email)=(${secret}) failed`, where: `unnamed portal parameter $1 = '${secret}'`, params: [secret] });
    const drizzle = new DrizzleQueryError('select * from "customers" where "email" = $1', [secret], cause);
    const format = formatError(log);
    const formatted = format({ message: drizzle.message, path: ["customers"] }, new GraphQLError(drizzle.message, { originalError: drizzle }));
    expect(formatted.extensions?.code).toBe("INTERNAL");
    expect(JSON.stringify(formatted)).not.toContain(secret);
    // Any log call with an error, at any level.
    log.debug({ err: drizzle }, "debug");
    log.warn({ error: cause }, "warn");
    expect(lines.length).toBe(3);
    for (const line of lines) expect(line).not.toContain(secret);
    // The statement itself (placeholders only) stays, so the log is still useful.
    expect(lines[0]).toContain('where \\"email\\" = $1');
  });
});

describe("file names", () => {
  it("are stored without bidirectional control characters", async () => {
    const names = ["rechnung\u202Egnp.exe", "\u2066a\u2067b\u2068c\u2069.png", "x\u202A\u202B\u202C\u202Dy.png"];
    for (const fileName of names) {
      const { fileId } = await upload(staff, { purpose: "DOCUMENT", bytes: PNG, contentType: "image/png", fileName });
      // The global ID is base64 of "File:<uuid>".
      const id = Buffer.from(fileId, "base64url").toString().replace(/^File:/, "");
      const [row] = await t.app.deps.database.db.select({ fileName: files.fileName }).from(files).where(eq(files.id, id));
      expect(row!.fileName).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    }
    const [row] = await t.app.deps.database.db.select({ fileName: files.fileName }).from(files).where(eq(files.fileName, "rechnunggnp.exe"));
    expect(row).toBeDefined();
  });

  it("are served without them, even a name stored before the cleaning", async () => {
    const { fileId } = await upload(staff, { purpose: "LOGO", bytes: PNG, contentType: "image/png", fileName: "logo.png" });
    const id = Buffer.from(fileId, "base64url").toString().replace(/^File:/, "");
    // A row as an older version stored it, attached (as the firm's logo) so that it is served.
    await t.app.deps.database.db.update(files).set({ fileName: "rechnung\u202Egnp.exe", status: "ATTACHED" }).where(eq(files.id, id));
    const viewer = await t.app.services.session.authenticate(staffToken);
    const res = await fetch(t.app.services.file.downloadUrl(id, t.url.replace(/\/graphql$/, ""), viewer)!);
    expect(res.status).toBe(200);
    const disposition = decodeURIComponent(res.headers.get("content-disposition") ?? "");
    expect(disposition).toContain("rechnunggnp.exe");
    expect(disposition).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });
});
