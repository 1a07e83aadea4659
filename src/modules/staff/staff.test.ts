import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories, GOOD_PASSWORD } from "../../test/factories.js";
import {
  AcceptStaffInvitationDocument,
  ChangeMyPasswordDocument,
  InviteStaffUserDocument,
  LoginDocument,
  StaffUsersCountDocument,
  StaffUsersDocument,
  UpdateMySettingsDocument,
  UpdateStaffUserDocument,
  ViewerDocument,
  type KundenappClient,
  type StaffStatus,
  type StaffUsersQuery,
} from "../../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../../graphql/relay.js";
import { encodeCursor } from "../../graphql/connection.js";
import { staffUsers } from "./staff.table.js";
import { STAFF_INVITE_TTL_MS } from "./staff.service.js";
import { sessions } from "../session/session.table.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t.close());

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;

const db = () => t.app.deps.database.db;
const uniqueMail = (prefix: string) => `${prefix}-${crypto.randomBytes(5).toString("hex")}@example.test`;
const staffRow = async (id: string) => (await db().select().from(staffUsers).where(eq(staffUsers.id, id)))[0];
const staffByEmail = (email: string) => db().select().from(staffUsers).where(eq(staffUsers.email, email.toLowerCase()));
const staffOfTenant = (tenantId: string) => db().select().from(staffUsers).where(eq(staffUsers.tenantId, tenantId)).orderBy(staffUsers.id);
const sessionsOf = (staffUserId: string) => db().select().from(sessions).where(eq(sessions.staffUserId, staffUserId));
const gid = (id: string) => toGlobalId("StaffUser", id);
const dbId = (globalId: string) => fromGlobalId(globalId)!.id;

function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get("token");
  expect(token).toBeTruthy();
  return token!;
}

async function invite(admin: KundenappClient, overrides: { email?: string; role?: "ADMIN" | "EMPLOYEE"; permissions?: Array<"CHAT" | "CLAIMS"> } = {}) {
  const { inviteStaffUser } = await admin.request(InviteStaffUserDocument, {
    input: { email: overrides.email ?? uniqueMail("invited"), name: "Neue Kollegin", role: overrides.role ?? "EMPLOYEE", permissions: overrides.permissions ?? ["CHAT"] },
  });
  return { ...inviteStaffUser, token: tokenOf(inviteStaffUser.invitationLink) };
}

