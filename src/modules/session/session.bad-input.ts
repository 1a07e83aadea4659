/** Bad inputs to the mutations of the session module: each gets a clear error and changes nothing (run by src/test/bad-input.test.ts). */
import { LoginDocument } from "../../sdk/client.js";
import { GOOD_PASSWORD } from "../../test/factories.js";
import { long, longEmail, longPassword, raw, type BadInputRows } from "../../test/bad-input-registry.js";

export const sessionBadInput: BadInputRows = {
  login: [
    ["empty email", (w) => w.anonymous().request(LoginDocument, { input: { email: "", password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.email"],
    ["email without @", (w) => w.anonymous().request(LoginDocument, { input: { email: "niemand.example.test", password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.email"],
    ["too long email", (w) => w.anonymous().request(LoginDocument, { input: { email: longEmail, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.email"],
    ["too long password", (w) => w.anonymous().request(LoginDocument, { input: { email: w.firm.admin.email, password: longPassword } }), "BAD_USER_INPUT", "input.password"],
    ["too long broker ID", (w) => w.anonymous().request(LoginDocument, { input: { email: w.firm.admin.email, password: w.firm.admin.password, brokerId: long(21, "K") } }), "BAD_USER_INPUT", "input.brokerId"],
    ["password of the wrong type", (w) => w.anonymous().request(LoginDocument, { input: { email: w.firm.admin.email, password: raw<string>(12345678) } }), "BAD_USER_INPUT", "input.password"],
  ],
};
