import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories } from "../../test/factories.js";
import { LoginDocument, LogoutDocument, NotificationAddedDocument, ViewerDocument, StaffUsersDocument, UpdateStaffUserDocument } from "../../sdk/client.js";
import { sessions } from "./session.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { hashToken } from "../../auth/tokens.js";
import { toGlobalId } from "../../graphql/relay.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t.close());

/** Waits for the graphql-ws client's socket to close and returns the close code. */
function closed(client: ReturnType<TestServer["client"]>): Promise<number> {
  return new Promise((resolve) => client.socket().on("closed", (e) => resolve((e as { code: number }).code)));
}

describe("login (rule D6 for staff)", () => {
  it("returns an opaque token that identifies the staff user over HTTP", async () => {
    const staff = await f.buildStaff({ role: "ADMIN", permissions: ["CHAT"] });
    const client = t.client();
    const { login } = await client.request(LoginDocument, { input: { email: staff.email.toUpperCase(), password: staff.password } });
    expect(login.token).toMatch(/^ks_[A-Za-z0-9_-]{43}$/); // 256 random bits
    expect(login.viewer.staffUser?.email).toBe(staff.email);
    expect(new Date(login.expiresAt).getTime()).toBeGreaterThan(Date.now());
    client.setToken(login.token);
    const { viewer } = await client.request(ViewerDocument);
    expect(viewer?.kind).toBe("STAFF");
    expect(viewer?.tenant.brokerId).toBe(staff.tenant.brokerId);
    expect(viewer?.staffUser?.role).toBe("ADMIN");
  });

  it("stores only the token's hash, never the token", async () => {
    const staff = await f.buildStaff();
    const { login } = await t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } });
    const rows = await t.app.deps.database.db.select().from(sessions).where(eq(sessions.staffUserId, staff.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(hashToken(login.token));
    expect(JSON.stringify(rows)).not.toContain(login.token);
  });

  it("hashes passwords with argon2id at m=19456, t=2, p=1", async () => {
    const invited = await f.buildStaff({ role: "ADMIN" });
    const admin = await f.staffClient(invited);
    const { InviteStaffUserDocument, AcceptStaffInvitationDocument } = await import("../../sdk/client.js");
    const { inviteStaffUser } = await admin.request(InviteStaffUserDocument, {
      input: { email: `hash-${Date.now()}@example.test`, name: "Hash Probe", role: "EMPLOYEE", permissions: [] },
    });
    const token = new URL(inviteStaffUser.invitationLink).searchParams.get("token")!;
    await t.client().request(AcceptStaffInvitationDocument, { input: { token, password: "Neues-Passwort-7" } });
    const [row] = await t.app.deps.database.db.select().from(staffUsers).where(eq(staffUsers.email, inviteStaffUser.staffUser.email));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("answers a wrong password and an unknown email with one and the same error", async () => {
    const staff = await f.buildStaff();
    const wrong = await expectApiError(t.client().request(LoginDocument, { input: { email: staff.email, password: "Falsch-123!" } }), "UNAUTHENTICATED");
    const unknown = await expectApiError(t.client().request(LoginDocument, { input: { email: "nobody@example.test", password: "Falsch-123!" } }), "UNAUTHENTICATED");
    expect(unknown.message).toBe(wrong.message);
    expect(unknown.errors[0]!.extensions).toEqual(wrong.errors[0]!.extensions);
    // Only the code: no rule number or other detail reaches the client.
    expect(wrong.errors[0]!.extensions).toEqual({ code: "UNAUTHENTICATED" });
  });

  it("tells ACCOUNT_DEACTIVATED only after a correct password", async () => {
    const staff = await f.buildStaff({ status: "DEACTIVATED" });
    await expectApiError(t.client().request(LoginDocument, { input: { email: staff.email, password: "Falsch-123!" } }), "UNAUTHENTICATED");
    await expectApiError(t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } }), "ACCOUNT_DEACTIVATED");
  });

  it("throttles repeated failures per account and address, even for the right password afterwards", async () => {
    const staff = await f.buildStaff();
    const guesser = t.client();
    for (let i = 0; i < 5; i++) {
      await expectApiError(guesser.request(LoginDocument, { input: { email: staff.email, password: `Falsch-${i}!aA` } }), "UNAUTHENTICATED");
    }
    const limited = await expectApiError(guesser.request(LoginDocument, { input: { email: staff.email, password: staff.password } }), "RATE_LIMITED");
    expect(limited.errors[0]!.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    // Five failures from one address do not lock the owner out elsewhere (issue 11: no denial of the owner's login).
    await t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } });
    // The window passes: the right password works again from the guessing address too.
    t.clock.advance(16 * 60_000);
    await guesser.request(LoginDocument, { input: { email: staff.email, password: staff.password } });
  });

  it("throttles repeated failures per client address across accounts", async () => {
    const client = t.client();
    for (let i = 0; i < 30; i++) {
      await expectApiError(client.request(LoginDocument, { input: { email: `guess-${i}@example.test`, password: "Falsch-123!" } }), "UNAUTHENTICATED");
    }
    const staff = await f.buildStaff();
    await expectApiError(client.request(LoginDocument, { input: { email: staff.email, password: staff.password } }), "RATE_LIMITED");
    // Another address is not affected.
    await t.client().request(LoginDocument, { input: { email: staff.email, password: staff.password } });
  });
});