/** Every staff user of the viewer's firm, walked page by page. */
async function listAll(client: KundenappClient, status?: StaffStatus) {
  const nodes = [];
  let after: string | null = null;
  for (;;) {
    const { staffUsers: page }: StaffUsersQuery = await client.request(StaffUsersDocument, { first: 100, after, status });
    nodes.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
}

describe("inviting staff users (rule B1)", () => {
  let firm: Firm;
  beforeAll(async () => {
    firm = await f.buildFirm();
  });

  it("an admin invites; the invitation appears as INVITED in the firm's list", async () => {
    const email = uniqueMail("Gross-Klein").replace("gross", "GROSS");
    const invited = await invite(firm.adminClient, { email, role: "ADMIN", permissions: ["CLAIMS", "CHAT", "CLAIMS"] });
    expect(invited.staffUser).toMatchObject({ email: email.toLowerCase(), name: "Neue Kollegin", role: "ADMIN", status: "INVITED" });
    expect([...invited.staffUser.permissions].sort()).toEqual(["CHAT", "CLAIMS"]);
    expect(invited.invitationLink.startsWith(`${t.config.staffLinkBase}?token=`)).toBe(true);
    const listed = (await listAll(firm.employeeClient)).find((s) => s.id === invited.staffUser.id);
    expect(listed).toMatchObject({ status: "INVITED", role: "ADMIN" });
    const [row] = await staffByEmail(email);
    expect(row).toMatchObject({ tenantId: firm.tenant.id, passwordHash: null, status: "INVITED" });
  });

  it("the link refuses weak passwords naming every missed D4 rule, then takes a good one once", async () => {
    const invited = await invite(firm.adminClient);
    const weak: Array<[string, string[]]> = [
      ["", ["PASSWORD_MIN_LENGTH", "PASSWORD_LOWERCASE", "PASSWORD_UPPERCASE", "PASSWORD_DIGIT", "PASSWORD_SPECIAL"]],
      ["kurz", ["PASSWORD_MIN_LENGTH", "PASSWORD_UPPERCASE", "PASSWORD_DIGIT", "PASSWORD_SPECIAL"]],
      ["K1!", ["PASSWORD_MIN_LENGTH", "PASSWORD_LOWERCASE"]],
      ["alleskleinmit1!", ["PASSWORD_UPPERCASE"]],
      ["ALLESGROSSMIT1!", ["PASSWORD_LOWERCASE"]],
      ["OhneZiffer!!", ["PASSWORD_DIGIT"]],
      ["OhneSonderzeichen1", ["PASSWORD_SPECIAL"]],
      ["Mit Leerzeichen 1", ["PASSWORD_SPECIAL"]],
      ["Passwort1!", ["PASSWORD_COMMON"]],
    ];
    for (const [password, rules] of weak) {
      const err = await expectApiError(t.client().request(AcceptStaffInvitationDocument, { input: { token: invited.token, password } }), "BAD_USER_INPUT");
      expect(err.fields.map((p) => p.rule), `password ${JSON.stringify(password)}`).toEqual(rules);
      expect(err.fields.every((p) => p.field === "input.password" && p.message.length > 0)).toBe(true);
    }
    // Refused passwords neither activate the user nor use the link up.
    expect(await staffRow(dbId(invited.staffUser.id))).toMatchObject({ status: "INVITED", passwordHash: null });
    expect(await sessionsOf(dbId(invited.staffUser.id))).toHaveLength(0);

    const client = t.client();
    const { acceptStaffInvitation } = await client.request(AcceptStaffInvitationDocument, { input: { token: invited.token, password: GOOD_PASSWORD } });
    expect(acceptStaffInvitation.viewer).toMatchObject({ kind: "STAFF", staffUser: { id: invited.staffUser.id, status: "ACTIVE" } });
    client.setToken(acceptStaffInvitation.token);
    const { viewer } = await client.request(ViewerDocument);
    expect(viewer?.staffUser?.id).toBe(invited.staffUser.id);
    expect(viewer?.tenant.brokerId).toBe(firm.tenant.brokerId);
    await t.client().request(LoginDocument, { input: { email: invited.staffUser.email, password: GOOD_PASSWORD } });

    // Single use: the same link again is refused, even with another good password.
    const again = await expectApiError(
      t.client().request(AcceptStaffInvitationDocument, { input: { token: invited.token, password: "Ganz-Anderes-9" } }),
      "BAD_USER_INPUT",
    );
    expect(again.fields).toEqual([expect.objectContaining({ field: "input.token", rule: "TOKEN_VALID" })]);
    // The first password still holds.
    await t.client().request(LoginDocument, { input: { email: invited.staffUser.email, password: GOOD_PASSWORD } });
  });

  it("an employee's invitation is FORBIDDEN and creates nothing", async () => {
    const email = uniqueMail("by-employee");
    const before = await staffOfTenant(firm.tenant.id);
    await expectApiError(
      firm.employeeClient.request(InviteStaffUserDocument, { input: { email, name: "Nicht erlaubt", role: "EMPLOYEE", permissions: [] } }),
      "FORBIDDEN",
    );
    await expectApiError(t.client().request(InviteStaffUserDocument, { input: { email, name: "Anonym", role: "EMPLOYEE", permissions: [] } }), "UNAUTHENTICATED");
    expect(await staffByEmail(email)).toHaveLength(0);
    expect(await staffOfTenant(firm.tenant.id)).toEqual(before);
  });

  it("an email in use (in any firm, any case; active, deactivated, or invited by another firm) is a CONFLICT and creates nothing", async () => {
    const other = await f.buildFirm();
    const pendingElsewhere = await invite(other.adminClient);
    const elsewhere = await f.buildStaff();
    const deactivated = await f.buildStaff({ tenant: firm.tenant, status: "DEACTIVATED" });
    for (const email of [firm.employee.email, firm.employee.email.toUpperCase(), pendingElsewhere.staffUser.email, elsewhere.email, deactivated.email]) {
      const before = await staffOfTenant(firm.tenant.id);
      const err = await expectApiError(
        firm.adminClient.request(InviteStaffUserDocument, { input: { email, name: "Doppelt", role: "EMPLOYEE", permissions: [] } }),
        "CONFLICT",
      );
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.email", rule: "UNIQUE" })]);
      expect(await staffOfTenant(firm.tenant.id)).toEqual(before);
    }
    expect(await staffByEmail(elsewhere.email)).toEqual([expect.objectContaining({ tenantId: elsewhere.tenantId, name: elsewhere.name })]);
  });

  it("an invalid email is BAD_USER_INPUT naming input.email", async () => {
    const before = await staffOfTenant(firm.tenant.id);
    for (const email of ["kein-email", "a@", "@example.test", "zwei@@example.test"]) {
      const err = await expectApiError(
        firm.adminClient.request(InviteStaffUserDocument, { input: { email, name: "Falsch", role: "EMPLOYEE", permissions: [] } }),
        "BAD_USER_INPUT",
      );
      expect(err.fields.map((p) => p.field)).toContain("input.email");
    }
    expect(await staffOfTenant(firm.tenant.id)).toEqual(before);
  });
});

describe("managing staff users (rule B1)", () => {
  let firm: Firm;
  beforeAll(async () => {
    firm = await f.buildFirm();
  });

  it("role and permissions change, show in staffUsers, and apply to the user's very next request", async () => {
    const staff = await f.buildStaff({ tenant: firm.tenant, permissions: [] });
    const client = await f.staffClient(staff);
    await expectApiError(client.request(InviteStaffUserDocument, { input: { email: uniqueMail("x"), name: "X", role: "EMPLOYEE", permissions: [] } }), "FORBIDDEN");

    const { updateStaffUser } = await firm.adminClient.request(UpdateStaffUserDocument, {
      input: { id: gid(staff.id), role: "ADMIN", permissions: ["CLAIMS", "CHAT", "CHAT"], name: "  Beförderte Person " },
    });
    expect(updateStaffUser.staffUser).toMatchObject({ id: gid(staff.id), role: "ADMIN", name: "Beförderte Person", status: "ACTIVE" });
    expect([...updateStaffUser.staffUser.permissions].sort()).toEqual(["CHAT", "CLAIMS"]);
    const listed = (await listAll(firm.employeeClient)).find((s) => s.id === gid(staff.id));
    expect(listed).toMatchObject({ role: "ADMIN", name: "Beförderte Person" });
    expect([...listed!.permissions].sort()).toEqual(["CHAT", "CLAIMS"]);

    // The same session, no new login: rights are read per request.
    const { viewer } = await client.request(ViewerDocument);
    expect(viewer?.staffUser?.role).toBe("ADMIN");
    await invite(client);

    // Fields left out stay as they are.
    const { updateStaffUser: narrowed } = await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: gid(staff.id), permissions: [] } });
    expect(narrowed.staffUser).toMatchObject({ role: "ADMIN", name: "Beförderte Person", permissions: [] });
    const { updateStaffUser: demoted } = await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: gid(staff.id), role: "EMPLOYEE" } });
    expect(demoted.staffUser).toMatchObject({ role: "EMPLOYEE", permissions: [] });
    await expectApiError(client.request(InviteStaffUserDocument, { input: { email: uniqueMail("x"), name: "X", role: "EMPLOYEE", permissions: [] } }), "FORBIDDEN");
  });

  it("an employee may not update anyone, themselves included", async () => {
    const before = await staffOfTenant(firm.tenant.id);
    for (const input of [
      { id: gid(firm.employee.id), role: "ADMIN" as const },
      { id: gid(firm.employee.id), permissions: ["CHAT", "CLAIMS"] as Array<"CHAT" | "CLAIMS"> },
      { id: gid(firm.admin.id), active: false },
    ]) {
      await expectApiError(firm.employeeClient.request(UpdateStaffUserDocument, { input }), "FORBIDDEN");
    }
    expect(await staffOfTenant(firm.tenant.id)).toEqual(before);
  });

  it("deactivation ends every session of the user at once; reactivation lets them log in again", async () => {
    const staff = await f.buildStaff({ tenant: firm.tenant });
    const [first, second] = [await f.staffClient(staff), await f.staffClient(staff)];
    expect(await sessionsOf(staff.id)).toHaveLength(2);

    const { updateStaffUser } = await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: gid(staff.id), active: false } });
    expect(updateStaffUser.staffUser.status).toBe("DEACTIVATED");
    expect(await sessionsOf(staff.id)).toHaveLength(0);
    for (const client of [first!, second!]) {
      await expectApiError(client.request(StaffUsersDocument, {}), "UNAUTHENTICATED");
      expect((await client.request(ViewerDocument)).viewer).toBeNull();
    }
    await expectApiError(t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } }), "ACCOUNT_DEACTIVATED");
    expect((await listAll(firm.adminClient, "DEACTIVATED")).map((s) => s.id)).toContain(gid(staff.id));
    // The admin's own session is untouched.
    expect((await firm.adminClient.request(ViewerDocument)).viewer?.staffUser?.id).toBe(gid(firm.admin.id));

    const { updateStaffUser: back } = await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: gid(staff.id), active: true } });
    expect(back.staffUser.status).toBe("ACTIVE");
    const again = await f.staffClient(staff);
    expect((await again.request(ViewerDocument)).viewer?.staffUser?.status).toBe("ACTIVE");
    // The old tokens stay dead.
    expect((await first!.request(ViewerDocument)).viewer).toBeNull();
  });

  it("a deactivated invitee cannot use the link; reactivated, they are INVITED again and can", async () => {
    const invited = await invite(firm.adminClient);
    const { updateStaffUser } = await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: invited.staffUser.id, active: false } });
    expect(updateStaffUser.staffUser.status).toBe("DEACTIVATED");
    const refused = await expectApiError(
      t.client().request(AcceptStaffInvitationDocument, { input: { token: invited.token, password: GOOD_PASSWORD } }),
      "BAD_USER_INPUT",
    );
    expect(refused.fields.map((p) => p.rule)).toEqual(["TOKEN_VALID"]);
    expect((await staffByEmail(invited.staffUser.email))[0]).toMatchObject({ status: "DEACTIVATED", passwordHash: null });

    const { updateStaffUser: back } = await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: invited.staffUser.id, active: true } });
    expect(back.staffUser.status).toBe("INVITED");
    await t.client().request(AcceptStaffInvitationDocument, { input: { token: invited.token, password: GOOD_PASSWORD } });
    expect((await staffByEmail(invited.staffUser.email))[0]?.status).toBe("ACTIVE");
  });

  it("the last active admin cannot demote or deactivate themselves (CONFLICT, nothing changed)", async () => {
    const solo = await f.buildFirm();
    const self = gid(solo.admin.id);
    // A deactivated admin does not count as a remaining admin.
    await f.buildStaff({ tenant: solo.tenant, role: "ADMIN", status: "DEACTIVATED" });
    const before = await staffOfTenant(solo.tenant.id);
    for (const input of [{ id: self, role: "EMPLOYEE" as const }, { id: self, active: false }, { id: self, role: "EMPLOYEE" as const, active: false }]) {
      const err = await expectApiError(solo.adminClient.request(UpdateStaffUserDocument, { input }), "CONFLICT");
      // The code says what happened; no rule number reaches the client.
      expect(err.errors[0]!.extensions).toEqual({ code: "CONFLICT" });
    }
    expect(await staffOfTenant(solo.tenant.id)).toEqual(before);
    expect(await sessionsOf(solo.admin.id)).toHaveLength(1);
    // Harmless changes to themselves are fine.
    const { updateStaffUser } = await solo.adminClient.request(UpdateStaffUserDocument, { input: { id: self, name: "Chefin", permissions: ["CHAT"] } });
    expect(updateStaffUser.staffUser).toMatchObject({ name: "Chefin", role: "ADMIN", status: "ACTIVE", permissions: ["CHAT"] });

    // With a second active admin, stepping down works, and then the other one is the last.
    const second = await f.buildStaff({ tenant: solo.tenant, role: "ADMIN" });
    const secondClient = await f.staffClient(second);
    const { updateStaffUser: down } = await solo.adminClient.request(UpdateStaffUserDocument, { input: { id: self, role: "EMPLOYEE" } });
    expect(down.staffUser.role).toBe("EMPLOYEE");
    await expectApiError(secondClient.request(UpdateStaffUserDocument, { input: { id: gid(second.id), active: false } }), "CONFLICT");
    expect((await staffRow(second.id))).toMatchObject({ role: "ADMIN", status: "ACTIVE" });
  });

  it("an unknown id or another firm's staff user is NOT_FOUND (same answer); a malformed id is BAD_USER_INPUT", async () => {
    const other = await f.buildFirm();
    const otherBefore = await staffOfTenant(other.tenant.id);
    const unknown = await expectApiError(
      firm.adminClient.request(UpdateStaffUserDocument, { input: { id: gid(crypto.randomUUID()), role: "ADMIN" } }),
      "NOT_FOUND",
    );
    const foreign = await expectApiError(
      firm.adminClient.request(UpdateStaffUserDocument, { input: { id: gid(other.employee.id), role: "ADMIN", active: false } }),
      "NOT_FOUND",
    );
    expect(foreign.message).toBe(unknown.message);
    expect(foreign.errors[0]!.extensions).toEqual(unknown.errors[0]!.extensions);
    // A well-formed id of another type is not a staff user either.
    await expectApiError(firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("Tenant", firm.tenant.id), role: "ADMIN" } }), "NOT_FOUND");
    expect(await staffOfTenant(other.tenant.id)).toEqual(otherBefore);
    expect(await sessionsOf(other.employee.id)).toHaveLength(1);

    const malformed = await expectApiError(firm.adminClient.request(UpdateStaffUserDocument, { input: { id: "abc", role: "ADMIN" } }), "BAD_USER_INPUT");
    expect(malformed.fields).toEqual([expect.objectContaining({ field: "input.id", rule: "GLOBAL_ID" })]);
  });
});

