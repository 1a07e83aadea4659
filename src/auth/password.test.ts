import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passwordProblems } from "./password.js";
import { GOOD_PASSWORD, factories } from "../test/factories.js";
import { DEMO } from "../db/seed.js";
import { startTestServer, expectApiError, type TestServer } from "../test/harness.js";
import { ChangeMyPasswordDocument, ResetPasswordDocument } from "../sdk/client.js";

const rules = (password: string, inputs: string[] = []) => passwordProblems(password, "input.password", inputs).map((p) => p.rule);

describe("passwords people actually use (English and German dictionaries, offline)", () => {
  it.each(["Welcome123!", "Passwort2025!", "Qwertz1234!", "Sommer2027!", "Schalke04!!", "Hamburg2025!", "Michael1985!", "Iloveyou2!", "Asdfgh123!", "Fussball123!"])(
    "refuses %s as guessable, though it meets every character rule",
    (password) => {
      expect(rules(password)).toEqual(["PASSWORD_GUESSABLE"]);
    },
  );

  it("refuses a password built from the user's own email", () => {
    expect(rules("Zyrtaloxe-2026!")).toEqual([]);
    expect(rules("Zyrtaloxe-2026!", ["zyrtaloxe@example.test"])).toEqual(["PASSWORD_GUESSABLE"]);
  });

  it("gives a clear message under the password field", () => {
    const [problem] = passwordProblems("Passwort2025!", "input.newPassword");
    expect(problem).toEqual({ field: "input.newPassword", rule: "PASSWORD_GUESSABLE", message: expect.stringMatching(/too easy to guess/) });
  });

  it("accepts the demo passwords, the tests' password and long unrelated words", () => {
    for (const password of [GOOD_PASSWORD, DEMO.admin.password, DEMO.employee.password, DEMO.app.password, "Tapete-Kompass-Regen-7", "Neues-Passwort-8"]) {
      expect(rules(password), password).toEqual([]);
    }
  });

  it("names only the missed character rules while those are missed (the estimate comes last)", () => {
    expect(rules("Passwort1!")).toEqual(["PASSWORD_COMMON"]);
    expect(rules("welcome123!")).toEqual(["PASSWORD_UPPERCASE"]);
  });

  it("rates a very long password quickly", () => {
    const started = performance.now();
    expect(rules(`Aa1!${"a".repeat(196)}`)).toEqual(["PASSWORD_GUESSABLE"]);
    expect(rules(`Aa1!${"Xq7#zP".repeat(32)}`)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("over the API", () => {
  let t: TestServer;
  let f: ReturnType<typeof factories>;
  beforeAll(async () => {
    t = await startTestServer();
    f = factories(t);
  });
  afterAll(() => t.close());

  it("refuses a guessable new password in changeMyPassword and in a reset", async () => {
    const staff = await f.buildStaff();
    const client = await f.staffClient(staff);
    const refused = await expectApiError(client.request(ChangeMyPasswordDocument, { input: { currentPassword: staff.password, newPassword: "Qwertz1234!" } }), "BAD_USER_INPUT");
    expect(refused.fields).toEqual([{ field: "input.newPassword", rule: "PASSWORD_GUESSABLE", message: expect.any(String) }]);
    const reset = await expectApiError(t.client().request(ResetPasswordDocument, { input: { token: "kr_unbekannt", password: "Welcome123!" } }), "BAD_USER_INPUT");
    expect(reset.fields.map((p) => p.rule)).toEqual(["PASSWORD_GUESSABLE"]);
  });
});
