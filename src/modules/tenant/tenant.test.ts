import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories, GOOD_PASSWORD } from "../../test/factories.js";
import {
  AcceptStaffInvitationDocument,
  BrokerProfileDocument,
  CreateTenantDocument,
  LoginDocument,
  SetCustomerAppEnabledDocument,
  TenantDocument,
  UpdateBrokerProfileDocument,
  ViewerDocument,
  type UpdateBrokerProfileInput,
} from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { tenants } from "./tenant.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { BROKER_ID_ALPHABET, BROKER_ID_LENGTH } from "./broker-id.js";

// IDs the next generateBrokerId() calls return before it falls back to the real generator (to force a collision).
const forcedBrokerIds = vi.hoisted(() => [] as string[]);
vi.mock("./broker-id.js", async (importActual) => {
  const actual = await importActual<typeof import("./broker-id.js")>();
  return { ...actual, generateBrokerId: () => forcedBrokerIds.shift() ?? actual.generateBrokerId() };
});

const run = promisify(execFile);

/** Rule A2: six characters, none of 0/O, 1/I/L. */
const BROKER_ID = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/;

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t.close());

const db = () => t.app.deps.database.db;
const uniqueMail = (prefix: string) => `${prefix}-${crypto.randomBytes(5).toString("hex")}@example.test`;
const tenantRow = async (id: string) => (await db().select().from(tenants).where(eq(tenants.id, id)))[0]!;
const tenantCount = async () => (await db().select({ id: tenants.id }).from(tenants)).length;

function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get("token");
  expect(token).toBeTruthy();
  return token!;
}

describe("createTenant (rules A1, A2: the operator creates firms)", () => {
  it("creates a firm with a rule-A2 broker ID and an admin invitation that logs the admin into that firm", async () => {
    const adminEmail = uniqueMail("first-admin");
    const { createTenant } = await t.operator().request(CreateTenantDocument, {
      input: { name: "  Makler Sonnenschein GmbH  ", adminEmail, adminName: "Erste Admin" },
    });
    expect(createTenant.tenant.brokerId).toMatch(BROKER_ID);
    expect(createTenant.tenant.name).toBe("Makler Sonnenschein GmbH");
    // Rule A1: the customer app is off until the operator turns it on.
    expect(createTenant.tenant.customerAppEnabled).toBe(false);
    expect(createTenant.adminInvitationLink.startsWith(t.config.staffLinkBase)).toBe(true);

    const token = tokenOf(createTenant.adminInvitationLink);
    const admin = t.client();
    const { acceptStaffInvitation } = await admin.request(AcceptStaffInvitationDocument, { input: { token, password: GOOD_PASSWORD } });
    expect(acceptStaffInvitation.viewer.staffUser).toMatchObject({ email: adminEmail, status: "ACTIVE" });
    admin.setToken(acceptStaffInvitation.token);

    const { tenant } = await admin.request(TenantDocument);
    expect(tenant).toMatchObject({ id: createTenant.tenant.id, brokerId: createTenant.tenant.brokerId, name: "Makler Sonnenschein GmbH" });
    // The profile starts with the firm's name, so the app's home screen is never blank.
    expect(tenant.brokerProfile).toMatchObject({ name: "Makler Sonnenschein GmbH", brokerId: createTenant.tenant.brokerId });
    const { viewer } = await admin.request(ViewerDocument);
    expect(viewer?.staffUser).toMatchObject({ role: "ADMIN", status: "ACTIVE" });
    expect([...viewer!.staffUser!.permissions].sort()).toEqual(["CHAT", "CLAIMS"]);

    // The password set through the link is the admin's login from now on.
    const { login } = await t.client().request(LoginDocument, { input: { email: adminEmail, password: GOOD_PASSWORD } });
    expect(login.viewer.tenant.brokerId).toBe(createTenant.tenant.brokerId);
  });

  it("gives every firm its own broker ID, retrying when a generated one is taken (rule A2)", async () => {
    const existing = await f.buildTenant();
    forcedBrokerIds.push(existing.brokerId, existing.brokerId);
    const { createTenant } = await t.operator().request(CreateTenantDocument, {
      input: { name: "Kollision & Co", adminEmail: uniqueMail("collision"), adminName: "Admin" },
    });
    expect(forcedBrokerIds).toHaveLength(0);
    expect(createTenant.tenant.brokerId).toMatch(BROKER_ID);
    expect(createTenant.tenant.brokerId).not.toBe(existing.brokerId);
    expect(await db().select().from(tenants).where(eq(tenants.brokerId, existing.brokerId))).toHaveLength(1);
  });

  it("refuses anonymous callers with UNAUTHENTICATED and staff with FORBIDDEN, creating nothing", async () => {
    const { adminClient } = await f.buildFirm();
    const before = await tenantCount();
    const adminEmail = uniqueMail("never");
    const input = { name: "Heimlich GmbH", adminEmail, adminName: "Nobody" };
    await expectApiError(t.client().request(CreateTenantDocument, { input }), "UNAUTHENTICATED");
    await expectApiError(adminClient.request(CreateTenantDocument, { input }), "FORBIDDEN");
    await expectApiError(t.client("ks_not-a-real-token").request(CreateTenantDocument, { input }), "UNAUTHENTICATED");
    expect(await tenantCount()).toBe(before);
    expect(await db().select().from(staffUsers).where(eq(staffUsers.email, adminEmail))).toHaveLength(0);
  });
});