describe("own settings (rule B2)", () => {
  it("emailNotifications is on by default, can be switched off and on, and only for the viewer", async () => {
    const firm = await f.buildFirm();
    const viewerSettings = async (c: KundenappClient) => (await c.request(ViewerDocument)).viewer?.settings;
    expect(await viewerSettings(firm.employeeClient)).toEqual({ emailNotifications: true });
    expect(await viewerSettings(firm.adminClient)).toEqual({ emailNotifications: true });

    const { updateMySettings } = await firm.employeeClient.request(UpdateMySettingsDocument, { input: { emailNotifications: false } });
    expect(updateMySettings.settings).toEqual({ emailNotifications: false });
    expect(await viewerSettings(firm.employeeClient)).toEqual({ emailNotifications: false });
    expect((await staffRow(firm.employee.id))?.emailNotifications).toBe(false);
    expect(await viewerSettings(firm.adminClient)).toEqual({ emailNotifications: true });

    // Leaving the field out changes nothing.
    const { updateMySettings: same } = await firm.employeeClient.request(UpdateMySettingsDocument, { input: {} });
    expect(same.settings).toEqual({ emailNotifications: false });
    // It survives a new login.
    const fresh = await f.staffClient(firm.employee);
    expect(await viewerSettings(fresh)).toEqual({ emailNotifications: false });

    await firm.employeeClient.request(UpdateMySettingsDocument, { input: { emailNotifications: true } });
    expect(await viewerSettings(firm.employeeClient)).toEqual({ emailNotifications: true });
    await expectApiError(t.client().request(UpdateMySettingsDocument, { input: { emailNotifications: false } }), "UNAUTHENTICATED");
  });
});

