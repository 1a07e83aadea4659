import crypto from "node:crypto";
import { tenants, type TenantRow } from "../modules/tenant/tenant.table.js";
import { staffUsers, type StaffUserRow } from "../modules/staff/staff.table.js";
import { generateBrokerId } from "../modules/tenant/broker-id.js";
import { LoginDocument } from "../sdk/client.js";
import type { KundenappClient } from "../sdk/client.js";
import type { TestServer } from "./harness.js";

/** A password that satisfies rule D4. */
export const GOOD_PASSWORD = "Sicher-Passwort-42";

const unique = () => crypto.randomBytes(5).toString("hex");

/** Factories in Outline's style: each creates the parents it is not given, so every test has its own firm. */
export function factories(t: TestServer) {
  const db = () => t.app.deps.database.db;

  async function buildTenant(overrides: Partial<typeof tenants.$inferInsert> = {}): Promise<TenantRow> {
    const [row] = await db()
      .insert(tenants)
      .values({ name: `Makler ${unique()}`, brokerId: generateBrokerId(), customerAppEnabled: true, ...overrides })
      .returning();
    return row!;
  }

  async function buildStaff(
    overrides: Partial<typeof staffUsers.$inferInsert> & { tenant?: TenantRow; password?: string } = {},
  ): Promise<StaffUserRow & { password: string; tenant: TenantRow }> {
    const { tenant: given, password = GOOD_PASSWORD, ...rest } = overrides;
    const tenant = given ?? (await buildTenant());
    const [row] = await db()
      .insert(staffUsers)
      .values({
        tenantId: tenant.id,
        email: `staff-${unique()}@example.test`,
        name: `Staff ${unique()}`,
        role: "EMPLOYEE",
        permissions: [],
        status: "ACTIVE",
        passwordHash: await t.app.deps.hasher.hash(password),
        ...rest,
      })
      .returning();
    return { ...row!, password, tenant };
  }

  /** Logs a staff user in through the API and returns a client holding the token. */
  async function staffClient(staff: { email: string; password: string }): Promise<KundenappClient> {
    const anon = t.client();
    const { login } = await anon.request(LoginDocument, { input: { email: staff.email, password: staff.password } });
    anon.setToken(login.token);
    return anon;
  }

  /** A firm with an admin and an employee, each logged in. */
  async function buildFirm() {
    const tenant = await buildTenant();
    const admin = await buildStaff({ tenant, role: "ADMIN", permissions: ["CHAT", "CLAIMS"] });
    const employee = await buildStaff({ tenant, role: "EMPLOYEE", permissions: ["CHAT"] });
    return { tenant, admin, employee, adminClient: await staffClient(admin), employeeClient: await staffClient(employee) };
  }

  return { buildTenant, buildStaff, staffClient, buildFirm };
}
