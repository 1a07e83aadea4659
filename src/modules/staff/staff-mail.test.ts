import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories, GOOD_PASSWORD } from "../../test/factories.js";
import { linksIn, personalDataInLinks, type ReceivedMail } from "../../test/smtp.js";
import {
  AcceptStaffInvitationDocument,
  CreateTenantDocument,
  InviteStaffUserDocument,
  LinkInfoDocument,
  LoginDocument,
  RequestPasswordResetDocument,
  RequestStaffPasswordResetDocument,
  ResendStaffInvitationDocument,
  ResetPasswordDocument,
  ResetStaffPasswordDocument,
  StaffUsersDocument,
  UpdateBrokerProfileDocument,
  UpdateStaffUserDocument,
  ViewerDocument,
  WithdrawStaffInvitationDocument,
} from "../../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../../graphql/relay.js";
import { staffUsers } from "./staff.table.js";
import { PASSWORD_RESET_TTL_MS } from "../account/credentials.service.js";
import { LOGIN_LIMITS } from "../../auth/rate-limit.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
let smtp: TestServer["smtp"];
const db = () => t.app.deps.database.db;
const fromGlobal = (id: string) => fromGlobalId(id)!.id;

beforeAll(async () => {
  t = await startTestServer({ smtp: true });
  f = factories(t);
  smtp = t.smtp;
});
afterAll(() => t.close());

const linkIn = (text: string) => /https?:\/\/\S+token=\S+/.exec(text)?.[0] ?? "";

describe("staff invitations go out by mail (rule B1)", () => {
  it("mails the invited staff user a single-use link signed with the firm's profile", async () => {
    const firm = await f.buildFirm();
    await firm.adminClient.request(UpdateBrokerProfileDocument, { input: { name: "Weber Versicherungsmakler", phone: "030 1234567", street: "Hauptstraße 1", postalCode: "10115", city: "Berlin" } });
    const email = `neu-${Date.now()}@example.test`;
    const { inviteStaffUser } = await firm.adminClient.request(InviteStaffUserDocument, { input: { email, name: "Nina Neu", role: "EMPLOYEE", permissions: ["CHAT"] } });
    const before = smtp.received.length;
    await t.app.worker.runOnce();
    const mail = (await smtp.waitFor(before + 1)).find((m) => m.to.includes(email))!;
    expect(mail.subject).toBe("Einladung zu Weber Versicherungsmakler");
    expect(mail.text).toContain("Nina Neu");
    expect(mail.text).toContain("Hauptstraße 1");
    const link = linkIn(mail.text);
    expect(link).toBe(inviteStaffUser.invitationLink);
    const token = new URL(link).searchParams.get("token")!;
    const accepted = await t.client().request(AcceptStaffInvitationDocument, { input: { token, password: "Neues-Passwort-9" } });
    expect(accepted.acceptStaffInvitation.viewer.staffUser?.status).toBe("ACTIVE");
  });

  it("mails a new firm's first admin when the operator creates the firm", async () => {
    const email = `chefin-${Date.now()}@example.test`;
    await t.operator().request(CreateTenantDocument, { input: { name: "Sonnenschein Makler", adminEmail: email, adminName: "Clara Chefin" } });
    const before = smtp.received.length;
    await t.app.worker.runOnce();
    const mail = (await smtp.waitFor(before + 1)).find((m) => m.to.includes(email))!;
    expect(mail.subject).toBe("Einladung zu Sonnenschein Makler");
    expect(linkIn(mail.text)).toContain("token=");
  });
});

const uniqueMail = (prefix: string) => `${prefix}-${crypto.randomBytes(5).toString("hex")}@example.test`;
const tokenOf = (link: string | URL) => new URL(link).searchParams.get("token")!;

/** Sends every queued mail to the test SMTP server and waits until they have arrived. */
async function deliverMails(): Promise<void> {
  const before = smtp.received.length;
  const { sent } = await t.app.services.outbox.deliverDue();
  if (sent > 0) await smtp.waitFor(before + sent);
}
const mailsTo = (address: string): ReceivedMail[] => smtp.received.filter((m) => m.to.includes(address.toLowerCase()));

/** The token of the one link in the newest mail to `address`. */
async function mailedToken(address: string): Promise<string> {
  await deliverMails();
  const mail = mailsTo(address).at(-1)!;
  expect(mail, `a mail to ${address}`).toBeDefined();
  const links = linksIn({ text: mail.text, html: "" });
  expect(links).toHaveLength(1);
  return tokenOf(links[0]!);
}

