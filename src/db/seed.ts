import { eq } from "drizzle-orm";
import type { Services } from "../services.js";
import type { AppViewer, StaffViewer } from "../auth/viewer.js";
import { toGlobalId } from "../graphql/relay.js";
import type { CreateContractInput, CreateRiskInput } from "../modules/contract/contract.types.js";
import { ContractStatus, LineOfBusiness, PaymentInterval, RiskKind } from "../modules/contract/contract.enums.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import { staffUsers } from "../modules/staff/staff.table.js";
import { customers, customerResponsibleStaff } from "../modules/customer/customer.table.js";
import { appAccounts, appAccountAccess } from "../modules/account/account.table.js";
import { claimStatusChanges, claims } from "../modules/claim/claim.table.js";
import { ClaimStatus } from "../modules/claim/claim.enums.js";

/** The demo logins the start-up banner prints. Only ever seeded into a local demo database. */
export const DEMO = {
  brokerId: "K7Q2XM",
  firm: "Demo Maklerbüro GmbH",
  admin: { email: "admin@demo.example", password: "Demo-Admin-2026!", name: "Anna Admin" },
  employee: { email: "mitarbeiter@demo.example", password: "Demo-Team-2026!", name: "Max Mitarbeiter" },
  /** A customer's app login (rule D6: email + broker ID + password); sees Lena's documents and contracts too (household, rule D9). */
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
    return { tenantId, adminId: admin!.id, docs, jonasId: jonas!.id, lenaId: lena!.id, erikaId: erika!.id, accountId: account!.id };
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
  const contractIds = await seedContracts(services, seeded);
  await seedClaims(services, seeded, contractIds);
  await seedChats(services, seeded);
  return { created: true };
}

/**
 * Contracts of several lines (rules E0-E4), made through the contract service as the admin and as Jonas's app
 * would make them: the same checks, status history, events and notifications as through the API. Jonas: Hausrat
 * and Kfz (with its vehicle) in force, an open Privathaftpflicht offer with its PDF, a Zahnzusatz he added himself
 * (START) and a staff-only Rechtsschutz; Lena: Wohngebäude; Erika: a staff-only Wohngebäude.
 */
