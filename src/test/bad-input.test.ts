/**
 * Every mutation, fed empty, too long, wrongly formatted and unknown inputs: each gets a clear error
 * (BAD_USER_INPUT with a `fields` entry naming the field, or NOT_FOUND / CONFLICT where that fits) and changes nothing.
 *
 * The rows live with their modules (`src/modules/<f>/<f>.bad-input.ts`, `src/files/file.bad-input.ts`); this file runs
 * them all, and a guard fails while a mutation with an `input` has none.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, expectApiError, type TestServer } from "./harness.js";
import { GOOD_PASSWORD } from "./factories.js";
import { AcceptStaffInvitationDocument, RegisterDocument, ResetPasswordDocument } from "../sdk/client.js";
import { badInputCoverage, buildBadInputWorld, everything, otherFirms, type BadInputRows, type World } from "./bad-input-registry.js";
import { tablesNotAccountedFor } from "./firm-tables-registry.js";
import { discoverRows } from "./discover.js";

/** Every module's rows: a new module adds its `<f>.bad-input.ts` here. */
const modules = await discoverRows<BadInputRows>(".bad-input.ts");
const cases: BadInputRows = Object.assign({}, ...modules);

let t: TestServer;
let world: World;
/** Firms that are not the world's (none on a database of this file's own): the snapshot leaves their rows out. */
let others: string[];
beforeAll(async () => {
  t = await startTestServer();
  world = await buildBadInputWorld(t);
  others = await otherFirms(t, world);
});
afterAll(() => t.close());

/**
 * The state a case left, when it passed: nothing may change, so it is the next case's "before" (half the reads).
 * A case that fails leaves none, and the next one reads afresh.
 */
let unchanged: Awaited<ReturnType<typeof everything>> | undefined;

describe.each(Object.entries(cases))("%s", (_, rows) => {
  const table = rows.map(([wrong, call, code, field]) => ({ wrong, call, code, field: field ?? "" }));
  it.each(table)("$wrong → $code $field, nothing changed", async ({ call, code, field }) => {
    const before = unchanged ?? (await everything(t, world, others));
    unchanged = undefined;
    const err = await expectApiError(call(world), code);
    expect(err.message).not.toMatch(/internal error/i);
    expect(err.message.length).toBeGreaterThan(5);
    if (field) {
      expect(err.fields.map((p) => p.field), err.message).toContain(field);
      for (const p of err.fields) expect(p.rule && p.message, JSON.stringify(p)).toBeTruthy();
    }
    const after = await everything(t, world, others);
    expect(after).toEqual(before);
    unchanged = after;
  });
});

it("the open invitation still works after all the refused attempts", async () => {
  const { acceptStaffInvitation } = await t.client().request(AcceptStaffInvitationDocument, { input: { token: world.inviteToken, password: GOOD_PASSWORD } });
  expect(acceptStaffInvitation.viewer.staffUser?.status).toBe("ACTIVE");
});

it("the registration and password-reset links still work after all the refused attempts", async () => {
  const { register } = await t.client().request(RegisterDocument, { input: { email: world.registration.email, token: world.registration.token, password: GOOD_PASSWORD } });
  expect(register.viewer.appAccount?.status).toBe("ACTIVE");
  const { resetPassword } = await t.client().request(ResetPasswordDocument, { input: { token: world.resetToken, password: "Neues-Passwort-8" } });
  expect(resetPassword.ok).toBe(true);
});

describe("the registry covers the schema", () => {
  it("every mutation with an `input` has bad-input rows, and every row names a mutation", async () => {
    const { getSchema } = await import("../schema.js");
    const { missing, unknown } = badInputCoverage(await getSchema(), cases);
    expect(missing, "add bad-input rows for these mutations to the module's <f>.bad-input.ts").toEqual([]);
    expect(unknown, "these rows name no mutation of the schema").toEqual([]);
  });

  it("no module registers rows for a mutation another module registers too", () => {
    const names = modules.flatMap((m) => Object.keys(m));
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it("the snapshot covers every table: each has a firm column, or is named in `tablesWithoutFirm`", () => {
    expect(tablesNotAccountedFor(), "give these tables a tenantId column (tenantColumn()), or name them in src/test/firm-tables-registry.ts").toEqual([]);
  });
});