describe("broker IDs (rule A2)", () => {
  it("generateBrokerId() gives 6 characters without 0, O, 1, I or L, over 2000 IDs", async () => {
    const { generateBrokerId } = await vi.importActual<typeof import("./broker-id.js")>("./broker-id.js");
    const ids = Array.from({ length: 2000 }, () => generateBrokerId());
    for (const id of ids) {
      expect(id).toHaveLength(BROKER_ID_LENGTH);
      expect(id).toMatch(BROKER_ID);
      expect(id).not.toMatch(/[0O1IL]/);
    }
    // The whole alphabet is in use (12,000 draws from 31 characters), and IDs do not repeat in practice.
    expect(new Set(ids.join(""))).toEqual(new Set(BROKER_ID_ALPHABET));
    expect(BROKER_ID_ALPHABET).not.toMatch(/[0O1IL]/);
    expect(new Set(ids).size).toBeGreaterThan(1990);
  });

  it("setCustomerAppEnabled accepts the broker ID in lower case and with spaces around it", async () => {
    const tenant = await f.buildTenant({ customerAppEnabled: true });
    const op = t.operator();
    const lower = await op.request(SetCustomerAppEnabledDocument, { input: { brokerId: tenant.brokerId.toLowerCase(), enabled: false } });
    expect(lower.setCustomerAppEnabled.tenant).toEqual({ id: toGlobalId("Tenant", tenant.id), brokerId: tenant.brokerId, customerAppEnabled: false });
    const spaced = await op.request(SetCustomerAppEnabledDocument, { input: { brokerId: `  ${tenant.brokerId.toLowerCase()} `, enabled: true } });
    expect(spaced.setCustomerAppEnabled.tenant.customerAppEnabled).toBe(true);
    expect((await tenantRow(tenant.id)).customerAppEnabled).toBe(true);
  });
});

describe("customer app on and off (rule A1)", () => {
  let firm: Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
  });

  it("the operator disables and enables the app; the firm's staff see tenant.customerAppEnabled follow", async () => {
    const op = t.operator();
    const other = await f.buildTenant({ customerAppEnabled: true });

    const off = await op.request(SetCustomerAppEnabledDocument, { input: { brokerId: firm.tenant.brokerId, enabled: false } });
    expect(off.setCustomerAppEnabled.tenant.customerAppEnabled).toBe(false);
    expect((await firm.employeeClient.request(TenantDocument)).tenant.customerAppEnabled).toBe(false);
    expect((await firm.adminClient.request(ViewerDocument)).viewer?.tenant.customerAppEnabled).toBe(false);
    // Only that firm changed.
    expect((await tenantRow(other.id)).customerAppEnabled).toBe(true);

    // By the firm's ID instead of its broker ID.
    const on = await op.request(SetCustomerAppEnabledDocument, { input: { tenantId: toGlobalId("Tenant", firm.tenant.id), enabled: true } });
    expect(on.setCustomerAppEnabled.tenant).toMatchObject({ brokerId: firm.tenant.brokerId, customerAppEnabled: true });
    expect((await firm.employeeClient.request(TenantDocument)).tenant.customerAppEnabled).toBe(true);
    expect((await firm.adminClient.request(ViewerDocument)).viewer?.tenant.customerAppEnabled).toBe(true);

    // Setting the same value again is harmless.
    await op.request(SetCustomerAppEnabledDocument, { input: { brokerId: firm.tenant.brokerId, enabled: true } });
    expect((await tenantRow(firm.tenant.id)).customerAppEnabled).toBe(true);
  });

  it("staff (even the firm's admin) get FORBIDDEN and nothing changes", async () => {
    const before = await tenantRow(firm.tenant.id);
    for (const client of [firm.adminClient, firm.employeeClient]) {
      await expectApiError(client.request(SetCustomerAppEnabledDocument, { input: { brokerId: firm.tenant.brokerId, enabled: !before.customerAppEnabled } }), "FORBIDDEN");
    }
    await expectApiError(t.client().request(SetCustomerAppEnabledDocument, { input: { brokerId: firm.tenant.brokerId, enabled: false } }), "UNAUTHENTICATED");
    expect(await tenantRow(firm.tenant.id)).toEqual(before);
  });

  it("an unknown broker ID or firm ID gives NOT_FOUND", async () => {
    const op = t.operator();
    // No firm can have a broker ID with 0/O/1/I/L in it.
    const unknown = await expectApiError(op.request(SetCustomerAppEnabledDocument, { input: { brokerId: "OIL010", enabled: false } }), "NOT_FOUND");
    const unknownId = await expectApiError(
      op.request(SetCustomerAppEnabledDocument, { input: { tenantId: toGlobalId("Tenant", crypto.randomUUID()), enabled: false } }),
      "NOT_FOUND",
    );
    expect(unknownId.message).toBe(unknown.message);
    // A staff user's ID is no firm's ID.
    await expectApiError(op.request(SetCustomerAppEnabledDocument, { input: { tenantId: toGlobalId("StaffUser", firm.admin.id), enabled: false } }), "NOT_FOUND");
    expect((await tenantRow(firm.tenant.id)).customerAppEnabled).toBe(true);
  });
});