async function seedContracts(
  services: Services,
  ids: { tenantId: string; adminId: string; jonasId: string; lenaId: string; erikaId: string; accountId: string },
): Promise<{ hausrat: string; kfz: string }> {
  const contracts = services.contract;
  // No session anyone holds: the seed acts in the admin's and in the app account's name, as the API would.
  const admin: StaffViewer = { kind: "staff", sessionId: "demo-seed", tenantId: ids.tenantId, userId: ids.adminId, role: "ADMIN", permissions: new Set(["CHAT", "CLAIMS"]) };
  const jonasApp: AppViewer = {
    kind: "app",
    sessionId: "demo-seed",
    tenantId: ids.tenantId,
    accountId: ids.accountId,
    customerId: ids.jonasId,
    customerIds: new Set([ids.jonasId, ids.lenaId]),
  };
  const [jonas, lena, erika] = [ids.jonasId, ids.lenaId, ids.erikaId].map((id) => toGlobalId("Customer", id)) as [string, string, string];
  const insurers = new Map((await contracts.insurers(admin)).map((i) => [i.name, i.id]));
  const insurer = (name: string): string => {
    const id = insurers.get(name);
    if (!id) throw new Error(`demo seed: ${name} is not among the default insurers`);
    return id;
  };
  const risk = async (input: CreateRiskInput): Promise<string> => (await contracts.createRisk(admin, input)).risk.id;
  const create = async (viewer: StaffViewer | AppViewer, input: CreateContractInput): Promise<string> => (await contracts.create(viewer, input)).contract.id;
  /** Moves a contract one status at a time, so that its history shows each step. */
  const move = async (id: string, ...steps: ContractStatus[]): Promise<void> => {
    for (const status of steps) await contracts.update(admin, { id, status });
  };
  const car = await risk({ customerId: jonas, kind: RiskKind.VEHICLE, licensePlate: "B-JB 1986", description: "VW Golf VIII" });
  const lenasHouse = await risk({ customerId: lena, kind: RiskKind.BUILDING, street: "Lindenweg 4", postalCode: "10405", city: "Berlin" });
  const erikasHouse = await risk({ customerId: erika, kind: RiskKind.BUILDING, street: "Am Neuen Garten 7", postalCode: "14467", city: "Potsdam" });

  // Jonas: Hausrat, applied for, then policied.
  const hausrat = await create(admin, {
    customerId: jonas,
    insurerId: insurer("Allianz"),
    contractNumber: "HR-4471-2209",
    lineOfBusiness: LineOfBusiness.HAUSRAT,
    status: ContractStatus.ANTRAG,
    premiumCents: 11_880,
    paymentInterval: PaymentInterval.YEARLY,
    startDate: "2021-03-01",
    visibleToCustomer: true,
  });
  await move(hausrat, ContractStatus.AKTIV);
  // Kfz for his car: an offer once, applied for, in force; the admin is its own responsible staff.
  const kfz = await create(admin, {
    customerId: jonas,
    insurerId: insurer("HUK-COBURG"),
    contractNumber: "KFZ 58 112 903",
    lineOfBusiness: LineOfBusiness.KFZ,
    status: ContractStatus.ANGEBOT,
    premiumCents: 4_215,
    paymentInterval: PaymentInterval.MONTHLY,
    startDate: "2025-01-01",
    riskId: car,
    responsibleStaffIds: [toGlobalId("StaffUser", ids.adminId)],
    visibleToCustomer: true,
  });
  await move(kfz, ContractStatus.ANTRAG, ContractStatus.AKTIV);
  // An open offer with its PDF (rule E4): visible at once; the notes stay with staff.
  const offerPdf = await services.file.storeGenerated({
    tenantId: ids.tenantId,
    purpose: "DOCUMENT",
    fileName: "Angebot Privathaftpflicht.pdf",
    bytes: demoPdf("Angebot Privathaftpflicht"),
    createdByStaffId: ids.adminId,
  });
  await create(admin, {
    customerId: jonas,
    insurerId: insurer("Gothaer"),
    contractNumber: "PHV-2027-0815",
    lineOfBusiness: LineOfBusiness.PRIVATHAFTPFLICHT,
    status: ContractStatus.ANGEBOT,
    premiumCents: 5_990,
    paymentInterval: PaymentInterval.YEARLY,
    startDate: "2027-01-01",
    notes: "Tarif Komfort, 150 € Selbstbeteiligung; Familientarif möglich",
    documentFileId: toGlobalId("File", offerPdf.id),
  });
  // One Jonas added himself in the app (rule E2): START, visible, his responsible staff notified.
  await create(jonasApp, {
    customerId: jonas,
    insurerId: insurer("Barmenia"),
    contractNumber: "ZZ-3390127",
    lineOfBusiness: LineOfBusiness.KRANKENZUSATZ,
    premiumCents: 2_490,
    paymentInterval: PaymentInterval.MONTHLY,
  });
  // Staff only: taken over from another broker, not yet reviewed.
  await create(admin, {
    customerId: jonas,
    insurerId: insurer("ERGO"),
    contractNumber: "RS-77-104-552",
    lineOfBusiness: LineOfBusiness.RECHTSSCHUTZ,
    premiumCents: 2_150,
    paymentInterval: PaymentInterval.QUARTERLY,
    startDate: "2019-07-01",
    notes: "Bestandsübertragung, vor der Freigabe Deckung prüfen",
    visibleToCustomer: false,
  });
  // Lena: her house, in force and released.
  await create(admin, {
    customerId: lena,
    insurerId: insurer("Provinzial"),
    contractNumber: "WG-1020-3344",
    lineOfBusiness: LineOfBusiness.WOHNGEBAEUDE,
    premiumCents: 38_400,
    paymentInterval: PaymentInterval.YEARLY,
    startDate: "2018-10-01",
    riskId: lenasHouse,
    visibleToCustomer: true,
  });
  // Erika: staff only (she has no app login).
  await create(admin, {
    customerId: erika,
    insurerId: insurer("Provinzial"),
    contractNumber: "WG-0815-9921",
    lineOfBusiness: LineOfBusiness.WOHNGEBAEUDE,
    premiumCents: 52_800,
    paymentInterval: PaymentInterval.YEARLY,
    startDate: "2004-04-01",
    riskId: erikasHouse,
    visibleToCustomer: false,
  });
  return { hausrat, kfz };
}

