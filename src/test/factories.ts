import crypto from "node:crypto";
import { tenants, type TenantRow } from "../modules/tenant/tenant.table.js";
import { staffUsers, type StaffUserRow } from "../modules/staff/staff.table.js";
import { generateBrokerId } from "../modules/tenant/broker-id.js";
import { customers, type CustomerRow } from "../modules/customer/customer.table.js";
import { appAccounts, appAccountAccess, type AppAccountRow } from "../modules/account/account.table.js";
import { CreateUploadDocument, LoginDocument } from "../sdk/client.js";
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

  async function buildCustomer(overrides: Partial<typeof customers.$inferInsert> & { tenant?: TenantRow } = {}): Promise<CustomerRow & { tenant: TenantRow }> {
    const { tenant: given, ...rest } = overrides;
    const tenant = given ?? (await buildTenant());
    const [row] = await db()
      .insert(customers)
      .values({ tenantId: tenant.id, firstName: "Kim", lastName: `Kunde ${unique()}`, email: `kunde-${unique()}@example.test`, ...rest })
      .returning();
    return { ...row!, tenant };
  }

  /** An ACTIVE app account with a password, for a customer made if not given. */
  async function buildAppAccount(
    overrides: Partial<typeof appAccounts.$inferInsert> & { customer?: CustomerRow & { tenant: TenantRow }; tenant?: TenantRow; password?: string } = {},
  ): Promise<AppAccountRow & { password: string; customer: CustomerRow; tenant: TenantRow }> {
    const { customer: given, tenant, password = GOOD_PASSWORD, ...rest } = overrides;
    const customer = given ?? (await buildCustomer({ tenant }));
    const [row] = await db()
      .insert(appAccounts)
      .values({
        tenantId: customer.tenantId,
        customerId: customer.id,
        email: customer.email ?? `app-${unique()}@example.test`,
        passwordHash: await t.app.deps.hasher.hash(password),
        status: "ACTIVE",
        activatedAt: new Date(),
        ...rest,
      })
      .returning();
    return { ...row!, password, customer, tenant: customer.tenant };
  }

  /** Household access (rule D9) straight in the database. */
  async function grantAccess(account: { id: string; tenantId: string }, customer: { id: string }): Promise<void> {
    await db().insert(appAccountAccess).values({ tenantId: account.tenantId, appAccountId: account.id, customerId: customer.id });
  }

  /** Logs an app account in through the API (email + broker ID + password). */
  async function appClient(account: { email: string; password: string; tenant: TenantRow }): Promise<KundenappClient> {
    const anon = t.client();
    const { login } = await anon.request(LoginDocument, { input: { email: account.email, password: account.password, brokerId: account.tenant.brokerId } });
    anon.setToken(login.token);
    return anon;
  }

  /** A customer of the firm with an ACTIVE app account (logged in), and a second customer granted to it (rule D9). */
  async function buildHousehold(tenant: TenantRow) {
    const own = await buildCustomer({ tenant, firstName: "Kim", lastName: `Eigen ${unique()}` });
    const granted = await buildCustomer({ tenant, firstName: "Haus", lastName: `Halt ${unique()}` });
    const account = await buildAppAccount({ customer: own });
    await grantAccess(account, granted);
    return { own, granted, account, app: await appClient(account) };
  }

  return { buildTenant, buildStaff, staffClient, buildFirm, buildCustomer, buildAppAccount, grantAccess, appClient, buildHousehold };
}

/** The whole upload dance: createUpload, PUT the bytes; returns the file ID to attach and the PUT's response. */
export async function upload(
  client: KundenappClient,
  args: { purpose: "LOGO" | "DOCUMENT" | "CLAIM_PHOTO"; bytes: Buffer; contentType: string; fileName?: string; declaredSize?: number },
): Promise<{ fileId: string; status: number; body: unknown }> {
  const { createUpload } = await client.request(CreateUploadDocument, {
    input: { purpose: args.purpose, contentType: args.contentType, size: args.declaredSize ?? args.bytes.length, fileName: args.fileName ?? "datei.bin" },
  });
  const res = await fetch(createUpload.uploadUrl, { method: "PUT", body: args.bytes, headers: { "content-type": args.contentType } });
  return { fileId: createUpload.fileId, status: res.status, body: await res.json() };
}
