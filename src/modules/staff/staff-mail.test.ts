import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { factories } from "../../test/factories.js";
import { AcceptStaffInvitationDocument, CreateTenantDocument, InviteStaffUserDocument, UpdateBrokerProfileDocument } from "../../sdk/client.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
let smtp: TestServer["smtp"];

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
