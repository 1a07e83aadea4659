import { eq } from "drizzle-orm";
import type { Services } from "../services.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import { staffUsers } from "../modules/staff/staff.table.js";

/** The demo logins the start-up banner prints. Only ever seeded into a local demo database. */
export const DEMO = {
  brokerId: "K7Q2XM",
  firm: "Demo Maklerbüro GmbH",
  admin: { email: "admin@demo.example", password: "Demo-Admin-2026!", name: "Anna Admin" },
  employee: { email: "mitarbeiter@demo.example", password: "Demo-Team-2026!", name: "Max Mitarbeiter" },
} as const;

/** Seeds the demo firm once; running it again changes nothing. */
export async function seedDemo(services: Services): Promise<{ created: boolean }> {
  const { db } = services.deps.database;
  const [existing] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.brokerId, DEMO.brokerId));
  if (existing) return { created: false };
  const hasher = services.deps.hasher;
  const [adminHash, employeeHash] = await Promise.all([hasher.hash(DEMO.admin.password), hasher.hash(DEMO.employee.password)]);
  await db.transaction(async (tx) => {
    const [tenant] = await tx
      .insert(tenants)
      .values({
        name: DEMO.firm,
        brokerId: DEMO.brokerId,
        customerAppEnabled: true,
        profileName: DEMO.firm,
        profilePhone: "+49 30 1234567",
        profileStreet: "Musterstraße 1",
        profilePostalCode: "10115",
        profileCity: "Berlin",
      })
      .returning();
    await tx.insert(staffUsers).values([
      { tenantId: tenant!.id, ...pick(DEMO.admin), role: "ADMIN", permissions: ["CHAT", "CLAIMS"], status: "ACTIVE", passwordHash: adminHash },
      { tenantId: tenant!.id, ...pick(DEMO.employee), role: "EMPLOYEE", permissions: ["CHAT"], status: "ACTIVE", passwordHash: employeeHash },
    ]);
  });
  return { created: true };
}

function pick(u: { email: string; name: string }) {
  return { email: u.email, name: u.name };
}