/** A demo photo: a plain JPEG of a colour, with a darker band (what a phone would send, small). */
async function demoPhoto(r: number, g: number, b: number): Promise<Buffer> {
  const { default: sharp } = await import("sharp");
  const band = await sharp({ create: { width: 640, height: 120, channels: 3, background: { r: r / 2, g: g / 2, b: b / 2 } } }).png().toBuffer();
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r, g, b } } })
    .composite([{ input: band, top: 300, left: 0 }])
    .jpeg({ quality: 80 })
    .toBuffer();
}

/**
 * Claims (rules G1-G4), reported through the claim service as Jonas's app would: one just reported with two
 * photos (a water damage in the flat, under the Hausrat contract), and one settled with its timeline.
 */
async function seedClaims(services: Services, ids: { tenantId: string; adminId: string; jonasId: string; lenaId: string; accountId: string }, contractIds: { hausrat: string; kfz: string }): Promise<void> {
  const admin: StaffViewer = { kind: "staff", sessionId: "demo-seed", tenantId: ids.tenantId, userId: ids.adminId, role: "ADMIN", permissions: new Set(["CHAT", "CLAIMS"]) };
  const jonasApp: AppViewer = { kind: "app", sessionId: "demo-seed", tenantId: ids.tenantId, accountId: ids.accountId, customerId: ids.jonasId, customerIds: new Set([ids.jonasId, ids.lenaId]) };
  const photo = async (name: string, rgb: [number, number, number]) =>
    toGlobalId(
      "File",
      (await services.file.storeGenerated({ tenantId: ids.tenantId, purpose: "CLAIM_PHOTO", fileName: name, bytes: await demoPhoto(...rgb), createdByAccountId: ids.accountId })).id,
    );
  const now = services.deps.clock.now();
  const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000).toISOString().slice(0, 10);
  await services.claim.report(jonasApp, {
    idempotencyKey: "demo-seed-claim-1",
    customerId: toGlobalId("Customer", ids.jonasId),
    contractId: contractIds.hausrat,
    dateOfLoss: daysAgo(2),
    description: "Wasserschaden in der Küche: Die Spülmaschine ist ausgelaufen, Boden und Unterschrank sind nass.",
    photoFileIds: [await photo("kueche.jpg", [70, 110, 170]), await photo("unterschrank.jpg", [150, 120, 90])],
  });
  const settled = await services.claim.report(jonasApp, {
    idempotencyKey: "demo-seed-claim-2",
    customerId: toGlobalId("Customer", ids.jonasId),
    contractId: contractIds.kfz,
    dateOfLoss: daysAgo(60),
    description: "Parkschaden am Supermarkt: Beule in der Fahrertür, Verursacher unbekannt.",
    photoFileIds: [await photo("tuer.jpg", [180, 180, 190])],
  });
  for (const status of [ClaimStatus.IN_PROGRESS, ClaimStatus.WITH_INSURER, ClaimStatus.SETTLED]) {
    await services.claim.update(admin, {
      id: settled.claim.id,
      status,
      ...(status === ClaimStatus.WITH_INSURER ? { insurerClaimNumber: "K-2026-448812", amountClaimedCents: 124_000 } : {}),
      ...(status === ClaimStatus.SETTLED ? { amountPaidCents: 104_000, internalNotes: "Selbstbeteiligung 200 € abgezogen" } : {}),
    });
  }
  // Spread the settled claim's timeline over the weeks it took (the demo's only write that bypasses a service).
  const { db } = services.deps.database;
  const steps = await db.select().from(claimStatusChanges).where(eq(claimStatusChanges.claimId, settled.claim.dbId)).orderBy(claimStatusChanges.changedAt);
  const at = [58, 55, 50, 21];
  for (const [i, step] of steps.entries()) {
    await db.update(claimStatusChanges).set({ changedAt: new Date(now.getTime() - at[i]! * 86_400_000) }).where(eq(claimStatusChanges.id, step.id));
  }
  await db.update(claims).set({ reportedAt: new Date(now.getTime() - 58 * 86_400_000) }).where(eq(claims.id, settled.claim.dbId));
}

