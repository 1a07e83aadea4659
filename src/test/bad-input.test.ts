/**
 * Every mutation, fed empty, too long, wrongly formatted and unknown inputs: each gets a clear error
 * (BAD_USER_INPUT with a `fields` entry naming the field, or NOT_FOUND / CONFLICT where that fits) and changes nothing.
 */
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { startTestServer, expectApiError, type TestServer } from "./harness.js";
import { factories, upload, GOOD_PASSWORD } from "./factories.js";
import { PDF, PNG } from "./fixtures.js";
import {
  AcceptStaffInvitationDocument,
  ActivateAppAccountDocument,
  ChangeMyPasswordDocument,
  CreateCustomerDocument,
  CreateDocumentCategoryDocument,
  CreateTenantDocument,
  CreateUploadDocument,
  DeactivateAppAccountDocument,
  DeleteAppAccountDocument,
  GrantCustomerAccessDocument,
  InviteCustomersDocument,
  InviteStaffUserDocument,
  LoginDocument,
  MarkNotificationsReadDocument,
  ReactivateAppAccountDocument,
  RegisterDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  RevokeCustomerAccessDocument,
  SetCustomerAppEnabledDocument,
  SetDocumentVisibilityDocument,
  SetRecommendedDocumentCategoriesDocument,
  SetResponsibleStaffDocument,
  UpdateBrokerProfileDocument,
  UpdateCustomerDocument,
  UpdateMySettingsDocument,
  UpdateStaffUserDocument,
  UploadDocumentDocument,
  type KundenappClient,
} from "../sdk/client.js";
import { toGlobalId } from "../graphql/relay.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import { staffUsers } from "../modules/staff/staff.table.js";
import { oneTimeTokens, rateLimits, sessions } from "../modules/session/session.table.js";
import { customerResponsibleStaff, customers } from "../modules/customer/customer.table.js";
import { documentCategories, documents } from "../modules/document/document.table.js";
import { files } from "../files/file.table.js";
import { appAccountAccess, appAccounts } from "../modules/account/account.table.js";
import { notifications } from "../modules/notification/notification.table.js";
import { mailOutbox } from "../mail/outbox.table.js";
import { events } from "../realtime/events.table.js";

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
interface World {
  firm: Firm;
  /** The token of an open invitation of `firm`. */
  inviteToken: string;
  operator: KundenappClient;
  anonymous: () => KundenappClient;
  /** Global IDs of `firm`'s objects: a customer with a document, a category of the firm's own (`categoryName`). */
  customer: string;
  document: string;
  category: string;
  categoryName: string;
  /** Uploads (global IDs): bytes stored, not attached (the admin's); for LOGO; never PUT; attached to `document`; the employee's; the app account's. */
  file: { stored: string; logo: string; pending: string; attached: string; employees: string; apps: string };
  /** An ACTIVE app account of another customer of `firm` (`accountCustomer`), logged in as `app`; and a DEACTIVATED one. */
  account: string;
  accountEmail: string;
  accountCustomer: string;
  app: KundenappClient;
  deactivated: string;
  /** A customer of `firm` without a login, to invite. */
  invitee: string;
  /** An INVITED app account's address and the token of its registration link (rule D4). */
  registration: { email: string; token: string };
  /** The token of `account`'s password-reset link (rule D7). */
  resetToken: string;
  /** Notifications (global IDs) of the employee, and of the admin. */
  notification: string;
  adminNotification: string;
}

/** Values that break the usual rules. */
const long = (n: number, c = "x") => c.repeat(n);
const longEmail = `${long(250, "a")}@example.test`;
const longPassword = `Aa1!${long(197)}`; // 201 characters, every D4 rule met
const randomId = (type: string) => toGlobalId(type, crypto.randomUUID());
const profile = { name: "Makler Nord", phone: "040 1234567", street: "Am Hafen 3", postalCode: "20457", city: "Hamburg" };
const invite = { email: "neu@example.test", name: "Neue Person", role: "EMPLOYEE" as const, permissions: ["CHAT" as const] };
const customer = { firstName: "Kim", lastName: "Kunde" };
const pdfUpload = { purpose: "DOCUMENT" as const, contentType: "application/pdf", size: PDF.length, fileName: "police.pdf" };
const many = (n: number, id: string) => Array<string>(n).fill(id);
/** Bypasses the SDK's types, to send what an untyped client could. */
const raw = <T>(value: unknown) => value as T;

type Expect = "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT";
/** [what is wrong, the call, the expected code, the field it must name (BAD_USER_INPUT and CONFLICT)]. */
type Case = [wrong: string, call: (w: World) => Promise<unknown>, code: Expect, field?: string];

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