describe("broker profile (rule A3)", () => {
  let firm: Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
  const full: UpdateBrokerProfileInput = {
    name: "Versicherungsmakler Weber & Partner",
    phone: "+49 (030) 123 456-78",
    street: "Friedrichstraße 12a",
    postalCode: "10117",
    city: "Berlin",
  };
  beforeAll(async () => {
    firm = await f.buildFirm();
  });

  async function profile() {
    return (await firm.employeeClient.request(BrokerProfileDocument)).brokerProfile;
  }

  it("an admin saves every field in one mutation; an employee reads it back", async () => {
    const { updateBrokerProfile } = await firm.adminClient.request(UpdateBrokerProfileDocument, { input: full });
    expect(updateBrokerProfile.brokerProfile).toEqual({ ...full, brokerId: firm.tenant.brokerId, logoUrl: null });
    expect(await profile()).toEqual({ ...full, brokerId: firm.tenant.brokerId, logoUrl: null });
    expect((await firm.employeeClient.request(TenantDocument)).tenant.brokerProfile).toEqual({ ...full, brokerId: firm.tenant.brokerId, logoUrl: null });
  });

  it("trims surrounding spaces and clears fields given as empty strings to null", async () => {
    await firm.adminClient.request(UpdateBrokerProfileDocument, { input: full });
    const { updateBrokerProfile } = await firm.adminClient.request(UpdateBrokerProfileDocument, {
      input: { name: "  Weber Makler  ", phone: "", street: "   ", postalCode: "", city: " Potsdam " },
    });
    const expected = { name: "Weber Makler", phone: null, street: null, postalCode: null, city: "Potsdam", brokerId: firm.tenant.brokerId, logoUrl: null };
    expect(updateBrokerProfile.brokerProfile).toEqual(expected);
    expect(await profile()).toEqual(expected);
    const row = await tenantRow(firm.tenant.id);
    expect([row.profilePhone, row.profileStreet, row.profilePostalCode]).toEqual([null, null, null]);
  });

  it("an employee's update is FORBIDDEN and changes nothing", async () => {
    await firm.adminClient.request(UpdateBrokerProfileDocument, { input: full });
    const before = await tenantRow(firm.tenant.id);
    await expectApiError(firm.employeeClient.request(UpdateBrokerProfileDocument, { input: { ...full, name: "Übernommen" } }), "FORBIDDEN");
    await expectApiError(t.client().request(UpdateBrokerProfileDocument, { input: full }), "UNAUTHENTICATED");
    expect(await tenantRow(firm.tenant.id)).toEqual(before);
    expect(await profile()).toEqual({ ...full, brokerId: firm.tenant.brokerId, logoUrl: null });
  });

  const invalid: Array<[string, Partial<UpdateBrokerProfileInput>, string]> = [
    ["a four-digit postal code", { postalCode: "1234" }, "input.postalCode"],
    ["a postal code of letters", { postalCode: "abcde" }, "input.postalCode"],
    ["a six-digit postal code", { postalCode: "101170" }, "input.postalCode"],
    ["a postal code with spaces inside", { postalCode: "10 117" }, "input.postalCode"],
    ["a phone number of letters", { phone: "call me" }, "input.phone"],
    ["a phone number that is too short", { phone: "12" }, "input.phone"],
    ["a phone number that is too long", { phone: "0".repeat(41) }, "input.phone"],
    ["a name that is too long", { name: "N".repeat(121) }, "input.name"],
    ["a street that is too long", { street: "S".repeat(121) }, "input.street"],
    ["a city that is too long", { city: "C".repeat(81) }, "input.city"],
  ];
  it.each(invalid)("refuses %s with BAD_USER_INPUT naming the field, and keeps the profile", async (_, change, field) => {
    await firm.adminClient.request(UpdateBrokerProfileDocument, { input: full });
    const before = await tenantRow(firm.tenant.id);
    const err = await expectApiError(firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...full, ...change } }), "BAD_USER_INPUT");
    expect([...new Set(err.fields.map((p) => p.field))]).toEqual([field]);
    expect(err.message).toContain(field);
    expect(await tenantRow(firm.tenant.id)).toEqual(before);
  });

  it("reports every bad field at once", async () => {
    await firm.adminClient.request(UpdateBrokerProfileDocument, { input: full });
    const before = await tenantRow(firm.tenant.id);
    const err = await expectApiError(
      firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...full, name: "N".repeat(121), phone: "abc", postalCode: "1234" } }),
      "BAD_USER_INPUT",
    );
    expect(new Set(err.fields.map((p) => p.field))).toEqual(new Set(["input.name", "input.phone", "input.postalCode"]));
    expect(await tenantRow(firm.tenant.id)).toEqual(before);
  });

  it("an admin of another firm changes only their own firm's profile", async () => {
    await firm.adminClient.request(UpdateBrokerProfileDocument, { input: full });
    const other = await f.buildFirm();
    await other.adminClient.request(UpdateBrokerProfileDocument, { input: { ...full, name: "Andere Firma", city: "Hamburg" } });
    expect(await profile()).toEqual({ ...full, brokerId: firm.tenant.brokerId, logoUrl: null });
    expect((await other.employeeClient.request(BrokerProfileDocument)).brokerProfile).toMatchObject({ name: "Andere Firma", city: "Hamburg", brokerId: other.tenant.brokerId });
  });
});