describe("staff who forgot their password", () => {
  it("request to login: the same answer for any email, a one-hour single-use link by mail, the password rules, every session ended", async () => {
    const firm = await f.buildFirm();
    await firm.adminClient.request(UpdateBrokerProfileDocument, { input: { name: "Makler Süd", phone: "089 123456", street: "Marienplatz 1", postalCode: "80331", city: "München" } });
    const user = firm.employee;
    const second = await f.staffClient(user);
    const invited = (await firm.adminClient.request(InviteStaffUserDocument, { input: { email: uniqueMail("offen"), name: "Offen", role: "EMPLOYEE", permissions: [] } })).inviteStaffUser.staffUser;
    const deactivated = await f.buildStaff({ tenant: firm.tenant, status: "DEACTIVATED" });
    await deliverMails(); // the invitation, and whatever earlier tests queued
    const before = smtp.received.length;

    const answers = [];
    for (const email of [uniqueMail("niemand"), invited.email, deactivated.email, user.email.toUpperCase()]) {
      answers.push(await t.client().request(RequestStaffPasswordResetDocument, { input: { email } }));
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.requestStaffPasswordReset.ok).toBe(true);
    await deliverMails();
    // Only the active staff user gets a mail.
    expect(smtp.received.slice(before).map((m) => m.to)).toEqual([[user.email]]);
    const mail = mailsTo(user.email).at(-1)!;
    expect(mail.subject).toBe("Ihr neues Passwort für Makler Süd");
    expect(mail.text).toContain(`Guten Tag ${user.name},`);
    expect(mail.text).toContain("eine Stunde gültig");
    const token = await mailedToken(user.email);
    expect(token).toMatch(/^kr_/);

    // What the link is for, without logging in; asking uses nothing up.
    const { linkInfo } = await t.client().request(LinkInfoDocument, { token });
    expect(linkInfo).toMatchObject({ purpose: "STAFF_PASSWORD_RESET", email: user.email, brokerId: firm.tenant.brokerId, firmName: "Makler Süd", brokerProfile: { city: "München", logoUrl: null } });

    // The password rules; a refused password does not use the link up.
    const weak = await expectApiError(t.client().request(ResetStaffPasswordDocument, { input: { token, password: "kurz" } }), "BAD_USER_INPUT");
    expect(weak.fields.map((p) => p.rule).sort()).toEqual(["PASSWORD_DIGIT", "PASSWORD_MIN_LENGTH", "PASSWORD_SPECIAL", "PASSWORD_UPPERCASE"]);
    expect(weak.fields.every((p) => p.field === "input.password")).toBe(true);
    const common = await expectApiError(t.client().request(ResetStaffPasswordDocument, { input: { token, password: "Passwort123!" } }), "BAD_USER_INPUT");
    expect(common.fields.map((p) => p.rule)).toEqual(["PASSWORD_COMMON"]);

    const newPassword = "Wieder-Drin-2026!";
    expect((await t.client().request(ResetStaffPasswordDocument, { input: { token, password: newPassword } })).resetStaffPassword.ok).toBe(true);
    // Every session of the user ended; a colleague's did not.
    for (const c of [firm.employeeClient, second]) expect((await c.request(ViewerDocument)).viewer).toBeNull();
    expect((await firm.adminClient.request(ViewerDocument)).viewer?.staffUser?.id).toBe(toGlobalId("StaffUser", firm.admin.id));
    await expectApiError(t.client().request(LoginDocument, { input: { email: user.email, password: user.password } }), "UNAUTHENTICATED");
    const { login } = await t.client().request(LoginDocument, { input: { email: user.email, password: newPassword } });
    expect(login.viewer.staffUser?.id).toBe(toGlobalId("StaffUser", user.id));

    // Single use: the link is gone, for linkInfo too.
    const again = await expectApiError(t.client().request(ResetStaffPasswordDocument, { input: { token, password: "Noch-Einmal-2026!" } }), "BAD_USER_INPUT");
    expect(again.fields).toMatchObject([{ field: "input.token", rule: "TOKEN_VALID" }]);
    await expectApiError(t.client().request(LinkInfoDocument, { token }), "NOT_FOUND");
    await t.client().request(LoginDocument, { input: { email: user.email, password: newPassword } });
  });

  it("a customer's reset link does not reset a staff password, nor the other way round", async () => {
    const firm = await f.buildFirm();
    await t.client().request(RequestStaffPasswordResetDocument, { input: { email: firm.employee.email } });
    const token = await mailedToken(firm.employee.email);
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    await t.client().request(RequestPasswordResetDocument, { input: { email: account.email, brokerId: firm.tenant.brokerId } });
    const appToken = await mailedToken(account.email);
    await expectApiError(t.client().request(ResetPasswordDocument, { input: { token, password: "Falscher-Weg-2026!" } }), "BAD_USER_INPUT");
    await expectApiError(t.client().request(ResetStaffPasswordDocument, { input: { token: appToken, password: "Falscher-Weg-2026!" } }), "BAD_USER_INPUT");
    // Both links still work for what they are.
    await t.client().request(ResetStaffPasswordDocument, { input: { token, password: "Richtiger-Weg-2026!" } });
    await t.client().request(ResetPasswordDocument, { input: { token: appToken, password: "Richtiger-Weg-2026!" } });
  });

  it("is throttled per client address like the customer reset (RATE_LIMITED), and sends nothing more", async () => {
    const firm = await f.buildFirm();
    const client = t.client();
    for (let i = 0; i < LOGIN_LIMITS.address.max; i++) await client.request(RequestStaffPasswordResetDocument, { input: { email: uniqueMail("versuch") } });
    await deliverMails();
    const before = smtp.received.length;
    const limited = await expectApiError(client.request(RequestStaffPasswordResetDocument, { input: { email: firm.employee.email } }), "RATE_LIMITED");
    expect(limited.errors[0]!.extensions).toMatchObject({ retryAfterSeconds: expect.any(Number) });
    await deliverMails();
    expect(smtp.received.length).toBe(before);
    // Another address is not affected.
    await t.client().request(RequestStaffPasswordResetDocument, { input: { email: firm.employee.email } });
    expect(await mailedToken(firm.employee.email)).toMatch(/^kr_/);
  });
});