describe("changeMyPassword", () => {
  it("refuses a wrong current password and a weak new one, naming the fields, and changes nothing", async () => {
    const staff = await f.buildStaff();
    const client = await f.staffClient(staff);
    const before = await staffRow(staff.id);

    const wrong = await expectApiError(client.request(ChangeMyPasswordDocument, { input: { currentPassword: "Falsch-123!", newPassword: "Neues-Passwort-8" } }), "BAD_USER_INPUT");
    expect(wrong.fields).toEqual([expect.objectContaining({ field: "input.currentPassword", rule: "CURRENT_PASSWORD" })]);

    const weak = await expectApiError(client.request(ChangeMyPasswordDocument, { input: { currentPassword: staff.password, newPassword: "schwach" } }), "BAD_USER_INPUT");
    expect(weak.fields.map((p) => [p.field, p.rule])).toEqual([
      ["input.newPassword", "PASSWORD_MIN_LENGTH"],
      ["input.newPassword", "PASSWORD_UPPERCASE"],
      ["input.newPassword", "PASSWORD_DIGIT"],
      ["input.newPassword", "PASSWORD_SPECIAL"],
    ]);

    const both = await expectApiError(client.request(ChangeMyPasswordDocument, { input: { currentPassword: "Falsch-123!", newPassword: "Passwort1!" } }), "BAD_USER_INPUT");
    expect(both.fields.map((p) => [p.field, p.rule])).toEqual([
      ["input.currentPassword", "CURRENT_PASSWORD"],
      ["input.newPassword", "PASSWORD_COMMON"],
    ]);

    expect(await staffRow(staff.id)).toEqual(before);
    expect(await sessionsOf(staff.id)).toHaveLength(1);
    await expectApiError(t.client().request(ChangeMyPasswordDocument, { input: { currentPassword: staff.password, newPassword: "Neues-Passwort-8" } }), "UNAUTHENTICATED");
  });

  it("ends the user's other sessions but not the current one nor anyone else's; only the new password logs in", async () => {
    const staff = await f.buildStaff({ role: "ADMIN" });
    const colleague = await f.buildStaff({ tenant: staff.tenant });
    const current = await f.staffClient(staff);
    const otherDevice = await f.staffClient(staff);
    const colleagueClient = await f.staffClient(colleague);

    const newPassword = "Neues-Passwort-8";
    const { changeMyPassword } = await current.request(ChangeMyPasswordDocument, { input: { currentPassword: staff.password, newPassword } });
    expect(changeMyPassword.ok).toBe(true);

    expect((await current.request(ViewerDocument)).viewer?.staffUser?.email).toBe(staff.email);
    await current.request(StaffUsersDocument, {});
    expect((await otherDevice.request(ViewerDocument)).viewer).toBeNull();
    await expectApiError(otherDevice.request(StaffUsersDocument, {}), "UNAUTHENTICATED");
    expect((await colleagueClient.request(ViewerDocument)).viewer?.staffUser?.email).toBe(colleague.email);
    expect(await sessionsOf(staff.id)).toHaveLength(1);

    await t.client().request(LoginDocument, { input: { email: staff.email, password: newPassword } });
    await expectApiError(t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } }), "UNAUTHENTICATED");
    expect((await staffRow(staff.id))?.passwordHash).toMatch(/^\$argon2id\$/);
  });
});

