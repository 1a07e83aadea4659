/** Bad inputs to the mutations of the app-account module: each gets a clear error and changes nothing (run by src/test/bad-input.test.ts). */
import crypto from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  ActivateAppAccountDocument,
  DeactivateAppAccountDocument,
  DeleteAppAccountDocument,
  GrantCustomerAccessDocument,
  InviteCustomersDocument,
  ReactivateAppAccountDocument,
  RegisterDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  RevokeCustomerAccessDocument,
} from "../../sdk/client.js";
import { GOOD_PASSWORD } from "../../test/factories.js";
import { long, longEmail, longPassword, randomId, many, raw, type BadInputRows, type Case, type World } from "../../test/bad-input-registry.js";

/** The four admin mutations that take `{ input: { id } }` of an app account (rules D3, D5). */
function appAccountIdCases(name: string, doc: TypedDocumentNode<unknown, { input: { id: string } }>): Record<string, Case[]> {
  const rows: Case[] = [
    ["empty id", (w) => w.firm.adminClient.request(doc, { input: { id: "" } }), "BAD_USER_INPUT", "input.id"],
    ["malformed id", (w) => w.firm.adminClient.request(doc, { input: { id: "abc" } }), "BAD_USER_INPUT", "input.id"],
    ["too long id", (w) => w.firm.adminClient.request(doc, { input: { id: long(201, "A") } }), "BAD_USER_INPUT", "input.id"],
    ["unknown id", (w) => w.firm.adminClient.request(doc, { input: { id: randomId("AppAccount") } }), "NOT_FOUND"],
    ["id of another type (the account's customer)", (w) => w.firm.adminClient.request(doc, { input: { id: w.accountCustomer } }), "NOT_FOUND"],
    ["id of the wrong type", (w) => w.firm.adminClient.request(doc, { input: { id: raw<string>(true) } }), "BAD_USER_INPUT", "input.id"],
    ["missing id", (w) => w.firm.adminClient.request(doc, { input: raw<{ id: string }>({}) }), "BAD_USER_INPUT", "input.id"],
  ];
  // Rule D5: only an invited login is activated by hand; a deactivated one is reactivated.
  if (name === "activateAppAccount") rows.push(["a deactivated account", (w) => w.firm.adminClient.request(doc, { input: { id: w.deactivated } }), "CONFLICT"]);
  return { [name]: rows };
}

/** Grant and revoke (rule D9): an app account and a customer of the firm. */
function customerAccessCases(name: string, doc: TypedDocumentNode<unknown, { input: { appAccountId: string; customerId: string } }>): Record<string, Case[]> {
  const call = (w: World, input: { appAccountId: string; customerId: string }) => w.firm.employeeClient.request(doc, { input });
  return {
    [name]: [
      ["empty app account id", (w) => call(w, { appAccountId: "", customerId: w.customer }), "BAD_USER_INPUT", "input.appAccountId"],
      ["malformed app account id", (w) => call(w, { appAccountId: "abc", customerId: w.customer }), "BAD_USER_INPUT", "input.appAccountId"],
      ["too long app account id", (w) => call(w, { appAccountId: long(201, "A"), customerId: w.customer }), "BAD_USER_INPUT", "input.appAccountId"],
      ["unknown app account id", (w) => call(w, { appAccountId: randomId("AppAccount"), customerId: w.customer }), "NOT_FOUND"],
      ["app account id of another type", (w) => call(w, { appAccountId: w.accountCustomer, customerId: w.customer }), "NOT_FOUND"],
      ["empty customer id", (w) => call(w, { appAccountId: w.account, customerId: "" }), "BAD_USER_INPUT", "input.customerId"],
      ["malformed customer id", (w) => call(w, { appAccountId: w.account, customerId: "abc" }), "BAD_USER_INPUT", "input.customerId"],
      ["unknown customer id", (w) => call(w, { appAccountId: w.account, customerId: randomId("Customer") }), "NOT_FOUND"],
      ["customer id of another type", (w) => call(w, { appAccountId: w.account, customerId: w.account }), "NOT_FOUND"],
      ["the account's own customer", (w) => call(w, { appAccountId: w.account, customerId: w.accountCustomer }), "CONFLICT", "input.customerId"],
      ["missing customer id", (w) => call(w, raw<{ appAccountId: string; customerId: string }>({ appAccountId: w.account })), "BAD_USER_INPUT", "input.customerId"],
    ],
  };
}