describe("pending staff invitations can be sent again or withdrawn (rule B1)", () => {
  it("a resent invitation's old link fails and the new one works; inviting the pending email again resends instead of CONFLICT", async () => {
    const firm = await f.buildFirm();
    const email = uniqueMail("wieder");
    const { inviteStaffUser } = await firm.adminClient.request(InviteStaffUserDocument, { input: { email, name: "Wiebke Wieder", role: "EMPLOYEE", permissions: [] } });
    const id = inviteStaffUser.staffUser.id;
    const first = await mailedToken(email);
    expect(first).toBe(tokenOf(inviteStaffUser.invitationLink));
    expect((await t.client().request(LinkInfoDocument, { token: first })).linkInfo).toMatchObject({ purpose: "STAFF_INVITATION", email, brokerId: firm.tenant.brokerId });

    // An employee may not; another firm's admin gets NOT_FOUND.
    await expectApiError(firm.employeeClient.request(ResendStaffInvitationDocument, { input: { id } }), "FORBIDDEN");
    const other = await f.buildFirm();
    await expectApiError(other.adminClient.request(ResendStaffInvitationDocument, { input: { id } }), "NOT_FOUND");
    expect(mailsTo(email)).toHaveLength(1);

    const { resendStaffInvitation } = await firm.adminClient.request(ResendStaffInvitationDocument, { input: { id } });
    expect(resendStaffInvitation.staffUser).toMatchObject({ id, status: "INVITED", name: "Wiebke Wieder" });
    const second = await mailedToken(email);
    expect(mailsTo(email)).toHaveLength(2);
    expect(second).toBe(tokenOf(resendStaffInvitation.invitationLink));
    expect(second).not.toBe(first);
    const old = await expectApiError(t.client().request(AcceptStaffInvitationDocument, { input: { token: first, password: GOOD_PASSWORD } }), "BAD_USER_INPUT");
    expect(old.fields).toMatchObject([{ field: "input.token", rule: "TOKEN_VALID" }]);
    await expectApiError(t.client().request(LinkInfoDocument, { token: first }), "NOT_FOUND");

    // The same email invited again: the pending invitation is sent again, with what the admin gives now.
    const { inviteStaffUser: repeated } = await firm.adminClient.request(InviteStaffUserDocument, {
      input: { email: email.toUpperCase(), name: "Wiebke Wieder-Neu", role: "ADMIN", permissions: ["CHAT"] },
    });
    expect(repeated.staffUser).toMatchObject({ id, status: "INVITED", name: "Wiebke Wieder-Neu", role: "ADMIN", permissions: ["CHAT"] });
    const third = await mailedToken(email);
    expect(mailsTo(email)).toHaveLength(3);
    await expectApiError(t.client().request(AcceptStaffInvitationDocument, { input: { token: second, password: GOOD_PASSWORD } }), "BAD_USER_INPUT");
    expect(await db().select().from(staffUsers).where(eq(staffUsers.email, email))).toHaveLength(1);

    const { acceptStaffInvitation } = await t.client().request(AcceptStaffInvitationDocument, { input: { token: third, password: GOOD_PASSWORD } });
    expect(acceptStaffInvitation.viewer.staffUser).toMatchObject({ id, status: "ACTIVE" });
    // Accepted: nothing pending to resend or withdraw, and the email is taken.
    await expectApiError(firm.adminClient.request(ResendStaffInvitationDocument, { input: { id } }), "CONFLICT");
    await expectApiError(firm.adminClient.request(WithdrawStaffInvitationDocument, { input: { id } }), "CONFLICT");
    await expectApiError(firm.adminClient.request(InviteStaffUserDocument, { input: { email, name: "Doppelt", role: "EMPLOYEE", permissions: [] } }), "CONFLICT");
    await t.client().request(LoginDocument, { input: { email, password: GOOD_PASSWORD } });
  });

  it("a withdrawn invitation removes the INVITED user; its link stops working; the email can be invited afresh", async () => {
    const firm = await f.buildFirm();
    const email = uniqueMail("zurueck");
    const { inviteStaffUser } = await firm.adminClient.request(InviteStaffUserDocument, { input: { email, name: "Zora Zurück", role: "EMPLOYEE", permissions: ["CHAT"] } });
    const id = inviteStaffUser.staffUser.id;
    const token = await mailedToken(email);
    await expectApiError(firm.employeeClient.request(WithdrawStaffInvitationDocument, { input: { id } }), "FORBIDDEN");
    const other = await f.buildFirm();
    await expectApiError(other.adminClient.request(WithdrawStaffInvitationDocument, { input: { id } }), "NOT_FOUND");

    const { withdrawStaffInvitation } = await firm.adminClient.request(WithdrawStaffInvitationDocument, { input: { id } });
    expect(withdrawStaffInvitation.withdrawnId).toBe(id);
    const { staffUsers: list } = await firm.adminClient.request(StaffUsersDocument, { first: 100 });
    expect(list.edges.map((e) => e.node.id)).not.toContain(id);
    expect(await db().select().from(staffUsers).where(eq(staffUsers.email, email))).toEqual([]);
    await expectApiError(t.client().request(AcceptStaffInvitationDocument, { input: { token, password: GOOD_PASSWORD } }), "BAD_USER_INPUT");
    await expectApiError(t.client().request(LinkInfoDocument, { token }), "NOT_FOUND");
    await expectApiError(firm.adminClient.request(WithdrawStaffInvitationDocument, { input: { id } }), "NOT_FOUND");

    const { inviteStaffUser: afresh } = await firm.adminClient.request(InviteStaffUserDocument, { input: { email, name: "Zora Zurück", role: "EMPLOYEE", permissions: [] } });
    expect(afresh.staffUser.id).not.toBe(id);
    await t.client().request(AcceptStaffInvitationDocument, { input: { token: await mailedToken(email), password: GOOD_PASSWORD } });
  });

  it("a deactivated invitee's invitation is neither resent nor withdrawn (CONFLICT): reactivate first", async () => {
    const firm = await f.buildFirm();
    const email = uniqueMail("ruhend");
    const { inviteStaffUser } = await firm.adminClient.request(InviteStaffUserDocument, { input: { email, name: "Rudi Ruhend", role: "EMPLOYEE", permissions: [] } });
    const id = inviteStaffUser.staffUser.id;
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id, active: false } });
    await deliverMails();
    const mails = mailsTo(email).length;
    await expectApiError(firm.adminClient.request(ResendStaffInvitationDocument, { input: { id } }), "CONFLICT");
    await expectApiError(firm.adminClient.request(WithdrawStaffInvitationDocument, { input: { id } }), "CONFLICT");
    await expectApiError(firm.adminClient.request(InviteStaffUserDocument, { input: { email, name: "Rudi Ruhend", role: "EMPLOYEE", permissions: [] } }), "CONFLICT");
    await deliverMails();
    expect(mailsTo(email)).toHaveLength(mails);
    expect(await db().select({ status: staffUsers.status }).from(staffUsers).where(eq(staffUsers.id, fromGlobal(id)))).toEqual([{ status: "DEACTIVATED" }]);
  });
});

