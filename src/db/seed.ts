import { eq } from "drizzle-orm";
import type { Services } from "../services.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import { staffUsers } from "../modules/staff/staff.table.js";
import { customers, customerResponsibleStaff } from "../modules/customer/customer.table.js";
import { appAccounts, appAccountAccess } from "../modules/account/account.table.js";

/** The demo logins the start-up banner prints. Only ever seeded into a local demo database. */
export const DEMO = {
  brokerId: "K7Q2XM",
  firm: "Demo Maklerbüro GmbH",
  admin: { email: "admin@demo.example", password: "Demo-Admin-2026!", name: "Anna Admin" },
  employee: { email: "mitarbeiter@demo.example", password: "Demo-Team-2026!", name: "Max Mitarbeiter" },
  /** A customer's app login (rule D6: email + broker ID + password); sees Lena's documents too (household, rule D9). */
  app: { email: "jonas.berger@demo.example", password: "Demo-Kunde-2026!" },
} as const;

/** A tiny but valid PDF with one line of text, so demo downloads open in any viewer. */
function demoPdf(title: string): Buffer {
  const text = title.replace(/[()\\]/g, "");
  const stream = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    "<</Type/Catalog/Pages 2 0 R>>",
    "<</Type/Pages/Kids[3 0 R]/Count 1>>",
    "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>",
    `<</Length ${stream.length}>>stream\n${stream}\nendstream`,
    "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  body += `trailer<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/** Seeds the demo firm once; running it again changes nothing. */
export async function seedDemo(services: Services): Promise<{ created: boolean }> {
  const { db } = services.deps.database;
  const [existing] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.brokerId, DEMO.brokerId));
  if (existing) return { created: false };
  const hasher = services.deps.hasher;
  const [adminHash, employeeHash, appHash] = await Promise.all([
    hasher.hash(DEMO.admin.password),
    hasher.hash(DEMO.employee.password),
    hasher.hash(DEMO.app.password),
  ]);
  const seeded = await db.transaction(async (tx) => {
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
    const tenantId = tenant!.id;
    const [admin, employee] = await tx
      .insert(staffUsers)
      .values([
        { tenantId, email: DEMO.admin.email, name: DEMO.admin.name, role: "ADMIN", permissions: ["CHAT", "CLAIMS"], status: "ACTIVE", passwordHash: adminHash },
        { tenantId, email: DEMO.employee.email, name: DEMO.employee.name, role: "EMPLOYEE", permissions: ["CHAT"], status: "ACTIVE", passwordHash: employeeHash },
      ])
      .returning();
    const [jonas, lena, erika] = await tx
      .insert(customers)
      .values([
        { tenantId, firstName: "Jonas", lastName: "Berger", birthDate: "1986-04-12", email: DEMO.app.email, phone: "+49 170 5551234", street: "Lindenweg 4", postalCode: "10405", city: "Berlin" },
        { tenantId, firstName: "Lena", lastName: "Berger", birthDate: "1988-09-30", email: null, street: "Lindenweg 4", postalCode: "10405", city: "Berlin" },
        { tenantId, firstName: "Erika", lastName: "Schulz", birthDate: "1961-01-05", email: "erika.schulz@demo.example", city: "Potsdam", postalCode: "14467" },
      ])
      .returning();
    await tx.insert(customerResponsibleStaff).values([
      { tenantId, customerId: jonas!.id, staffUserId: employee!.id, position: 0 },
      { tenantId, customerId: jonas!.id, staffUserId: admin!.id, position: 1 },
      { tenantId, customerId: lena!.id, staffUserId: employee!.id, position: 0 },
      { tenantId, customerId: erika!.id, staffUserId: admin!.id, position: 0 },
    ]);
    const [account] = await tx
      .insert(appAccounts)
      .values({ tenantId, customerId: jonas!.id, email: DEMO.app.email, passwordHash: appHash, status: "ACTIVE", salutation: "DU", invitedAt: new Date(), activatedAt: new Date() })
      .returning();
    await tx.insert(appAccountAccess).values({ tenantId, appAccountId: account!.id, customerId: lena!.id, grantedBy: admin!.id });

    const docs: Array<{ customerId: string; key: string; title: string; visible: boolean }> = [
      { customerId: jonas!.id, key: "POLICY", title: "Police Hausrat 2026", visible: true },
      { customerId: jonas!.id, key: "INVOICE", title: "Beitragsrechnung Kfz", visible: true },
      { customerId: jonas!.id, key: "CONSULTATION_RECORD", title: "Beratungsprotokoll (intern)", visible: false },
      { customerId: lena!.id, key: "POLICY", title: "Police Privathaftpflicht", visible: true },
      { customerId: erika!.id, key: "POLICY", title: "Police Wohngebäude", visible: false },
    ];
    return { tenantId, adminId: admin!.id, docs };
  });
  // Documents the way every module files them: the bytes stored like an upload, then one transaction each.
  for (const d of seeded.docs) {
    const file = await services.file.storeGenerated({
      tenantId: seeded.tenantId,
      purpose: "DOCUMENT",
      fileName: `${d.title}.pdf`,
      bytes: demoPdf(d.title),
      createdByStaffId: seeded.adminId,
    });
    await services.events.transact(async (tx) =>
      services.document.createDocument(tx, {
        tenantId: seeded.tenantId,
        customerId: d.customerId,
        category: { key: d.key },
        title: d.title,
        file: await services.file.attachGenerated(tx, file),
        visibleToCustomer: d.visible,
        uploadedBy: { staffUserId: seeded.adminId },
      }),
    );
  }
  return { created: true };
}