const cases: Record<string, Case[]> = {
  login: [
    ["empty email", (w) => w.anonymous().request(LoginDocument, { input: { email: "", password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.email"],
    ["email without @", (w) => w.anonymous().request(LoginDocument, { input: { email: "niemand.example.test", password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.email"],
    ["too long email", (w) => w.anonymous().request(LoginDocument, { input: { email: longEmail, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.email"],
    ["too long password", (w) => w.anonymous().request(LoginDocument, { input: { email: w.firm.admin.email, password: longPassword } }), "BAD_USER_INPUT", "input.password"],
    ["too long broker ID", (w) => w.anonymous().request(LoginDocument, { input: { email: w.firm.admin.email, password: w.firm.admin.password, brokerId: long(21, "K") } }), "BAD_USER_INPUT", "input.brokerId"],
    ["password of the wrong type", (w) => w.anonymous().request(LoginDocument, { input: { email: w.firm.admin.email, password: raw<string>(12345678) } }), "BAD_USER_INPUT", "input.password"],
  ],
  acceptStaffInvitation: [
    ["empty token", (w) => w.anonymous().request(AcceptStaffInvitationDocument, { input: { token: "", password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["unknown token", (w) => w.anonymous().request(AcceptStaffInvitationDocument, { input: { token: `ki_${crypto.randomBytes(32).toString("base64url")}`, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["too long token", (w) => w.anonymous().request(AcceptStaffInvitationDocument, { input: { token: long(201), password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["empty password (valid link)", (w) => w.anonymous().request(AcceptStaffInvitationDocument, { input: { token: w.inviteToken, password: "" } }), "BAD_USER_INPUT", "input.password"],
    ["weak password (valid link)", (w) => w.anonymous().request(AcceptStaffInvitationDocument, { input: { token: w.inviteToken, password: "passwort" } }), "BAD_USER_INPUT", "input.password"],
    ["too long password (valid link)", (w) => w.anonymous().request(AcceptStaffInvitationDocument, { input: { token: w.inviteToken, password: longPassword } }), "BAD_USER_INPUT", "input.password"],
  ],
  inviteStaffUser: [
    ["empty email", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, email: "" } }), "BAD_USER_INPUT", "input.email"],
    ["malformed email", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, email: "neu@@example" } }), "BAD_USER_INPUT", "input.email"],
    ["too long email", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, email: longEmail } }), "BAD_USER_INPUT", "input.email"],
    ["email in use", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, email: w.firm.employee.email.toUpperCase() } }), "CONFLICT", "input.email"],
    ["empty name", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, name: "" } }), "BAD_USER_INPUT", "input.name"],
    ["blank name", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, name: "   " } }), "BAD_USER_INPUT", "input.name"],
    ["too long name", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, name: long(121) } }), "BAD_USER_INPUT", "input.name"],
    ["unknown role", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, role: raw<"ADMIN">("CHEF") } }), "BAD_USER_INPUT", "input.role"],
    ["unknown permission", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, permissions: raw<["CHAT"]>(["CHAT", "FLIEGEN"]) } }), "BAD_USER_INPUT", "input.permissions.1"],
    ["too many permissions", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, permissions: Array(11).fill("CHAT") } }), "BAD_USER_INPUT", "input.permissions"],
    ["missing name", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: raw<typeof invite>({ email: invite.email }) }), "BAD_USER_INPUT", "input.name"],
  ],
  updateStaffUser: [
    ["empty id", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: "", name: "Neu" } }), "BAD_USER_INPUT", "input.id"],
    ["malformed id", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: "abc", name: "Neu" } }), "BAD_USER_INPUT", "input.id"],
    ["too long id", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: long(300, "A"), name: "Neu" } }), "BAD_USER_INPUT", "input.id"],
    ["unknown id", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: randomId("StaffUser"), name: "Neu" } }), "NOT_FOUND"],
    ["id of another type", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("Tenant", w.firm.tenant.id), name: "Neu" } }), "NOT_FOUND"],
    ["empty name", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", w.firm.employee.id), name: "" } }), "BAD_USER_INPUT", "input.name"],
    ["blank name", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", w.firm.employee.id), name: " \t " } }), "BAD_USER_INPUT", "input.name"],
    ["too long name", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", w.firm.employee.id), name: long(121) } }), "BAD_USER_INPUT", "input.name"],
    ["unknown role", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", w.firm.employee.id), role: raw<"ADMIN">("CHEF") } }), "BAD_USER_INPUT", "input.role"],
    ["unknown permission", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", w.firm.employee.id), permissions: raw<["CHAT"]>(["FLIEGEN"]) } }), "BAD_USER_INPUT", "input.permissions.0"],
    ["active of the wrong type", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", w.firm.employee.id), active: raw<boolean>("nein") } }), "BAD_USER_INPUT", "input.active"],
  ],
  updateMySettings: [
    ["emailNotifications of the wrong type", (w) => w.firm.employeeClient.request(UpdateMySettingsDocument, { input: { emailNotifications: raw<boolean>("aus") } }), "BAD_USER_INPUT", "input.emailNotifications"],
    ["unknown setting", (w) => w.firm.employeeClient.request(UpdateMySettingsDocument, { input: raw<{ emailNotifications: boolean }>({ smsNotifications: false }) }), "BAD_USER_INPUT", "input.smsNotifications"],
  ],
  changeMyPassword: [
    ["empty current password", (w) => w.firm.employeeClient.request(ChangeMyPasswordDocument, { input: { currentPassword: "", newPassword: "Neues-Passwort-8" } }), "BAD_USER_INPUT", "input.currentPassword"],
    ["too long current password", (w) => w.firm.employeeClient.request(ChangeMyPasswordDocument, { input: { currentPassword: longPassword, newPassword: "Neues-Passwort-8" } }), "BAD_USER_INPUT", "input.currentPassword"],
    ["empty new password", (w) => w.firm.employeeClient.request(ChangeMyPasswordDocument, { input: { currentPassword: w.firm.employee.password, newPassword: "" } }), "BAD_USER_INPUT", "input.newPassword"],
    ["too long new password", (w) => w.firm.employeeClient.request(ChangeMyPasswordDocument, { input: { currentPassword: w.firm.employee.password, newPassword: longPassword } }), "BAD_USER_INPUT", "input.newPassword"],
    ["common new password", (w) => w.firm.employeeClient.request(ChangeMyPasswordDocument, { input: { currentPassword: w.firm.employee.password, newPassword: "Passwort123!" } }), "BAD_USER_INPUT", "input.newPassword"],
  ],
  updateBrokerProfile: [
    ["four-digit postal code", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, postalCode: "1234" } }), "BAD_USER_INPUT", "input.postalCode"],
    ["postal code of letters", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, postalCode: "abcde" } }), "BAD_USER_INPUT", "input.postalCode"],
    ["phone of letters", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, phone: "abc" } }), "BAD_USER_INPUT", "input.phone"],
    ["too long phone", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, phone: long(41, "1") } }), "BAD_USER_INPUT", "input.phone"],
    ["too long name", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, name: long(121) } }), "BAD_USER_INPUT", "input.name"],
    ["too long street", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, street: long(121) } }), "BAD_USER_INPUT", "input.street"],
    ["too long city", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, city: long(81) } }), "BAD_USER_INPUT", "input.city"],
    ["missing city", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: raw<typeof profile>({ ...profile, city: undefined }) }), "BAD_USER_INPUT", "input.city"],
  ],
  createTenant: [
    ["empty name", (w) => w.operator.request(CreateTenantDocument, { input: { name: "", adminEmail: "chef@example.test", adminName: "Chef" } }), "BAD_USER_INPUT", "input.name"],
    ["blank name", (w) => w.operator.request(CreateTenantDocument, { input: { name: "   ", adminEmail: "chef@example.test", adminName: "Chef" } }), "BAD_USER_INPUT", "input.name"],
    ["too long name", (w) => w.operator.request(CreateTenantDocument, { input: { name: long(121), adminEmail: "chef@example.test", adminName: "Chef" } }), "BAD_USER_INPUT", "input.name"],
    ["empty admin email", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: "", adminName: "Chef" } }), "BAD_USER_INPUT", "input.adminEmail"],
    ["malformed admin email", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: "chef at example.test", adminName: "Chef" } }), "BAD_USER_INPUT", "input.adminEmail"],
    ["too long admin email", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: longEmail, adminName: "Chef" } }), "BAD_USER_INPUT", "input.adminEmail"],
    ["admin email in use", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: w.firm.admin.email, adminName: "Chef" } }), "CONFLICT", "input.adminEmail"],
    ["empty admin name", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: "chef@example.test", adminName: "" } }), "BAD_USER_INPUT", "input.adminName"],
    ["blank admin name", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: "chef@example.test", adminName: "  " } }), "BAD_USER_INPUT", "input.adminName"],
    ["too long admin name", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: "chef@example.test", adminName: long(121) } }), "BAD_USER_INPUT", "input.adminName"],
  ],
  setCustomerAppEnabled: [
    ["neither tenantId nor brokerId", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { enabled: false } }), "BAD_USER_INPUT", "input.tenantId"],
    ["empty broker ID", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { brokerId: "", enabled: false } }), "BAD_USER_INPUT", "input.brokerId"],
    ["blank broker ID", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { brokerId: "   ", enabled: false } }), "BAD_USER_INPUT", "input.brokerId"],
    ["empty tenantId", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { tenantId: "", enabled: false } }), "BAD_USER_INPUT", "input.tenantId"],
    ["too long broker ID", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { brokerId: long(21, "K"), enabled: false } }), "BAD_USER_INPUT", "input.brokerId"],
    ["unknown broker ID", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { brokerId: "ZZZZZZ", enabled: false } }), "NOT_FOUND"],
    ["malformed tenantId", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { tenantId: "abc", enabled: false } }), "BAD_USER_INPUT", "input.tenantId"],
    ["unknown tenantId", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { tenantId: randomId("Tenant"), enabled: false } }), "NOT_FOUND"],
    ["tenantId of another type", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { tenantId: toGlobalId("StaffUser", w.firm.admin.id), enabled: false } }), "NOT_FOUND"],
    ["missing enabled", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: raw<{ enabled: boolean }>({ brokerId: w.firm.tenant.brokerId }) }), "BAD_USER_INPUT", "input.enabled"],
  ],
  createCustomer: [
    ["empty first name", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, firstName: "" } }), "BAD_USER_INPUT", "input.firstName"],
    ["blank first name", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, firstName: "  " } }), "BAD_USER_INPUT", "input.firstName"],
    ["too long last name", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, lastName: long(101) } }), "BAD_USER_INPUT", "input.lastName"],
    ["missing last name", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: raw<typeof customer>({ firstName: "Kim" }) }), "BAD_USER_INPUT", "input.lastName"],
    ["malformed email", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, email: "kim@@example" } }), "BAD_USER_INPUT", "input.email"],
    ["too long email", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, email: longEmail } }), "BAD_USER_INPUT", "input.email"],
    ["phone of letters", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, phone: "abc" } }), "BAD_USER_INPUT", "input.phone"],
    ["four-digit postal code", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, postalCode: "1234" } }), "BAD_USER_INPUT", "input.postalCode"],
    ["too long street", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, street: long(121) } }), "BAD_USER_INPUT", "input.street"],
    ["too long city", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, city: long(81) } }), "BAD_USER_INPUT", "input.city"],
    ["birth date in German format", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, birthDate: "31.12.1980" } }), "BAD_USER_INPUT", "input.birthDate"],
    ["birth date that does not exist", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, birthDate: "1980-02-30" } }), "BAD_USER_INPUT", "input.birthDate"],
    ["birth date in the future", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, birthDate: "2999-01-01" } }), "BAD_USER_INPUT", "input.birthDate"],
    ["birth date before 1900", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, birthDate: "1850-06-01" } }), "BAD_USER_INPUT", "input.birthDate"],
    ["malformed responsible staff id", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: ["abc"] } }), "BAD_USER_INPUT", "input.responsibleStaffIds.0"],
    ["unknown responsible staff id", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: [randomId("StaffUser")] } }), "NOT_FOUND"],
    ["responsible staff id of another type", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: [w.customer] } }), "NOT_FOUND"],
    ["a responsible staff user twice", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: many(2, toGlobalId("StaffUser", w.firm.admin.id)) } }), "BAD_USER_INPUT", "input.responsibleStaffIds"],
    ["too many responsible staff", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: many(21, toGlobalId("StaffUser", w.firm.admin.id)) } }), "BAD_USER_INPUT", "input.responsibleStaffIds"],
    ["unknown field", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: raw<typeof customer>({ ...customer, nickname: "Kimmy" }) }), "BAD_USER_INPUT", "input.nickname"],
  ],
  updateCustomer: [
    ["null first name", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, firstName: null } }), "BAD_USER_INPUT", "input.firstName"],
    ["null last name", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, lastName: null } }), "BAD_USER_INPUT", "input.lastName"],
    ["empty id", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: "", city: "Bremen" } }), "BAD_USER_INPUT", "input.id"],
    ["malformed id", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: "abc", city: "Bremen" } }), "BAD_USER_INPUT", "input.id"],
    ["too long id", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: long(300, "A"), city: "Bremen" } }), "BAD_USER_INPUT", "input.id"],
    ["unknown id", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: randomId("Customer"), city: "Bremen" } }), "NOT_FOUND"],
    ["id of another type", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: toGlobalId("StaffUser", w.firm.admin.id), city: "Bremen" } }), "NOT_FOUND"],
    ["empty first name", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, firstName: "" } }), "BAD_USER_INPUT", "input.firstName"],
    ["blank last name", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, lastName: " \t " } }), "BAD_USER_INPUT", "input.lastName"],
    ["too long first name", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, firstName: long(101) } }), "BAD_USER_INPUT", "input.firstName"],
    ["malformed email", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, email: "kim at example.test" } }), "BAD_USER_INPUT", "input.email"],
    ["postal code of letters", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, postalCode: "abcde" } }), "BAD_USER_INPUT", "input.postalCode"],
    ["too long phone", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, phone: long(41, "1") } }), "BAD_USER_INPUT", "input.phone"],
    ["birth date in the future", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, birthDate: "2999-01-01" } }), "BAD_USER_INPUT", "input.birthDate"],
    ["birth date of the wrong type", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, birthDate: raw<string>(19800101) } }), "BAD_USER_INPUT", "input.birthDate"],
  ],
  setResponsibleStaff: [
    ["empty customer id", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: "", staffUserIds: [] } }), "BAD_USER_INPUT", "input.customerId"],
    ["malformed customer id", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: "abc", staffUserIds: [] } }), "BAD_USER_INPUT", "input.customerId"],
    ["unknown customer id", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: randomId("Customer"), staffUserIds: [] } }), "NOT_FOUND"],
    ["customer id of another type", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: toGlobalId("StaffUser", w.firm.admin.id), staffUserIds: [] } }), "NOT_FOUND"],
    ["malformed staff id", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: [toGlobalId("StaffUser", w.firm.admin.id), "abc"] } }), "BAD_USER_INPUT", "input.staffUserIds.1"],
    ["unknown staff id", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: [randomId("StaffUser")] } }), "NOT_FOUND"],
    ["staff id of another type", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: [w.customer] } }), "NOT_FOUND"],
    ["a staff user twice", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: many(2, toGlobalId("StaffUser", w.firm.employee.id)) } }), "BAD_USER_INPUT", "input.staffUserIds"],
    ["too many staff users", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: many(21, toGlobalId("StaffUser", w.firm.employee.id)) } }), "BAD_USER_INPUT", "input.staffUserIds"],
    ["missing staff list", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: raw<{ customerId: string; staffUserIds: string[] }>({ customerId: w.customer }) }), "BAD_USER_INPUT", "input.staffUserIds"],
  ],
  createUpload: [
    ["empty file name", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, fileName: "" } }), "BAD_USER_INPUT", "input.fileName"],
    ["blank file name", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, fileName: "   " } }), "BAD_USER_INPUT", "input.fileName"],
    ["too long file name", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, fileName: `${long(197)}.pdf` } }), "BAD_USER_INPUT", "input.fileName"],
    ["content type not allowed", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, contentType: "text/html" } }), "BAD_USER_INPUT", "input.contentType"],
    ["too long content type", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, contentType: `application/${long(100)}` } }), "BAD_USER_INPUT", "input.contentType"],
    ["size zero", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, size: 0 } }), "BAD_USER_INPUT", "input.size"],
    ["negative size", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, size: -1 } }), "BAD_USER_INPUT", "input.size"],
    ["size over the limit", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, size: 25 * 1024 * 1024 + 1 } }), "BAD_USER_INPUT", "input.size"],
    ["size beyond Int", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, size: 2 ** 31 } }), "BAD_USER_INPUT", "input.size"],
    ["size of the wrong type", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, size: raw<number>("100") } }), "BAD_USER_INPUT", "input.size"],
    ["unknown purpose", (w) => w.firm.employeeClient.request(CreateUploadDocument, { input: { ...pdfUpload, purpose: raw<"DOCUMENT">("AVATAR") } }), "BAD_USER_INPUT", "input.purpose"],
    ["app: claim photo as PDF", (w) => w.app.request(CreateUploadDocument, { input: { ...pdfUpload, purpose: "CLAIM_PHOTO" } }), "BAD_USER_INPUT", "input.contentType"],
  ],
  uploadDocument: [
    ["empty file id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: "", customerId: w.customer, categoryId: w.category } }), "BAD_USER_INPUT", "input.fileId"],
    ["malformed file id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: "abc", customerId: w.customer, categoryId: w.category } }), "BAD_USER_INPUT", "input.fileId"],
    ["unknown file id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: randomId("File"), customerId: w.customer, categoryId: w.category } }), "NOT_FOUND"],
    ["file id of another type", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.document, customerId: w.customer, categoryId: w.category } }), "NOT_FOUND"],
    ["another staff user's file", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.employees, customerId: w.customer, categoryId: w.category } }), "NOT_FOUND"],
    ["file uploaded as a logo", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.logo, customerId: w.customer, categoryId: w.category } }), "BAD_USER_INPUT", "input.fileId"],
    ["file whose bytes never came", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.pending, customerId: w.customer, categoryId: w.category } }), "BAD_USER_INPUT", "input.fileId"],
    ["file attached already", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.attached, customerId: w.customer, categoryId: w.category } }), "BAD_USER_INPUT", "input.fileId"],
    ["empty customer id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: "", categoryId: w.category } }), "BAD_USER_INPUT", "input.customerId"],
    ["malformed customer id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: "abc", categoryId: w.category } }), "BAD_USER_INPUT", "input.customerId"],
    ["unknown customer id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: randomId("Customer"), categoryId: w.category } }), "NOT_FOUND"],
    ["customer id of another type", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.account, categoryId: w.category } }), "NOT_FOUND"],
    ["missing category (staff)", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer } }), "BAD_USER_INPUT", "input.categoryId"],
    ["malformed category id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer, categoryId: "abc" } }), "BAD_USER_INPUT", "input.categoryId"],
    ["unknown category id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer, categoryId: randomId("DocumentCategory") } }), "NOT_FOUND"],
    ["category id of another type", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer, categoryId: w.customer } }), "NOT_FOUND"],
    ["empty title", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer, categoryId: w.category, title: "" } }), "BAD_USER_INPUT", "input.title"],
    ["too long title", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer, categoryId: w.category, title: long(201) } }), "BAD_USER_INPUT", "input.title"],
    ["malformed contract id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer, categoryId: w.category, contractId: "abc" } }), "BAD_USER_INPUT", "input.contractId"],
    ["unknown contract id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer, categoryId: w.category, contractId: randomId("Contract") } }), "NOT_FOUND"],
    ["malformed claim id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer, categoryId: w.category, claimId: "abc" } }), "BAD_USER_INPUT", "input.claimId"],
    ["unknown claim id", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer, categoryId: w.category, claimId: randomId("Claim") } }), "NOT_FOUND"],
    ["visibleToCustomer of the wrong type", (w) => w.firm.adminClient.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.customer, categoryId: w.category, visibleToCustomer: raw<boolean>("ja") } }), "BAD_USER_INPUT", "input.visibleToCustomer"],
    ["app: a customer it may not access", (w) => w.app.request(UploadDocumentDocument, { input: { fileId: w.file.apps, customerId: w.customer } }), "NOT_FOUND"],
    ["app: hidden from itself", (w) => w.app.request(UploadDocumentDocument, { input: { fileId: w.file.apps, customerId: w.accountCustomer, visibleToCustomer: false } }), "BAD_USER_INPUT", "input.visibleToCustomer"],
    ["app: a staff user's file", (w) => w.app.request(UploadDocumentDocument, { input: { fileId: w.file.stored, customerId: w.accountCustomer } }), "NOT_FOUND"],
  ],
  setDocumentVisibility: [
    ["no documents, customer or category", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { visible: true } }), "BAD_USER_INPUT", "input"],
    ["empty document list alone", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [], visible: true } }), "BAD_USER_INPUT", "input"],
    ["malformed document id", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [w.document, "abc"], visible: true } }), "BAD_USER_INPUT", "input.documentIds.1"],
    ["unknown document id", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [w.document, randomId("Document")], visible: true } }), "NOT_FOUND"],
    ["document id of another type", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [w.customer], visible: true } }), "NOT_FOUND"],
    ["too many document ids", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { documentIds: many(501, w.document), visible: true } }), "BAD_USER_INPUT", "input.documentIds"],
    ["malformed customer id", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { customerId: "abc", visible: true } }), "BAD_USER_INPUT", "input.customerId"],
    ["unknown customer id", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { customerId: randomId("Customer"), visible: true } }), "NOT_FOUND"],
    ["malformed category id", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { categoryId: "abc", visible: true } }), "BAD_USER_INPUT", "input.categoryId"],
    ["unknown category id", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { customerId: w.customer, categoryId: randomId("DocumentCategory"), visible: true } }), "NOT_FOUND"],
    ["missing visible", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: raw<{ visible: boolean }>({ documentIds: [w.document] }) }), "BAD_USER_INPUT", "input.visible"],
    ["visible of the wrong type", (w) => w.firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [w.document], visible: raw<boolean>(1) } }), "BAD_USER_INPUT", "input.visible"],
  ],
  createDocumentCategory: [
    ["empty name", (w) => w.firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: "" } }), "BAD_USER_INPUT", "input.name"],
    ["blank name", (w) => w.firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: "   " } }), "BAD_USER_INPUT", "input.name"],
    ["too long name", (w) => w.firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: long(81) } }), "BAD_USER_INPUT", "input.name"],
    ["name in use", (w) => w.firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: w.categoryName } }), "CONFLICT", "input.name"],
    ["name in use, with spaces around", (w) => w.firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: ` ${w.categoryName} ` } }), "CONFLICT", "input.name"],
    ["name in use, in other letter case", (w) => w.firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: w.categoryName.toUpperCase() } }), "CONFLICT", "input.name"],
    ["recommended of the wrong type", (w) => w.firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: "Neue Kategorie", recommended: raw<boolean>("ja") } }), "BAD_USER_INPUT", "input.recommended"],
  ],
  setRecommendedDocumentCategories: [
    ["empty id", (w) => w.firm.adminClient.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [""] } }), "BAD_USER_INPUT", "input.categoryIds.0"],
    ["malformed id", (w) => w.firm.adminClient.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [w.category, "abc"] } }), "BAD_USER_INPUT", "input.categoryIds.1"],
    ["unknown id", (w) => w.firm.adminClient.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [w.category, randomId("DocumentCategory")] } }), "NOT_FOUND"],
    ["id of another type", (w) => w.firm.adminClient.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [w.document] } }), "NOT_FOUND"],
    ["too many ids", (w) => w.firm.adminClient.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: many(101, w.category) } }), "BAD_USER_INPUT", "input.categoryIds"],
    ["missing list", (w) => w.firm.adminClient.request(SetRecommendedDocumentCategoriesDocument, { input: raw<{ categoryIds: string[] }>({}) }), "BAD_USER_INPUT", "input.categoryIds"],
  ],
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
  markNotificationsRead: [
    ["neither ids nor all", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: {} }), "BAD_USER_INPUT", "input.ids"],
    ["empty ids, all false", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [], all: false } }), "BAD_USER_INPUT", "input.ids"],
    ["both ids and all", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [w.notification], all: true } }), "BAD_USER_INPUT", "input.all"],
    ["malformed id", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [w.notification, "abc"] } }), "BAD_USER_INPUT", "input.ids.1"],
    ["unknown id", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [w.notification, randomId("Notification")] } }), "NOT_FOUND"],
    ["id of another type", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [w.customer] } }), "NOT_FOUND"],
    ["another user's notification", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [w.notification, w.adminNotification] } }), "NOT_FOUND"],
    ["too many ids", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: many(101, w.notification) } }), "BAD_USER_INPUT", "input.ids"],
    ["all of the wrong type", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { all: raw<boolean>("alle") } }), "BAD_USER_INPUT", "input.all"],
  ],
};