/**
 * Chats (rules F1-F9), written through the chat service as the app and the staff would: Jonas's open chat with
 * messages both ways (one carrying a photo), read by the office up to his first message; and an archived chat of
 * Lena's, with its transcript stored at her.
 */
async function seedChats(services: Services, ids: { tenantId: string; adminId: string; jonasId: string; lenaId: string; accountId: string }): Promise<void> {
  const [employee] = await services.deps.database.db.select().from(staffUsers).where(eq(staffUsers.email, DEMO.employee.email));
  const admin: StaffViewer = { kind: "staff", sessionId: "demo-seed", tenantId: ids.tenantId, userId: ids.adminId, role: "ADMIN", permissions: new Set(["CHAT", "CLAIMS"]) };
  const staff: StaffViewer = { kind: "staff", sessionId: "demo-seed", tenantId: ids.tenantId, userId: employee!.id, role: "EMPLOYEE", permissions: new Set(["CHAT"]) };
  const jonasApp: AppViewer = { kind: "app", sessionId: "demo-seed", tenantId: ids.tenantId, accountId: ids.accountId, customerId: ids.jonasId, customerIds: new Set([ids.jonasId, ids.lenaId]) };
  const jonas = toGlobalId("Customer", ids.jonasId);
  const lena = toGlobalId("Customer", ids.lenaId);
  let n = 0;
  const key = () => `demo-seed-message-${++n}`;
  const say = (viewer: StaffViewer | AppViewer, where: { chatId?: string; customerId?: string }, body: string, attachmentFileIds: string[] = []) =>
    services.chat.send(viewer, { clientMessageId: key(), ...where, body, attachmentFileIds });

  const first = await say(jonasApp, { customerId: jonas }, "Hallo, ich bin umgezogen: ab 1. Januar wohne ich in der Gartenstraße 12, 10115 Berlin. Muss ich das meiner Hausrat melden?");
  const chatId = first.chat.id;
  await say(staff, { chatId }, "Guten Tag Herr Berger, danke für die Info! Ja, wir melden den Umzug an die Allianz. Haben Sie schon einen Mietvertrag?");
  const photo = await services.file.storeGenerated({ tenantId: ids.tenantId, purpose: "DOCUMENT", fileName: "Mietvertrag Seite 1.jpg", bytes: await demoPhoto(235, 230, 215), createdByAccountId: ids.accountId });
  await say(jonasApp, { customerId: jonas }, "Ja, hier die erste Seite.", [toGlobalId("File", photo.id)]);
  await services.chat.markRead(staff, { chatId, upToMessageId: first.message.id });

  const lenaChat = await say(jonasApp, { customerId: lena }, "Hallo, hier ist Lena: Ist mein Fahrrad über die Hausratversicherung versichert?");
  await say(admin, { chatId: lenaChat.chat.id }, "Hallo Frau Berger, ja: Fahrräder sind bis 1.000 € mitversichert, auch unterwegs. Viele Grüße!");
  await say(jonasApp, { customerId: lena }, "Super, danke schön!");
  await services.chat.archive(admin, { chatId: lenaChat.chat.id });
}