describe("session end", () => {
  it("logout ends HTTP use of the token and closes its WebSocket (rule D8)", async () => {
    const staff = await f.buildStaff();
    const client = await f.staffClient(staff);
    const socketClosed = closed(client);
    // Open the socket by running an operation over it.
    const viaWs = client.socket().iterate({ query: "{ viewer { kind } }" });
    expect((await viaWs.next()).value?.data).toEqual({ viewer: { kind: "STAFF" } });
    await client.request(LogoutDocument);
    expect(await socketClosed).toBe(4401);
    const { viewer } = await client.request(ViewerDocument);
    expect(viewer).toBeNull();
    await expectApiError(client.request(StaffUsersDocument, {}), "UNAUTHENTICATED");
  });

  it("a deactivated staff user's token stops working at once, and their socket closes (rule B1)", async () => {
    const admin = await f.buildStaff({ role: "ADMIN" });
    const employee = await f.buildStaff({ tenant: admin.tenant });
    const adminClient = await f.staffClient(admin);
    const employeeClient = await f.staffClient(employee);
    const socketClosed = closed(employeeClient);
    await employeeClient.socket().iterate({ query: "{ viewer { kind } }" }).next();
    await adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", employee.id), active: false } });
    expect(await socketClosed).toBe(4401);
    await expectApiError(employeeClient.request(StaffUsersDocument, {}), "UNAUTHENTICATED");
    expect(await t.app.deps.database.db.select().from(sessions).where(eq(sessions.staffUserId, employee.id))).toHaveLength(0);
  });

  it("closes the WebSocket of a session that expires while it is open, within a second or so", async () => {
    const staff = await f.buildStaff();
    const client = await f.staffClient(staff);
    const socketClosed = closed(client);
    const connected = new Promise((resolve) => client.socket().on("connected", resolve));
    const sub = client.subscribe(NotificationAddedDocument, {});
    void sub.next().catch(() => undefined);
    await connected;
    t.clock.advance(t.config.sessionIdleMs + 1_000);
    // No request and no event: only the server's sweep can notice.
    const code = await Promise.race([socketClosed, new Promise<string>((r) => setTimeout(() => r("still open after 3 s"), 3_000))]);
    expect(code).toBe(4401);
  });

  it("the sweep's question names only the ended sessions among many live ones: expired, deactivated, unknown", async () => {
    const live = await f.buildStaff();
    const leaving = await f.buildStaff({ tenant: live.tenant });
    const issue = (staffUserId: string) => t.app.services.session.issue({ tenantId: live.tenantId, staffUserId }).then((s) => s.sessionId);
    const alive = await Promise.all(Array.from({ length: 50 }, () => issue(live.id)));
    const expired = await issue(live.id);
    await t.app.deps.database.db.update(sessions).set({ expiresAt: new Date(t.clock.now().getTime() - 1_000) }).where(eq(sessions.id, expired));
    const deactivated = await issue(leaving.id);
    await t.app.deps.database.db.update(staffUsers).set({ status: "DEACTIVATED" }).where(eq(staffUsers.id, leaving.id));
    const unknown = crypto.randomUUID();
    const ended = await t.app.services.session.endedOf([...alive.slice(0, 25), expired, deactivated, unknown, ...alive.slice(25)]);
    expect(ended.sort()).toEqual([expired, deactivated, unknown].sort());
  });

  it("refuses a WebSocket without a valid token", async () => {
    const anon = t.client("ks_not-a-real-token");
    const code = closed(anon);
    await expect(anon.socket().iterate({ query: "{ viewer { kind } }" }).next()).rejects.toBeTruthy();
    expect(await code).toBe(4403);
  });

  it("expires a session after its idle time and after its absolute lifetime", async () => {
    const staff = await f.buildStaff();
    const client = await f.staffClient(staff);
    t.clock.advance(t.config.sessionIdleMs + 1000);
    expect((await client.request(ViewerDocument)).viewer).toBeNull();

    const again = await f.staffClient(staff);
    // Keep it busy: each request within the idle window extends it, but not past the absolute limit.
    for (let elapsed = 0; elapsed < t.config.sessionMaxMs; elapsed += t.config.sessionIdleMs / 2) {
      t.clock.advance(t.config.sessionIdleMs / 2);
      await again.request(ViewerDocument);
    }
    t.clock.advance(t.config.sessionIdleMs / 2);
    expect((await again.request(ViewerDocument)).viewer).toBeNull();
  });
});
