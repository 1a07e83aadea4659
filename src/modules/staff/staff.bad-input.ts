/** Bad inputs to the mutations of the staff module: each gets a clear error and changes nothing (run by src/test/bad-input.test.ts). */
import crypto from "node:crypto";
import {
  AcceptStaffInvitationDocument,
  ChangeMyPasswordDocument,
  InviteStaffUserDocument,
  RequestStaffPasswordResetDocument,
  ResendStaffInvitationDocument,
  ResetStaffPasswordDocument,
  UpdateMySettingsDocument,
  UpdateStaffUserDocument,
  WithdrawStaffInvitationDocument,
} from "../../sdk/client.js";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { toGlobalId } from "../../graphql/relay.js";
import { GOOD_PASSWORD } from "../../test/factories.js";
import { long, longEmail, longPassword, randomId, raw, type BadInputRows, type Case } from "../../test/bad-input-registry.js";

const invite = { email: "neu@example.test", name: "Neue Person", role: "EMPLOYEE" as const, permissions: ["CHAT" as const] };

/** Resend and withdraw take `{ input: { id } }` of a staff user whose invitation is pending. */
function pendingInvitationCases(name: string, doc: TypedDocumentNode<unknown, { input: { id: string } }>): Record<string, Case[]> {
  return {
    [name]: [
      ["empty id", (w) => w.firm.adminClient.request(doc, { input: { id: "" } }), "BAD_USER_INPUT", "input.id"],
      ["malformed id", (w) => w.firm.adminClient.request(doc, { input: { id: "abc" } }), "BAD_USER_INPUT", "input.id"],
      ["too long id", (w) => w.firm.adminClient.request(doc, { input: { id: long(201, "A") } }), "BAD_USER_INPUT", "input.id"],
      ["id of the wrong type", (w) => w.firm.adminClient.request(doc, { input: { id: raw<string>(7) } }), "BAD_USER_INPUT", "input.id"],
      ["missing id", (w) => w.firm.adminClient.request(doc, { input: raw<{ id: string }>({}) }), "BAD_USER_INPUT", "input.id"],
      ["unknown id", (w) => w.firm.adminClient.request(doc, { input: { id: randomId("StaffUser") } }), "NOT_FOUND"],
      ["id of another type", (w) => w.firm.adminClient.request(doc, { input: { id: toGlobalId("Tenant", w.firm.tenant.id) } }), "NOT_FOUND"],
      ["an active staff user (no pending invitation)", (w) => w.firm.adminClient.request(doc, { input: { id: toGlobalId("StaffUser", w.firm.employee.id) } }), "CONFLICT", "input.id"],
    ],
  };
}

export const staffBadInput: BadInputRows = {
  ...pendingInvitationCases("resendStaffInvitation", ResendStaffInvitationDocument),
  ...pendingInvitationCases("withdrawStaffInvitation", WithdrawStaffInvitationDocument),
  // Answers ok for unknown emails too; only input no staff user could have is refused.
  requestStaffPasswordReset: [
    ["empty email", (w) => w.anonymous().request(RequestStaffPasswordResetDocument, { input: { email: "" } }), "BAD_USER_INPUT", "input.email"],
    ["malformed email", (w) => w.anonymous().request(RequestStaffPasswordResetDocument, { input: { email: "chef@" } }), "BAD_USER_INPUT", "input.email"],
    ["too long email", (w) => w.anonymous().request(RequestStaffPasswordResetDocument, { input: { email: longEmail } }), "BAD_USER_INPUT", "input.email"],
    ["email of the wrong type", (w) => w.anonymous().request(RequestStaffPasswordResetDocument, { input: { email: raw<string>(42) } }), "BAD_USER_INPUT", "input.email"],
    ["missing email", (w) => w.anonymous().request(RequestStaffPasswordResetDocument, { input: raw<{ email: string }>({}) }), "BAD_USER_INPUT", "input.email"],
  ],
  resetStaffPassword: [
    ["empty token", (w) => w.anonymous().request(ResetStaffPasswordDocument, { input: { token: "", password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["unknown token", (w) => w.anonymous().request(ResetStaffPasswordDocument, { input: { token: `kr_${crypto.randomBytes(32).toString("base64url")}`, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["too long token", (w) => w.anonymous().request(ResetStaffPasswordDocument, { input: { token: long(201), password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["a customer's reset token", (w) => w.anonymous().request(ResetStaffPasswordDocument, { input: { token: w.resetToken, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["a staff invitation's token", (w) => w.anonymous().request(ResetStaffPasswordDocument, { input: { token: w.inviteToken, password: GOOD_PASSWORD } }), "BAD_USER_INPUT", "input.token"],
    ["empty password (valid link)", (w) => w.anonymous().request(ResetStaffPasswordDocument, { input: { token: w.staffResetToken, password: "" } }), "BAD_USER_INPUT", "input.password"],
    ["weak password (valid link)", (w) => w.anonymous().request(ResetStaffPasswordDocument, { input: { token: w.staffResetToken, password: "kurz1!" } }), "BAD_USER_INPUT", "input.password"],
    ["common password (valid link)", (w) => w.anonymous().request(ResetStaffPasswordDocument, { input: { token: w.staffResetToken, password: "Passwort123!" } }), "BAD_USER_INPUT", "input.password"],
    ["too long password (valid link)", (w) => w.anonymous().request(ResetStaffPasswordDocument, { input: { token: w.staffResetToken, password: longPassword } }), "BAD_USER_INPUT", "input.password"],
    ["missing password", (w) => w.anonymous().request(ResetStaffPasswordDocument, { input: raw<{ token: string; password: string }>({ token: w.staffResetToken }) }), "BAD_USER_INPUT", "input.password"],
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
};
