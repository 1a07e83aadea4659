/**
 * Every mutation, fed empty, too long, wrongly formatted and unknown inputs: each gets a clear error
 * (BAD_USER_INPUT with a `fields` entry naming the field, or NOT_FOUND / CONFLICT where that fits) and changes nothing.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { startTestServer, expectApiError, type TestServer } from "./harness.js";
import { factories, GOOD_PASSWORD } from "./factories.js";
import {
  AcceptStaffInvitationDocument,
  ChangeMyPasswordDocument,
  CreateTenantDocument,
  InviteStaffUserDocument,
  LoginDocument,
  SetCustomerAppEnabledDocument,
  UpdateBrokerProfileDocument,
  UpdateMySettingsDocument,
  UpdateStaffUserDocument,
  type KundenappClient,
} from "../sdk/client.js";
import { toGlobalId } from "../graphql/relay.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import { staffUsers } from "../modules/staff/staff.table.js";
import { oneTimeTokens, rateLimits, sessions } from "../modules/session/session.table.js";

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
interface World {
  firm: Firm;
  /** The token of an open invitation of `firm`. */
  inviteToken: string;
  operator: KundenappClient;
  anonymous: () => KundenappClient;
}

/** Values that break the usual rules. */
const long = (n: number, c = "x") => c.repeat(n);
const longEmail = `${long(250, "a")}@example.test`;
const longPassword = `Aa1!${long(197)}`; // 201 characters, every D4 rule met
const randomId = (type: string) => toGlobalId(type, crypto.randomUUID());
const profile = { name: "Makler Nord", phone: "040 1234567", street: "Am Hafen 3", postalCode: "20457", city: "Hamburg" };
const invite = { email: "neu@example.test", name: "Neue Person", role: "EMPLOYEE" as const, permissions: ["CHAT" as const] };
/** Bypasses the SDK's types, to send what an untyped client could. */
const raw = <T>(value: unknown) => value as T;

type Expect = "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT";
/** [what is wrong, the call, the expected code, the field it must name (BAD_USER_INPUT and CONFLICT)]. */
type Case = [wrong: string, call: (w: World) => Promise<unknown>, code: Expect, field?: string];

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
    ["unknown permission", (w) => w.firm.adminClient.request(InviteStaffUserDocument, { input: { ...invite, permissions: raw<["CHAT"]>(["CHAT", "FLIEGEN"]) } }), "BAD_USER_INPUT", "input.permissions[1]"],
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
    ["unknown permission", (w) => w.firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", w.firm.employee.id), permissions: raw<["CHAT"]>(["FLIEGEN"]) } }), "BAD_USER_INPUT", "input.permissions[0]"],
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
};

let t: TestServer;
let world: World;
beforeAll(async () => {
  t = await startTestServer();
  const f = factories(t);
  const firm = await f.buildFirm();
  const { inviteStaffUser } = await firm.adminClient.request(InviteStaffUserDocument, {
    input: { email: `pending-${crypto.randomBytes(5).toString("hex")}@example.test`, name: "Offene Einladung", role: "EMPLOYEE", permissions: [] },
  });
  world = {
    firm,
    inviteToken: new URL(inviteStaffUser.invitationLink).searchParams.get("token")!,
    operator: t.operator(),
    anonymous: () => t.client(),
  };
  // The profile the broker-profile cases must leave alone.
  await firm.adminClient.request(UpdateBrokerProfileDocument, { input: profile });
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
  const names = ["Firma", "", long(121)];
  const emails = [world.firm.admin.email, world.firm.employee.email, "chef@example.test", longEmail];
  const allTenants = await db.select().from(tenants);
  const allStaff = await db.select().from(staffUsers);
  return {
    tenants: byId(allTenants.filter((r) => r.id === firmId || names.includes(r.name.trim()))),
    staffUsers: byId(allStaff.filter((r) => r.tenantId === firmId || emails.includes(r.email))),
    oneTimeTokens: byId(await db.select().from(oneTimeTokens).where(eq(oneTimeTokens.tenantId, firmId))),
    sessions: byId(await db.select({ id: sessions.id, staffUserId: sessions.staffUserId, expiresAt: sessions.expiresAt }).from(sessions).where(eq(sessions.tenantId, firmId))),
    rateLimits: (await db.select().from(rateLimits))
      .filter((r) => [...emails, "niemand"].some((e) => e && r.key.includes(e)))
      .sort((x, y) => x.key.localeCompare(y.key)),
  };
}

describe.each(Object.entries(cases))("%s", (_, rows) => {
  const table = rows.map(([wrong, call, code, field]) => ({ wrong, call, code, field: field ?? "" }));
  it.each(table)("$wrong → $code $field, nothing changed", async ({ call, code, field }) => {
    const before = await everything();
    const err = await expectApiError(call(world), code);
    expect(err.message).not.toMatch(/internal error/i);
    expect(err.message.length).toBeGreaterThan(5);
    if (field) {
      expect(err.fields.map((p) => p.field), err.message).toContain(field);
      for (const p of err.fields) expect(p.rule && p.message, JSON.stringify(p)).toBeTruthy();
    }
    expect(await everything()).toEqual(before);
  });
});

it("the open invitation still works after all the refused attempts", async () => {
  const { acceptStaffInvitation } = await t.client().request(AcceptStaffInvitationDocument, { input: { token: world.inviteToken, password: GOOD_PASSWORD } });
  expect(acceptStaffInvitation.viewer.staffUser?.status).toBe("ACTIVE");
});