let t: TestServer;
let world: World;
beforeAll(async () => {
  t = await startTestServer();
  const f = factories(t);
  const db = t.app.deps.database.db;
  const firm = await f.buildFirm();
  const { inviteStaffUser } = await firm.adminClient.request(InviteStaffUserDocument, {
    input: { email: `pending-${crypto.randomBytes(5).toString("hex")}@example.test`, name: "Offene Einladung", role: "EMPLOYEE", permissions: [] },
  });
  // The profile the broker-profile cases must leave alone.
  await firm.adminClient.request(UpdateBrokerProfileDocument, { input: profile });

  // Customers, a category of the firm's own, a document, and uploads in every state (rules C1, C2).
  const [own, accountCustomer, invitee, invited] = [await f.buildCustomer({ tenant: firm.tenant }), await f.buildCustomer({ tenant: firm.tenant }), await f.buildCustomer({ tenant: firm.tenant }), await f.buildCustomer({ tenant: firm.tenant })];
  const customerId = toGlobalId("Customer", own.id);
  const categoryName = `Eigene ${crypto.randomBytes(3).toString("hex")}`;
  const { createDocumentCategory } = await firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: categoryName, recommended: false } });
  const category = createDocumentCategory.category.id;
  const pdf = { purpose: "DOCUMENT" as const, bytes: PDF, contentType: "application/pdf" };
  const attached = await upload(firm.adminClient, pdf);
  const { uploadDocument } = await firm.adminClient.request(UploadDocumentDocument, { input: { fileId: attached.fileId, customerId, categoryId: category } });
  const stored = await upload(firm.adminClient, pdf);
  const logo = await upload(firm.adminClient, { purpose: "LOGO", bytes: PNG, contentType: "image/png" });
  const { createUpload: pending } = await firm.adminClient.request(CreateUploadDocument, { input: pdfUpload });
  const employees = await upload(firm.employeeClient, pdf);

  // App accounts (rules D1-D9): an active one, logged in, with a reset link; a deactivated one; one invited through the API.
  const account = await f.buildAppAccount({ customer: accountCustomer });
  const deactivated = await f.buildAppAccount({ tenant: firm.tenant, status: "DEACTIVATED" });
  const app = await f.appClient(account);
  const apps = await upload(app, pdf);
  const { inviteCustomers } = await firm.employeeClient.request(InviteCustomersDocument, { input: { customers: [{ customerId: toGlobalId("Customer", invited.id) }], sharing: "ALL_DOCUMENTS" } });
  expect(inviteCustomers.results[0]!.status).toBe("INVITED");
  await t.client().request(RequestPasswordResetDocument, { input: { email: account.email, brokerId: firm.tenant.brokerId } });
  /** The token in the link of the one mail to `address` (the outbox holds it; no SMTP server here). */
  const mailedToken = async (address: string) => {
    const [mail] = await db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, address));
    return new URL(mail!.textBody.match(/https?:\/\/\S+/)![0]).searchParams.get("token")!;
  };

  const [notification, adminNotification] = await db
    .insert(notifications)
    .values([firm.employee, firm.admin].map((s) => ({ tenantId: firm.tenant.id, staffUserId: s.id, kind: "GENERAL" as const, title: "Hinweis", body: `für ${s.name}` })))
    .returning();

  world = {
    firm,
    inviteToken: new URL(inviteStaffUser.invitationLink).searchParams.get("token")!,
    operator: t.operator(),
    anonymous: () => t.client(),
    customer: customerId,
    document: uploadDocument.document.id,
    category,
    categoryName,
    file: { stored: stored.fileId, logo: logo.fileId, pending: pending.fileId, attached: attached.fileId, employees: employees.fileId, apps: apps.fileId },
    account: toGlobalId("AppAccount", account.id),
    accountEmail: account.email,
    accountCustomer: toGlobalId("Customer", accountCustomer.id),
    app,
    deactivated: toGlobalId("AppAccount", deactivated.id),
    invitee: toGlobalId("Customer", invitee.id),
    registration: { email: invited.email!, token: await mailedToken(invited.email!) },
    resetToken: await mailedToken(account.email),
    notification: toGlobalId("Notification", notification!.id),
    adminNotification: toGlobalId("Notification", adminNotification!.id),
  };
});
afterAll(() => t.close());