describe("what the viewer may do, for the UI to hide what it may not (rules A3, B1, D5)", () => {
  it("tells admins yes and employees and app accounts no", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const app = await f.appClient(account);
    const expected = [
      [firm.adminClient, true],
      [firm.employeeClient, false],
      [app, false],
    ] as const;
    for (const [client, yes] of expected) {
      const { tenant } = await client.request(TenantDocument);
      expect(tenant).toMatchObject({ viewerCanEditBrokerProfile: yes, viewerCanManageStaff: yes, viewerCanManageAppAccounts: yes });
    }
  });
});

describe("the operator CLI (rules A1, A2)", () => {
  /** The CLI's environment: its own PGlite directory, and nothing of this process's database settings. */
  function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ["DATABASE_URL", "TEST_DATABASE_URL", "PORT", "NODE_ENV"]) delete env[name];
    return { ...env, LOG_LEVEL: "silent", SEED_DEMO: "false", ...extra };
  }
  const cli = (args: string[], env: NodeJS.ProcessEnv) => run("npx", ["tsx", "src/main.ts", ...args], { cwd: process.cwd(), env, timeout: 50_000 });

  it("`tenant create` prints a rule-A2 broker ID and an invitation; `tenant app --off` disables that firm's app", { timeout: 60_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-cli-"));
    try {
      const env = cliEnv({ DATA_DIR: dataDir });
      const created = await cli(["tenant", "create", "--name", "CLI Makler GmbH", "--admin-email", uniqueMail("cli"), "--admin-name", "CLI Admin"], env);
      const brokerId = /broker ID: (\S+)/.exec(created.stdout)?.[1];
      expect(brokerId, created.stdout).toMatch(BROKER_ID);
      expect(created.stdout).toContain("CLI Makler GmbH");
      expect(created.stdout).toMatch(/admin invitation: \S+\?token=\S+/);

      // Lower case, as an operator might type it.
      const off = await cli(["tenant", "app", "--broker-id", brokerId!.toLowerCase(), "--off"], env);
      expect(off.stdout).toContain(brokerId!);
      expect(off.stdout).toContain("disabled");

      const list = await cli(["tenant", "list"], env);
      expect(list.stdout).toContain(`${brokerId}  app off  CLI Makler GmbH`);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("a bad environment value makes `migrate` exit non-zero with a message naming the variable", { timeout: 60_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kundenapp-cli-"));
    try {
      const failed = await cli(["migrate"], cliEnv({ DATA_DIR: dataDir, PORT: "abc" })).then(
        () => null,
        (err: { code?: number; stderr?: string; stdout?: string }) => err,
      );
      expect(failed, "migrate should have failed").not.toBeNull();
      expect(failed!.code).not.toBe(0);
      expect(typeof failed!.code).toBe("number");
      expect(`${failed!.stderr}${failed!.stdout}`).toMatch(/\bPORT\b/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