export const accountBadInput: BadInputRows = {
  // Per-customer problems come back as results with status ERROR; these are refusals of the whole request.
  inviteCustomers: [
    ["no customers", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [], sharing: "ALL_DOCUMENTS" } }), "BAD_USER_INPUT", "input.customers"],
    ["too many customers", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: many(501, w.invitee).map((customerId) => ({ customerId })), sharing: "ALL_DOCUMENTS" } }), "BAD_USER_INPUT", "input.customers"],
    ["SELECTED_CATEGORIES without categories", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [{ customerId: w.invitee }], sharing: "SELECTED_CATEGORIES" } }), "BAD_USER_INPUT", "input.categoryIds"],
    ["malformed category id", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [{ customerId: w.invitee }], sharing: "SELECTED_CATEGORIES", categoryIds: [w.category, "abc"] } }), "BAD_USER_INPUT", "input.categoryIds.1"],
    ["unknown category id", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [{ customerId: w.invitee }], sharing: "SELECTED_CATEGORIES", categoryIds: [randomId("DocumentCategory")] } }), "NOT_FOUND"],
    ["category id of another type", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [{ customerId: w.invitee }], sharing: "SELECTED_CATEGORIES", categoryIds: [w.customer] } }), "NOT_FOUND"],
    ["too many category ids", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [{ customerId: w.invitee }], sharing: "SELECTED_CATEGORIES", categoryIds: many(101, w.category) } }), "BAD_USER_INPUT", "input.categoryIds"],
    ["too long email of a customer", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [{ customerId: w.invitee, email: longEmail }], sharing: "ALL_DOCUMENTS" } }), "BAD_USER_INPUT", "input.customers.0.email"],
    ["unknown sharing", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [{ customerId: w.invitee }], sharing: raw<"ALL_DOCUMENTS">("EVERYTHING") } }), "BAD_USER_INPUT", "input.sharing"],
    ["unknown salutation", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [{ customerId: w.invitee }], sharing: "ALL_DOCUMENTS", salutation: raw<"SIE">("IHR") } }), "BAD_USER_INPUT", "input.salutation"],
    ["missing customer id", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [raw<{ customerId: string }>({ email: "neu@example.test" })], sharing: "ALL_DOCUMENTS" } }), "BAD_USER_INPUT", "input.customers.0.customerId"],
    ["replaceEmail of the wrong type", (w) => w.firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [{ customerId: w.invitee, email: "neu@example.test", replaceEmail: raw<boolean>("ja") }], sharing: "ALL_DOCUMENTS" } }), "BAD_USER_INPUT", "input.customers.0.replaceEmail"],
  ],
  register: [
    ["empty email", (w) => w.anonymous().request(RegisterDocument, { input: { email: "", token: w.registration.token, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.email"],
    ["malformed email", (w) => w.anonymous().request(RegisterDocument, { input: { email: "kunde.example.test", token: w.registration.token, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.email"],
    ["too long email", (w) => w.anonymous().request(RegisterDocument, { input: { email: longEmail, token: w.registration.token, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.email"],
    ["another email than invited (valid link)", (w) => w.anonymous().request(RegisterDocument, { input: { email: w.accountEmail, token: w.registration.token, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.email"],
    ["empty token", (w) => w.anonymous().request(RegisterDocument, { input: { email: w.registration.email, token: "", password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["unknown token", (w) => w.anonymous().request(RegisterDocument, { input: { email: w.registration.email, token: `ki_${crypto.randomBytes(32).toString("base64url")}`, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["too long token", (w) => w.anonymous().request(RegisterDocument, { input: { email: w.registration.email, token: long(201), password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["a staff invitation's token", (w) => w.anonymous().request(RegisterDocument, { input: { email: w.registration.email, token: w.inviteToken, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["a password reset's token", (w) => w.anonymous().request(RegisterDocument, { input: { email: w.accountEmail, token: w.resetToken, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["empty password (valid link)", (w) => w.anonymous().request(RegisterDocument, { input: { email: w.registration.email, token: w.registration.token, password: "" } }), "BAD_USER_INPUT", "input.password"],
    ["weak password (valid link)", (w) => w.anonymous().request(RegisterDocument, { input: { email: w.registration.email, token: w.registration.token, password: "passwort" } }), "BAD_USER_INPUT", "input.password"],
    ["too long password (valid link)", (w) => w.anonymous().request(RegisterDocument, { input: { email: w.registration.email, token: w.registration.token, password: longPassword } }), "BAD_USER_INPUT", "input.password"],
    ["missing password", (w) => w.anonymous().request(RegisterDocument, { input: raw<{ email: string; token: string; password: string }>({ email: w.registration.email, token: w.registration.token }) }), "BAD_USER_INPUT", "input.password"],
  ],
  // Rule D7: answers ok for unknown accounts too; only input no account could have is refused.
  requestPasswordReset: [
    ["blank broker ID", (w) => w.anonymous().request(RequestPasswordResetDocument, { input: { email: "kunde@example.test", brokerId: "  " } }), "BAD_USER_INPUT", "input.brokerId"],
    ["empty email", (w) => w.anonymous().request(RequestPasswordResetDocument, { input: { email: "", brokerId: w.firm.tenant.brokerId } }), "BAD_USER_INPUT", "input.email"],
    ["malformed email", (w) => w.anonymous().request(RequestPasswordResetDocument, { input: { email: "kunde@", brokerId: w.firm.tenant.brokerId } }), "BAD_USER_INPUT", "input.email"],
    ["too long email", (w) => w.anonymous().request(RequestPasswordResetDocument, { input: { email: longEmail, brokerId: w.firm.tenant.brokerId } }), "BAD_USER_INPUT", "input.email"],
    ["too long broker ID", (w) => w.anonymous().request(RequestPasswordResetDocument, { input: { email: w.accountEmail, brokerId: long(21, "K") } }), "BAD_USER_INPUT", "input.brokerId"],
    ["missing broker ID", (w) => w.anonymous().request(RequestPasswordResetDocument, { input: raw<{ email: string; brokerId: string }>({ email: w.accountEmail }) }), "BAD_USER_INPUT", "input.brokerId"],
    ["broker ID of the wrong type", (w) => w.anonymous().request(RequestPasswordResetDocument, { input: { email: w.accountEmail, brokerId: raw<string>(123456) } }), "BAD_USER_INPUT", "input.brokerId"],
  ],
  resetPassword: [
    ["empty token", (w) => w.anonymous().request(ResetPasswordDocument, { input: { token: "", password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["unknown token", (w) => w.anonymous().request(ResetPasswordDocument, { input: { token: `kr_${crypto.randomBytes(32).toString("base64url")}`, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["too long token", (w) => w.anonymous().request(ResetPasswordDocument, { input: { token: long(201), password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["a registration link's token", (w) => w.anonymous().request(ResetPasswordDocument, { input: { token: w.registration.token, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["empty password (valid link)", (w) => w.anonymous().request(ResetPasswordDocument, { input: { token: w.resetToken, password: "" } }), "BAD_USER_INPUT", "input.password"],
    ["weak password (valid link)", (w) => w.anonymous().request(ResetPasswordDocument, { input: { token: w.resetToken, password: "kurz1!" } }), "BAD_USER_INPUT", "input.password"],
    ["common password (valid link)", (w) => w.anonymous().request(ResetPasswordDocument, { input: { token: w.resetToken, password: "Passwort123!" } }), "BAD_USER_INPUT", "input.password"],
    ["too long password (valid link)", (w) => w.anonymous().request(ResetPasswordDocument, { input: { token: w.resetToken, password: longPassword } }), "BAD_USER_INPUT", "input.password"],
  ],
  ...appAccountIdCases("activateAppAccount", ActivateAppAccountDocument),
  ...appAccountIdCases("deactivateAppAccount", DeactivateAppAccountDocument),
  ...appAccountIdCases("reactivateAppAccount", ReactivateAppAccountDocument),
  ...appAccountIdCases("deleteAppAccount", DeleteAppAccountDocument),
  ...customerAccessCases("grantCustomerAccess", GrantCustomerAccessDocument),
  ...customerAccessCases("revokeCustomerAccess", RevokeCustomerAccessDocument),
};