/**
 * Everything a mutation here could change, for this file's firm and the names and addresses its cases use
 * (other test files write to the same database at the same time on PostgreSQL). Session timestamps are left
 * out: reading with a token may touch them.
 */
async function everything() {
  const db = t.app.deps.database.db;
  const firmId = world.firm.tenant.id;
  const byId = <R extends { id: string }>(rows: R[]) => rows.sort((x, y) => x.id.localeCompare(y.id));
  const asJson = (rows: object[]) => rows.map((r) => JSON.stringify(r)).sort();
  const names = ["Firma", "", long(121)];
  const emails = [world.firm.admin.email, world.firm.employee.email, world.accountEmail, world.registration.email, "chef@example.test", longEmail];
  const firmCustomers = db.select({ id: customers.id }).from(customers).where(eq(customers.tenantId, firmId));
  const firmAccounts = db.select({ id: appAccounts.id }).from(appAccounts).where(eq(appAccounts.tenantId, firmId));
  // Independent reads, so they may run at once (on PostgreSQL the pool has several connections).
  const [
    allTenants, allStaff, tokenRows, sessionRows, limitRows, customerRows, responsibleRows, documentRows, categoryRows, fileRows, accountRows, accessRows, notificationRows, mailRows, eventRows,
  ] = await Promise.all([
    db.select().from(tenants),
    db.select().from(staffUsers),
    db.select().from(oneTimeTokens).where(eq(oneTimeTokens.tenantId, firmId)),
    db
      .select({ id: sessions.id, staffUserId: sessions.staffUserId, appAccountId: sessions.appAccountId, expiresAt: sessions.expiresAt })
      .from(sessions)
      .where(eq(sessions.tenantId, firmId)),
    db.select().from(rateLimits),
    db.select().from(customers).where(eq(customers.tenantId, firmId)),
    db.select().from(customerResponsibleStaff).where(inArray(customerResponsibleStaff.customerId, firmCustomers)),
    db.select().from(documents).where(eq(documents.tenantId, firmId)),
    db.select().from(documentCategories).where(eq(documentCategories.tenantId, firmId)),
    db.select().from(files).where(eq(files.tenantId, firmId)),
    db.select().from(appAccounts).where(eq(appAccounts.tenantId, firmId)),
    db.select().from(appAccountAccess).where(inArray(appAccountAccess.appAccountId, firmAccounts)),
    db.select().from(notifications).where(eq(notifications.tenantId, firmId)),
    db.select().from(mailOutbox).where(eq(mailOutbox.tenantId, firmId)),
    db.select().from(events).where(eq(events.tenantId, firmId)),
  ]);
  return {
    tenants: byId(allTenants.filter((r) => r.id === firmId || names.includes(r.name.trim()))),
    staffUsers: byId(allStaff.filter((r) => r.tenantId === firmId || emails.includes(r.email))),
    oneTimeTokens: byId(tokenRows),
    sessions: byId(sessionRows),
    rateLimits: limitRows.filter((r) => [...emails, "niemand"].some((e) => e && r.key.includes(e))).sort((x, y) => x.key.localeCompare(y.key)),
    customers: byId(customerRows),
    customerResponsibleStaff: asJson(responsibleRows),
    documents: byId(documentRows),
    documentCategories: byId(categoryRows),
    files: byId(fileRows),
    appAccounts: byId(accountRows),
    appAccountAccess: asJson(accessRows),
    notifications: byId(notificationRows),
    mailOutbox: byId(mailRows),
    events: eventRows.sort((x, y) => x.id - y.id),
  };
}

/**
 * The state a case left, when it passed: nothing may change, so it is the next case's "before" (half the reads).
 * A case that fails leaves none, and the next one reads afresh.
 */
let unchanged: Awaited<ReturnType<typeof everything>> | undefined;

describe.each(Object.entries(cases))("%s", (_, rows) => {
  const table = rows.map(([wrong, call, code, field]) => ({ wrong, call, code, field: field ?? "" }));
  it.each(table)("$wrong → $code $field, nothing changed", async ({ call, code, field }) => {
    const before = unchanged ?? (await everything());
    unchanged = undefined;
    const err = await expectApiError(call(world), code);
    expect(err.message).not.toMatch(/internal error/i);
    expect(err.message.length).toBeGreaterThan(5);
    if (field) {
      expect(err.fields.map((p) => p.field), err.message).toContain(field);
      for (const p of err.fields) expect(p.rule && p.message, JSON.stringify(p)).toBeTruthy();
    }
    const after = await everything();
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