// Last in the file: it moves the shared clock forward by an hour, and reads every mail the file sent.
describe("links", () => {
  it("a staff reset link is valid for one hour only", async () => {
    const firm = await f.buildFirm();
    await t.client().request(RequestStaffPasswordResetDocument, { input: { email: firm.employee.email } });
    const token = await mailedToken(firm.employee.email);
    t.clock.advance(PASSWORD_RESET_TTL_MS + 60_000);
    const expired = await expectApiError(t.client().request(ResetStaffPasswordDocument, { input: { token, password: "Zu-Spaet-2026!" } }), "BAD_USER_INPUT");
    expect(expired.fields).toMatchObject([{ field: "input.token", rule: "TOKEN_VALID" }]);
    await expectApiError(t.client().request(LinkInfoDocument, { token }), "NOT_FOUND");
    await t.client().request(LoginDocument, { input: { email: firm.employee.email, password: firm.employee.password } });
  });

  it("no link in any mail this file sent carries an email address or anything but the token", async () => {
    await deliverMails();
    expect(smtp.received.length).toBeGreaterThan(10);
    expect(smtp.received.flatMap((m) => linksIn(m))).not.toHaveLength(0);
    expect(smtp.received.flatMap((m) => personalDataInLinks(m))).toEqual([]);
  });
});