describe("listing staff users (rule B1): pagination and scope", () => {
  let firm: Firm;
  let other: Firm;
  let expectedIds: string[];
  beforeAll(async () => {
    firm = await f.buildFirm();
    other = await f.buildFirm();
    await f.buildStaff({ tenant: firm.tenant });
    await f.buildStaff({ tenant: firm.tenant, status: "INVITED", passwordHash: null });
    await f.buildStaff({ tenant: firm.tenant, status: "DEACTIVATED" });
    await f.buildStaff({ tenant: other.tenant });
    expectedIds = (await staffOfTenant(firm.tenant.id)).map((r) => gid(r.id));
    expect(expectedIds).toHaveLength(5);
  });

  async function walk(pageSize: number, status?: StaffStatus) {
    const pages: Array<{ ids: string[]; hasNextPage: boolean }> = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const res: StaffUsersQuery = await firm.employeeClient.request(StaffUsersDocument, { first: pageSize, after, status });
      pages.push({ ids: res.staffUsers.edges.map((e) => e.node.id), hasNextPage: res.staffUsers.pageInfo.hasNextPage });
      expect(res.staffUsers.pageInfo.endCursor).toBe(res.staffUsers.edges.at(-1)?.cursor ?? null);
      if (!res.staffUsers.pageInfo.hasNextPage) return pages;
      after = res.staffUsers.pageInfo.endCursor;
    }
    throw new Error("pagination did not end");
  }

  it("first: 2 and `after` walk every staff user of the firm exactly once, oldest first", async () => {
    const pages = await walk(2);
    expect(pages.map((p) => p.ids.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => p.hasNextPage)).toEqual([true, true, false]);
    expect(pages.flatMap((p) => p.ids)).toEqual(expectedIds);
  });

  it("hasNextPage is false on a page that ends exactly at the last item", async () => {
    expect((await walk(5)).map((p) => [p.ids.length, p.hasNextPage])).toEqual([[5, false]]);
    expect((await walk(4)).map((p) => [p.ids.length, p.hasNextPage])).toEqual([
      [4, true],
      [1, false],
    ]);
    expect((await walk(100)).flatMap((p) => p.ids)).toEqual(expectedIds);
  });

  it("filters by status while paging, and counts with totalCount", async () => {
    const active = (await staffOfTenant(firm.tenant.id)).filter((r) => r.status === "ACTIVE").map((r) => gid(r.id));
    expect(active).toHaveLength(3);
    const pages = await walk(2, "ACTIVE");
    expect(pages.flatMap((p) => p.ids)).toEqual(active);
    expect(pages.map((p) => p.hasNextPage)).toEqual([true, false]);

    const count = async (status?: StaffStatus) => (await firm.employeeClient.request(StaffUsersCountDocument, { status })).staffUsers.totalCount;
    expect(await count()).toBe(5);
    expect(await count("ACTIVE")).toBe(3);
    expect(await count("INVITED")).toBe(1);
    expect(await count("DEACTIVATED")).toBe(1);
  });

  it("lists only the viewer's own firm", async () => {
    const otherIds = new Set((await staffOfTenant(other.tenant.id)).map((r) => gid(r.id)));
    expect(otherIds.size).toBe(3);
    const seen = (await walk(2)).flatMap((p) => p.ids);
    expect(seen.some((id) => otherIds.has(id))).toBe(false);
    const theirs = (await listAll(other.adminClient)).map((s) => s.id);
    expect(new Set(theirs)).toEqual(otherIds);
    expect((await other.adminClient.request(StaffUsersCountDocument, {})).staffUsers.totalCount).toBe(3);
  });

  it("refuses first over 100 or below 0, and an `after` this list did not give out, with BAD_USER_INPUT", async () => {
    const c = firm.employeeClient;
    for (const first of [101, 1000, -1]) {
      const err = await expectApiError(c.request(StaffUsersDocument, { first }), "BAD_USER_INPUT");
      expect(err.fields.some((p) => p.field === "first"), JSON.stringify(err.fields)).toBe(true);
    }
    expect((await c.request(StaffUsersDocument, { first: 100 })).staffUsers.edges).toHaveLength(5);
    for (const after of ["garbage", "!!!", encodeCursor(["not-a-uuid"]), encodeCursor([42]), encodeCursor([]), encodeCursor([crypto.randomUUID(), "x"])]) {
      const err = await expectApiError(c.request(StaffUsersDocument, { first: 2, after }), "BAD_USER_INPUT");
      expect(err.fields).toEqual([expect.objectContaining({ field: "after", rule: "CURSOR" })]);
    }
    await expectApiError(t.client().request(StaffUsersDocument, {}), "UNAUTHENTICATED");
  });
});

describe("searching staff users by name and email (issue 12)", () => {
  let firm: Firm;
  let other: Firm;
  let anna: Awaited<ReturnType<typeof f.buildStaff>>;
  let bernd: Awaited<ReturnType<typeof f.buildStaff>>;
  let rabatt: Awaited<ReturnType<typeof f.buildStaff>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    other = await f.buildFirm();
    anna = await f.buildStaff({ tenant: firm.tenant, name: "Anna Berger", email: uniqueMail("a.berger") });
    bernd = await f.buildStaff({ tenant: firm.tenant, name: "Bernd Müller", email: uniqueMail("b.mueller"), status: "DEACTIVATED" });
    rabatt = await f.buildStaff({ tenant: firm.tenant, name: "Rabatt_50% Team", email: uniqueMail("rabatt") });
    // Another firm's namesake: never listed.
    await f.buildStaff({ tenant: other.tenant, name: "Anna Berger", email: uniqueMail("a.berger") });
  });
  const search = async (term: string, status?: StaffStatus) =>
    (await firm.employeeClient.request(StaffUsersDocument, { first: 100, search: term, status })).staffUsers.edges.map((e) => e.node.id);

  it("matches part of the name or of the email, ignoring case, within the firm only", async () => {
    expect(await search("BERG")).toEqual([gid(anna.id)]);
    expect(await search("anna b")).toEqual([gid(anna.id)]);
    expect(await search("MUELLER")).toEqual([gid(bernd.id)]);
    expect(await search("müller")).toEqual([gid(bernd.id)]);
    // Email domain: every staff user of the firm, and no one else's.
    expect(await search("@EXAMPLE.test")).toEqual((await staffOfTenant(firm.tenant.id)).map((r) => gid(r.id)));
    expect(await search("niemand-sonst")).toEqual([]);
  });

  it("combines with the status filter and with totalCount", async () => {
    expect(await search("er", "ACTIVE")).toEqual([gid(anna.id)]);
    expect(await search("er", "DEACTIVATED")).toEqual([gid(bernd.id)]);
    const { staffUsers: page } = await firm.employeeClient.request(StaffUsersDocument, { first: 1, search: "er" });
    expect(page.edges).toHaveLength(1);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it("LIKE wildcards are literal; a blank search matches everyone", async () => {
    expect(await search("_50%")).toEqual([gid(rabatt.id)]);
    expect(await search("%")).toEqual([gid(rabatt.id)]);
    expect(await search("_")).toEqual([gid(rabatt.id)]);
    expect(await search("   ")).toEqual((await staffOfTenant(firm.tenant.id)).map((r) => gid(r.id)));
  });

  it("a search over 100 characters is BAD_USER_INPUT naming `search`", async () => {
    const err = await expectApiError(firm.employeeClient.request(StaffUsersDocument, { search: "x".repeat(101) }), "BAD_USER_INPUT");
    expect(err.fields).toEqual([expect.objectContaining({ field: "search", rule: "LENGTH" })]);
  });
});

// Last in the file: it moves the shared clock forward by a week.
describe("invitation expiry (rule B1)", () => {
  it("an invitation link works until 7 days have passed, and is refused after", async () => {
    const firm = await f.buildFirm();
    const early = await invite(firm.adminClient);
    const late = await invite(firm.adminClient);

    t.clock.advance(STAFF_INVITE_TTL_MS - 60_000);
    await t.client().request(AcceptStaffInvitationDocument, { input: { token: early.token, password: GOOD_PASSWORD } });

    t.clock.advance(2 * 60_000);
    const err = await expectApiError(t.client().request(AcceptStaffInvitationDocument, { input: { token: late.token, password: GOOD_PASSWORD } }), "BAD_USER_INPUT");
    expect(err.fields).toEqual([expect.objectContaining({ field: "input.token", rule: "TOKEN_VALID" })]);
    const [row] = await db().select().from(staffUsers).where(and(eq(staffUsers.email, late.staffUser.email), eq(staffUsers.tenantId, firm.tenant.id)));
    expect(row).toMatchObject({ status: "INVITED", passwordHash: null });
    expect(await sessionsOf(row!.id)).toHaveLength(0);
  });
});
