/**
 * Contracts and offers (rules E0–E5, the contract half of C3 and C5, D1's release) through the SDK against the
 * real test server: what the app lists and counts, what a contract added in the app brings with it and whom it
 * notifies, the status history, offers pushed live and answered, and what a contract made invisible hides.
 *
 * Every describe builds its own firm, so counts (notifications, overview figures, events) are the test's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { parse } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { allPages } from "../../test/pages.js";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories, upload } from "../../test/factories.js";
import { JPEG, PDF, PNG } from "../../test/fixtures.js";
import { eventOf, nextWithin, nothingWithin } from "../../test/realtime.js";
import {
  AcceptOfferDocument,
  ContractChangedDocument,
  ContractDocument,
  ContractsDocument,
  CreateContractDocument,
  CreateInsurerDocument,
  CreateRiskDocument,
  CustomerContractsDocument,
  DocumentCategoriesDocument,
  DocumentDownloadDocument,
  DocumentsDocument,
  InsurersDocument,
  InviteCustomersDocument,
  NodeDocument,
  NotificationsDocument,
  OverviewDocument,
  SetResponsibleStaffDocument,
  UpdateBrokerProfileDocument,
  UpdateContractDocument,
  UploadDocumentDocument,
  type ContractChangedSubscription,
  type ContractsQueryVariables,
  type CreateContractInput,
  type KundenappClient,
} from "../../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../../graphql/relay.js";
import { notifications } from "../notification/notification.table.js";
import { chats } from "../chat/chat.table.js";
import { documents } from "../document/document.table.js";
import { contractStatusChanges, contracts } from "./contract.table.js";
import { DEFAULT_INSURERS } from "./insurers.js";
import { TRANSITIONS } from "./contract.service.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t.close());

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
type Customer = Awaited<ReturnType<ReturnType<typeof factories>["buildCustomer"]>>;
type Account = Awaited<ReturnType<ReturnType<typeof factories>["buildAppAccount"]>>;

const db = () => t.app.deps.database.db;
const gid = (type: string, id: string) => toGlobalId(type, id);
const dbId = (globalId: string) => fromGlobalId(globalId)!.id;
const unique = () => crypto.randomBytes(4).toString("hex");
const customerId = (c: { id: string }) => gid("Customer", c.id);
const staffId = (s: { id: string }) => gid("StaffUser", s.id);
const contractRow = async (id: string) => (await db().select().from(contracts).where(eq(contracts.id, dbId(id))))[0]!;
const historyRows = (id: string) =>
  db().select().from(contractStatusChanges).where(eq(contractStatusChanges.contractId, dbId(id))).orderBy(asc(contractStatusChanges.changedAt), asc(contractStatusChanges.id));
const notificationsOf = (tenantId: string) => db().select().from(notifications).where(eq(notifications.tenantId, tenantId));

/** The firm's insurers by name, as a client reads them (cached per client: the list is the firm's). */
const insurerCache = new WeakMap<KundenappClient, Record<string, string>>();
async function insurerIds(client: KundenappClient): Promise<Record<string, string>> {
  const cached = insurerCache.get(client);
  if (cached) return cached;
  const { insurers } = await client.request(InsurersDocument, {});
  const byName = Object.fromEntries(insurers.map((i) => [i.name, i.id]));
  insurerCache.set(client, byName);
  return byName;
}

type NewContract = Partial<Omit<CreateContractInput, "customerId">>;

/** createContract as a client does it; Allianz and a fresh contract number unless given. */
async function addContract(client: KundenappClient, customer: { id: string }, input: NewContract = {}) {
  const insurerId = input.insurerId ?? (await insurerIds(client)).Allianz!;
  const { createContract } = await client.request(CreateContractDocument, {
    input: { contractNumber: `V-${unique()}`, ...input, insurerId, customerId: customerId(customer) },
  });
  return createContract.contract;
}

/** The firm's document categories by key. */
async function categoryIds(staff: KundenappClient): Promise<Record<string, string>> {
  const { documentCategories } = await staff.request(DocumentCategoriesDocument, {});
  return Object.fromEntries(documentCategories.filter((c) => c.key).map((c) => [c.key!, c.id]));
}

/** createUpload + PUT + uploadDocument; returns the document. */
async function uploadTo(
  client: KundenappClient,
  input: { customerId: string; contractId?: string; categoryId?: string; visibleToCustomer?: boolean },
  file: { bytes: Buffer; contentType: string; fileName: string } = { bytes: PDF, contentType: "application/pdf", fileName: "police.pdf" },
) {
  const put = await upload(client, { purpose: "DOCUMENT", ...file });
  expect(put.status).toBe(200);
  const { uploadDocument } = await client.request(UploadDocumentDocument, { input: { ...input, fileId: put.fileId } });
  return uploadDocument.document;
}

/** Every contract a client lists, page by page (`first` each), with the pages' sizes. */
function listAll(client: KundenappClient, vars: Omit<ContractsQueryVariables, "first" | "after"> = {}, first = 100) {
  return allPages(async (after) => (await client.request(ContractsDocument, { ...vars, first, after })).contracts);
}

async function download(url: string) {
  const res = await fetch(url);
  return { status: res.status, contentType: res.headers.get("content-type"), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** How many notifications of `kind` about `subjectId` each staff user sees in their own list. */
async function noticesAbout(staff: Record<string, KundenappClient>, kind: string, subjectId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [who, client] of Object.entries(staff)) {
    const { notifications: list } = await client.request(NotificationsDocument, { first: 100 });
    out[who] = list.edges.filter((e) => e.node.kind === kind && e.node.subjectId === subjectId).length;
  }
  return out;
}

/** The staff user ids that got a notification of `kind` about the object, from the table. */
async function notifiedIds(kind: "CONTRACT_CREATED" | "OFFER_RESPONSE" | "DOCUMENT_UPLOADED", subjectId: string): Promise<string[]> {
  const rows = await db()
    .select()
    .from(notifications)
    .where(and(eq(notifications.subjectId, dbId(subjectId)), eq(notifications.kind, kind)));
  return rows.map((r) => r.staffUserId).sort();
}

function setResponsible(firm: Firm, customer: { id: string }, staff: Array<{ id: string }>) {
  return firm.adminClient.request(SetResponsibleStaffDocument, { input: { customerId: customerId(customer), staffUserIds: staff.map(staffId) } });
}

/** The customer's open chat (global ID), as staff find it: where an offer's answer lands (rule E5). */
async function chatOf(customer: { id: string }): Promise<string> {
  const rows = await db().select({ id: chats.id }).from(chats).where(and(eq(chats.customerId, customer.id), eq(chats.status, "OPEN")));
  expect(rows).toHaveLength(1);
  return gid("Chat", rows[0]!.id);
}


const changed = (r: IteratorResult<ContractChangedSubscription>) => eventOf(r, "contractChanged");

/** A customer with an ACTIVE app account (logged in), and a second customer granted to it (rule D9). */
const household = (firm: Firm) => f.buildHousehold(firm.tenant);

describe("E0: insurers and risks", () => {
  let firm: Firm;
  beforeAll(async () => {
    firm = await f.buildFirm();
  });

  it("E0: a firm starts with the common German insurers, sorted by name; staff and the app read them", async () => {
    const { insurers: staffList } = await firm.employeeClient.request(InsurersDocument, {});
    const names = staffList.map((i) => i.name);
    expect(new Set(names)).toEqual(new Set(DEFAULT_INSURERS));
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(names).toEqual(expect.arrayContaining(["Allianz", "AXA", "HUK-COBURG", "R+V", "Debeka"]));
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const { insurers: appList } = await (await f.appClient(account)).request(InsurersDocument, {});
    expect(appList).toEqual(staffList);
  });

  it("E0: admins add an insurer (CONFLICT for a duplicate name ignoring case); employees and the app get FORBIDDEN", async () => {
    const { createInsurer } = await firm.adminClient.request(CreateInsurerDocument, { input: { name: "  Nordsee Versicherung AG " } });
    expect(createInsurer.insurer.name).toBe("Nordsee Versicherung AG");
    const { insurers } = await firm.employeeClient.request(InsurersDocument, {});
    expect(insurers).toContainEqual(createInsurer.insurer);
    expect(insurers).toHaveLength(DEFAULT_INSURERS.length + 1);

    for (const name of ["nordsee versicherung ag", "NORDSEE VERSICHERUNG AG", "allianz"]) {
      const err = await expectApiError(firm.adminClient.request(CreateInsurerDocument, { input: { name } }), "CONFLICT");
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.name", rule: "UNIQUE" })]);
    }
    await expectApiError(firm.employeeClient.request(CreateInsurerDocument, { input: { name: "Von der Angestellten" } }), "FORBIDDEN");
    const app = await f.appClient(await f.buildAppAccount({ tenant: firm.tenant }));
    await expectApiError(app.request(CreateInsurerDocument, { input: { name: "Aus der App" } }), "FORBIDDEN");
    expect((await firm.employeeClient.request(InsurersDocument, {})).insurers).toHaveLength(DEFAULT_INSURERS.length + 1);

    // The new insurer is the firm's only: another firm may add the same name, and cannot use this one.
    const other = await f.buildFirm();
    expect((await other.adminClient.request(InsurersDocument, {})).insurers.map((i) => i.id)).not.toContain(createInsurer.insurer.id);
    await other.adminClient.request(CreateInsurerDocument, { input: { name: "Nordsee Versicherung AG" } });
    const stranger = await f.buildCustomer({ tenant: other.tenant });
    await expectApiError(addContract(other.adminClient, stranger, { insurerId: createInsurer.insurer.id }), "NOT_FOUND");
    // Within the firm, a contract may name it.
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const contract = await addContract(firm.employeeClient, customer, { insurerId: createInsurer.insurer.id });
    expect(contract.insurer).toEqual(createInsurer.insurer);
  });

  it("E0: staff add a risk of a customer and link it to a contract; the customer's contracts share it, the app reads it", async () => {
    const { own, app } = await household(firm);
    const { createRisk } = await firm.employeeClient.request(CreateRiskDocument, {
      input: { customerId: customerId(own), kind: "VEHICLE", licensePlate: " b-mk 1234 ", description: "VW Golf" },
    });
    expect(createRisk.risk).toMatchObject({ kind: "VEHICLE", label: "B-MK 1234", licensePlate: "B-MK 1234", description: "VW Golf" });
    const { createRisk: home } = await firm.employeeClient.request(CreateRiskDocument, {
      input: { customerId: customerId(own), kind: "BUILDING", street: "Lindenweg 4", postalCode: "10405", city: "Berlin" },
    });
    expect(home.risk.label).toBe("Lindenweg 4, 10405 Berlin");

    // At creation, and later by an update.
    const kfz = await addContract(firm.employeeClient, own, { lineOfBusiness: "KFZ", riskId: createRisk.risk.id, visibleToCustomer: true });
    expect(kfz.risk).toEqual({ id: createRisk.risk.id, kind: "VEHICLE", label: "B-MK 1234" });
    const hausrat = await addContract(firm.employeeClient, own, { lineOfBusiness: "HAUSRAT", visibleToCustomer: true });
    expect(hausrat.risk).toBeNull();
    const { updateContract } = await firm.employeeClient.request(UpdateContractDocument, { input: { id: hausrat.id, riskId: home.risk.id } });
    expect(updateContract.contract.risk).toEqual({ id: home.risk.id, kind: "BUILDING", label: "Lindenweg 4, 10405 Berlin" });
    expect((await contractRow(hausrat.id)).riskId).toBe(dbId(home.risk.id));
    const { createRisk: second } = await firm.employeeClient.request(CreateRiskDocument, { input: { customerId: customerId(own), kind: "PERSON", personName: "Lena Berger" } });
    const shared = await addContract(firm.employeeClient, own, { riskId: createRisk.risk.id, visibleToCustomer: true });
    expect(shared.risk?.id).toBe(createRisk.risk.id);

    // The app sees the risks on its contracts and on the customer.
    const { customer } = await app.request(CustomerContractsDocument, { id: customerId(own) });
    expect(customer.risks.map((r) => r.id)).toEqual([createRisk.risk.id, home.risk.id, second.risk.id]);
    expect(Object.fromEntries(customer.contracts.map((c) => [c.id, c.risk?.id ?? null]))).toEqual({
      [kfz.id]: createRisk.risk.id,
      [hausrat.id]: home.risk.id,
      [shared.id]: createRisk.risk.id,
    });
    // A risk is a customer's own: another customer's contract cannot name it, and the app cannot add one.
    const neighbour = await f.buildCustomer({ tenant: firm.tenant });
    const err = await expectApiError(addContract(firm.employeeClient, neighbour, { riskId: createRisk.risk.id }), "BAD_USER_INPUT");
    expect(err.fields).toEqual([expect.objectContaining({ field: "input.riskId", rule: "SAME_CUSTOMER" })]);
    await expectApiError(app.request(CreateRiskDocument, { input: { customerId: customerId(own), kind: "OTHER", description: "Fahrrad" } }), "FORBIDDEN");
  });
});

describe("E1: the app's contract list and overview", () => {
  let firm: Firm;
  let own: Customer;
  let granted: Customer;
  let app: KundenappClient;
  beforeAll(async () => {
    firm = await f.buildFirm();
    ({ own, granted, app } = await household(firm));
  });

  it("E1/C3: offers first, then the rest newest first; only visible contracts of the customers the account may access", async () => {
    const neighbour = await f.buildCustomer({ tenant: firm.tenant });
    const other = await f.buildFirm();
    const stranger = await f.buildCustomer({ tenant: other.tenant });
    const staff = firm.employeeClient;
    // Interleaved on purpose: creation order is neither the offers-first order nor grouped by customer.
    const ownOld = await addContract(staff, own, { status: "AKTIV", visibleToCustomer: true });
    const ownOffer = await addContract(staff, own, { status: "ANGEBOT" });
    const grantedActive = await addContract(staff, granted, { status: "AKTIV", visibleToCustomer: true });
    const hidden = await addContract(staff, own, { status: "AKTIV" }); // staff-only: never released
    const ownCancelled = await addContract(staff, own, { status: "GEKUENDIGT", visibleToCustomer: true });
    const neighbourOffer = await addContract(staff, neighbour, { status: "ANGEBOT" });
    const neighbourActive = await addContract(staff, neighbour, { status: "AKTIV", visibleToCustomer: true });
    const fromApp = await addContract(app, own, {});
    const grantedOffer = await addContract(staff, granted, { status: "ANGEBOT" });
    const ownNewest = await addContract(staff, own, { status: "ANTRAG", visibleToCustomer: true });
    const foreign = await addContract(other.adminClient, stranger, { status: "ANGEBOT" });

    const expected = [grantedOffer.id, ownOffer.id, ownNewest.id, fromApp.id, ownCancelled.id, grantedActive.id, ownOld.id];
    const all = await listAll(app);
    expect(all.ids).toEqual(expected);
    expect(all.totalCount).toBe(7);
    for (const id of [hidden.id, neighbourOffer.id, neighbourActive.id, foreign.id]) expect(all.ids).not.toContain(id);

    // Paging with cursors keeps the order, across the border between offers and the rest.
    for (const size of [1, 2, 3]) {
      const paged = await listAll(app, {}, size);
      expect(paged.ids).toEqual(expected);
      expect(paged.pages.slice(0, -1).every((n) => n === size)).toBe(true);
    }
    // OFFERS_FIRST is the app's default, and named explicitly gives the same.
    expect((await listAll(app, { orderBy: "OFFERS_FIRST" })).ids).toEqual(expected);
    // Per customer, and Customer.contracts in the same order.
    expect((await listAll(app, { customerId: customerId(granted) })).ids).toEqual([grantedOffer.id, grantedActive.id]);
    const ownExpected = [ownOffer.id, ownNewest.id, fromApp.id, ownCancelled.id, ownOld.id];
    expect((await listAll(app, { customerId: customerId(own) }, 2)).ids).toEqual(ownExpected);
    expect((await app.request(CustomerContractsDocument, { id: customerId(own) })).customer.contracts.map((c) => c.id)).toEqual(ownExpected);
    // Only offers, as the overview's figure leads to.
    expect((await listAll(app, { status: ["ANGEBOT"] })).ids).toEqual([grantedOffer.id, ownOffer.id]);
    // A customer the account may not access is NOT_FOUND, in this firm or another.
    await expectApiError(app.request(ContractsDocument, { customerId: customerId(neighbour) }), "NOT_FOUND");
    await expectApiError(app.request(ContractsDocument, { customerId: customerId(stranger) }), "NOT_FOUND");

    // Staff see all of the firm's, newest first by default, and nothing of the other firm.
    const staffList = await listAll(staff, {}, 4);
    expect(staffList.ids).toEqual([ownNewest, grantedOffer, fromApp, neighbourActive, neighbourOffer, ownCancelled, hidden, grantedActive, ownOffer, ownOld].map((c) => c.id));
    expect((await listAll(other.adminClient)).ids).toEqual([foreign.id]);
  });

  it("E1: the overview counts contracts and open offers and totals the monthly premium (yearly cents summed, ÷12, half up once)", async () => {
    const oFirm = await f.buildFirm();
    await oFirm.adminClient.request(UpdateBrokerProfileDocument, {
      input: { name: "Makler Nord GmbH", phone: "040 1234567", street: "Am Hafen 3", postalCode: "20457", city: "Hamburg" },
    });
    const h = await household(oFirm);
    const neighbour = await f.buildCustomer({ tenant: oFirm.tenant });
    const staff = oFirm.employeeClient;
    const active = (customer: Customer, paymentInterval: CreateContractInput["paymentInterval"], premiumCents: number | null, extra: NewContract = {}) =>
      addContract(staff, customer, { status: "AKTIV", visibleToCustomer: true, paymentInterval, premiumCents, ...extra });

    // Counted in the total: AKTIV, visible, recurring. Per year, in cents:
    const counted = [
      await active(h.own, "MONTHLY", 1999), //       1999 × 12 = 23988
      await active(h.own, "QUARTERLY", 10001), //   10001 × 4 = 40004
      await active(h.own, "HALF_YEARLY", 33333), // 33333 × 2 = 66666
      await active(h.own, "HALF_YEARLY", 3), //         3 × 2 = 6
      await active(h.own, "YEARLY", 12346), //     12346 × 1 = 12346
      await active(h.granted, "MONTHLY", 101), //    101 × 12 = 1212 (a granted customer's)
    ];
    // 23988 + 40004 + 66666 + 6 + 12346 + 1212 = 144222 cents a year; ÷ 12 = 12018.5, half up: 12019.
    const expectedTotal = 12019;
    // Rounding once differs from summing the rounded monthly premiums (1999 + 3334 + 5556 + 1 + 1029 + 101 = 12020),
    // and from rounding half to even or truncating (12018).
    expect(counted.map((c) => c.monthlyPremium?.cents)).toEqual([1999, 3334, 5556, 1, 1029, 101]);
    expect(counted.reduce((sum, c) => sum + c.monthlyPremium!.cents, 0)).toBe(12020);

    // Contracts, but not in the total: single and paid-up premiums, unknown premium, dormant, added in the app.
    const notInTotal = [
      await active(h.own, "SINGLE", 500000),
      await active(h.own, "PAID_UP", 2500),
      await active(h.own, "MONTHLY", null),
      await addContract(staff, h.own, { status: "RUHEND", visibleToCustomer: true, paymentInterval: "MONTHLY", premiumCents: 5000 }),
      await addContract(h.app, h.own, { paymentInterval: "MONTHLY", premiumCents: 999 }),
    ];
    expect(notInTotal.every((c) => c.status !== "ANGEBOT")).toBe(true);
    // Offers: counted as open offers, neither as contracts nor in the total.
    const offer = await addContract(staff, h.own, { status: "ANGEBOT", paymentInterval: "MONTHLY", premiumCents: 2000 });
    const offerToAccept = await addContract(staff, h.granted, { status: "ANGEBOT", paymentInterval: "YEARLY", premiumCents: 120000 });
    // Nothing of these counts: a staff-only contract and offer-to-be, a neighbour's contract and offer, another firm's.
    await active(h.own, "MONTHLY", 7000, { visibleToCustomer: false });
    await active(neighbour, "MONTHLY", 4444);
    await addContract(staff, neighbour, { status: "ANGEBOT" });
    const foreign = await f.buildFirm();
    await addContract(foreign.adminClient, await f.buildCustomer({ tenant: foreign.tenant }), { status: "AKTIV", visibleToCustomer: true, paymentInterval: "MONTHLY", premiumCents: 100 });

    const { overview } = await h.app.request(OverviewDocument, {});
    expect(overview).toEqual({
      brokerProfile: { name: "Makler Nord GmbH", phone: "040 1234567", city: "Hamburg" },
      contractCount: counted.length + notInTotal.length,
      openOfferCount: 2,
      monthlyPremiumTotal: { cents: expectedTotal, formatted: expect.stringMatching(/^120,19\s€$/) },
    });
    // The figures lead to their lists.
    expect((await listAll(h.app, { status: ["ANGEBOT"] })).ids).toEqual([offerToAccept.id, offer.id]);
    expect((await listAll(h.app)).totalCount).toBe(counted.length + notInTotal.length + 2);

    // An accepted offer is no longer open; nothing else moves.
    await h.app.request(AcceptOfferDocument, { input: { contractId: offerToAccept.id } });
    const after = (await h.app.request(OverviewDocument, {})).overview;
    expect(after).toMatchObject({ contractCount: counted.length + notInTotal.length, openOfferCount: 1, monthlyPremiumTotal: { cents: expectedTotal } });
    // A contract moved to RUHEND leaves the total: 144222 − 12346 = 131876; ÷ 12 = 10989.67, half up 10990.
    await staff.request(UpdateContractDocument, { input: { id: counted[4]!.id, status: "RUHEND" } });
    expect((await h.app.request(OverviewDocument, {})).overview.monthlyPremiumTotal.cents).toBe(10990);

    // Staff have no overview (it is the app's start screen).
    await expectApiError(staff.request(OverviewDocument, {}), "FORBIDDEN");
  });
});

describe("E2: a contract added in the app", () => {
  let firm: Firm;
  let third: Awaited<ReturnType<typeof f.buildStaff>>;
  let staffClients: Record<string, KundenappClient>;
  let h: Awaited<ReturnType<typeof household>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    third = await f.buildStaff({ tenant: firm.tenant });
    staffClients = { admin: firm.adminClient, employee: firm.employeeClient, third: await f.staffClient(third) };
    h = await household(firm);
    await setResponsible(firm, h.own, [third, firm.employee]);
  });

  it("E2: with a photo of the policy it starts as START, is visible, files the photo as its POLICY document, and notifies the customer's responsible staff", async () => {
    const started = t.clock.now();
    const photo = await upload(h.app, { purpose: "DOCUMENT", bytes: JPEG, contentType: "image/jpeg", fileName: "police-foto.jpg" });
    expect(photo.status).toBe(200);
    const insurer = (await insurerIds(h.app))["HUK-COBURG"]!;
    const { createContract } = await h.app.request(CreateContractDocument, {
      input: { customerId: customerId(h.own), insurerId: insurer, contractNumber: " KFZ-4711 ", documentFileId: photo.fileId },
    });
    const contract = createContract.contract;
    expect(contract).toMatchObject({
      contractNumber: "KFZ-4711",
      status: "START",
      visibleToCustomer: true,
      source: "CUSTOMER",
      notes: null,
      acceptedAt: null,
      viewerCanAccept: false,
      allowedNextStatuses: [],
      insurer: { id: insurer, name: "HUK-COBURG" },
      customer: { id: customerId(h.own) },
      premium: null,
      risk: null,
    });

    // The app sees it, with its photo as a POLICY document it can download.
    const { contract: seen } = await h.app.request(ContractDocument, { id: contract.id });
    expect(seen.statusHistory).toEqual([{ from: null, to: "START", changedAt: expect.any(String), changedBy: "CUSTOMER", changedByStaff: null }]);
    expect(seen.documents).toHaveLength(1);
    const doc = seen.documents[0]!;
    expect(doc).toMatchObject({ title: "police-foto.jpg", visibleToCustomer: true, category: { key: "POLICY" } });
    const got = await download(doc.downloadUrl);
    expect(got).toMatchObject({ status: 200, contentType: "image/jpeg" });
    expect(got.bytes.equals(JPEG)).toBe(true);
    expect((await listAll(h.app)).ids).toContain(contract.id);
    const [docRow] = await db().select().from(documents).where(eq(documents.id, dbId(doc.id)));
    expect(docRow).toMatchObject({ contractId: dbId(contract.id), customerId: h.own.id, uploadedByAccountId: h.account.id, uploadedByStaffId: null });
    const row = await contractRow(contract.id);
    expect(row).toMatchObject({ createdByAccountId: h.account.id, createdByStaffId: null, visibleToCustomer: true, status: "START" });
    expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(started.getTime());

    // Staff review it: the same document, and the moves START allows.
    const { contract: reviewed } = await firm.employeeClient.request(ContractDocument, { id: contract.id });
    expect(reviewed.documents.map((d) => d.id)).toEqual([doc.id]);
    expect(reviewed.allowedNextStatuses).toEqual(TRANSITIONS.START);

    // Contract has no responsible staff of its own: the customer's (third, employee) are notified, the admin is not.
    expect(await noticesAbout(staffClients, "CONTRACT_CREATED", contract.id)).toEqual({ admin: 0, employee: 1, third: 1 });
    expect(await notifiedIds("CONTRACT_CREATED", contract.id)).toEqual([third.id, firm.employee.id].sort());
  });

  it("E2: for a granted customer without responsible staff nobody is notified; as little as insurer and number is enough", async () => {
    const before = (await notificationsOf(firm.tenant.id)).length;
    const contract = await addContract(h.app, h.granted, { contractNumber: "HR-1" });
    expect(contract).toMatchObject({ status: "START", visibleToCustomer: true, source: "CUSTOMER", customer: { id: customerId(h.granted) } });
    expect(await notificationsOf(firm.tenant.id)).toHaveLength(before);
    // Once the granted customer has responsible staff, the next one notifies them.
    await setResponsible(firm, h.granted, [firm.admin]);
    const next = await addContract(h.app, h.granted, { lineOfBusiness: "HAUSRAT", premiumCents: 1250, paymentInterval: "MONTHLY", startDate: "2025-01-01" });
    expect(next).toMatchObject({ lineOfBusiness: "HAUSRAT", lineOfBusinessLabel: "Hausrat", premium: { cents: 1250, currency: "EUR" }, startDate: "2025-01-01" });
    expect(await noticesAbout(staffClients, "CONTRACT_CREATED", next.id)).toEqual({ admin: 1, employee: 0, third: 0 });
  });

  it("E2: app accounts may not set staff-only fields (BAD_USER_INPUT, rule STAFF_ONLY) and nothing is created", async () => {
    const before = await db().select().from(contracts).where(eq(contracts.tenantId, firm.tenant.id));
    const noticesBefore = (await notificationsOf(firm.tenant.id)).length;
    const { createRisk } = await firm.employeeClient.request(CreateRiskDocument, { input: { customerId: customerId(h.own), kind: "OTHER", description: "Fahrrad" } });
    const staffOnly: Array<[keyof CreateContractInput, NewContract]> = [
      ["status", { status: "AKTIV" }],
      ["notes", { notes: "vom Kunden" }],
      ["visibleToCustomer", { visibleToCustomer: true }],
      ["responsibleStaffIds", { responsibleStaffIds: [staffId(firm.admin)] }],
      ["riskId", { riskId: createRisk.risk.id }],
    ];
    for (const [field, input] of staffOnly) {
      const err = await expectApiError(addContract(h.app, h.own, input), "BAD_USER_INPUT");
      expect(err.fields).toEqual([expect.objectContaining({ field: `input.${field}`, rule: "STAFF_ONLY" })]);
    }
    // All at once: every field named.
    const all = await expectApiError(addContract(h.app, h.own, { status: "ANGEBOT", notes: "x", visibleToCustomer: false }), "BAD_USER_INPUT");
    expect(all.fields.map((p) => [p.field, p.rule])).toEqual([
      ["input.status", "STAFF_ONLY"],
      ["input.notes", "STAFF_ONLY"],
      ["input.visibleToCustomer", "STAFF_ONLY"],
    ]);
    // A customer the account may not access is NOT_FOUND.
    const neighbour = await f.buildCustomer({ tenant: firm.tenant });
    await expectApiError(addContract(h.app, neighbour), "NOT_FOUND");
    expect(await db().select().from(contracts).where(eq(contracts.tenantId, firm.tenant.id))).toEqual(before);
    expect(await notificationsOf(firm.tenant.id)).toHaveLength(noticesBefore);
  });
});

describe("C5: the app uploads documents to a contract", () => {
  let firm: Firm;
  let third: Awaited<ReturnType<typeof f.buildStaff>>;
  let staffClients: Record<string, KundenappClient>;
  let h: Awaited<ReturnType<typeof household>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    third = await f.buildStaff({ tenant: firm.tenant });
    staffClients = { admin: firm.adminClient, employee: firm.employeeClient, third: await f.staffClient(third) };
    h = await household(firm);
    await setResponsible(firm, h.own, [third, firm.employee]);
  });

  it("C5: an upload to a contract with responsible staff notifies them only; without, the customer's", async () => {
    const withStaff = await addContract(firm.employeeClient, h.own, { visibleToCustomer: true });
    const { updateContract } = await firm.employeeClient.request(UpdateContractDocument, { input: { id: withStaff.id, responsibleStaffIds: [staffId(firm.admin)] } });
    expect(updateContract.contract.responsibleStaff.map((s) => s.id)).toEqual([staffId(firm.admin)]);
    const withoutStaff = await addContract(firm.employeeClient, h.own, { visibleToCustomer: true });

    const toContract = await uploadTo(h.app, { customerId: customerId(h.own), contractId: withStaff.id }, { bytes: PNG, contentType: "image/png", fileName: "nachtrag.png" });
    expect(toContract).toMatchObject({ visibleToCustomer: true, source: "CUSTOMER", title: "nachtrag.png" });
    expect(await noticesAbout(staffClients, "DOCUMENT_UPLOADED", toContract.id)).toEqual({ admin: 1, employee: 0, third: 0 });
    expect(await notifiedIds("DOCUMENT_UPLOADED", toContract.id)).toEqual([firm.admin.id]);

    const toOther = await uploadTo(h.app, { customerId: customerId(h.own), contractId: withoutStaff.id });
    expect(await noticesAbout(staffClients, "DOCUMENT_UPLOADED", toOther.id)).toEqual({ admin: 0, employee: 1, third: 1 });

    // The documents are the contracts' own, for the app and for staff.
    expect((await h.app.request(ContractDocument, { id: withStaff.id })).contract.documents.map((d) => d.id)).toEqual([toContract.id]);
    expect((await firm.employeeClient.request(ContractDocument, { id: withoutStaff.id })).contract.documents.map((d) => d.id)).toEqual([toOther.id]);
    expect((await db().select().from(documents).where(eq(documents.id, dbId(toContract.id))))[0]!.contractId).toBe(dbId(withStaff.id));

    // Responsible staff replaced by an empty list: back to the customer's.
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: withStaff.id, responsibleStaffIds: [] } });
    const again = await uploadTo(h.app, { customerId: customerId(h.own), contractId: withStaff.id });
    expect(await noticesAbout(staffClients, "DOCUMENT_UPLOADED", again.id)).toEqual({ admin: 0, employee: 1, third: 1 });
  });

  it("C5: a contract of another customer is refused (SAME_CUSTOMER), another firm's or a hidden one is NOT_FOUND; nothing is written", async () => {
    const grantedContract = await addContract(firm.employeeClient, h.granted, { visibleToCustomer: true });
    const hidden = await addContract(firm.employeeClient, h.own, {});
    const other = await f.buildFirm();
    const foreign = await addContract(other.adminClient, await f.buildCustomer({ tenant: other.tenant }), { visibleToCustomer: true });
    const docsBefore = await db().select().from(documents).where(eq(documents.tenantId, firm.tenant.id));
    const noticesBefore = await notificationsOf(firm.tenant.id);
    const put = await upload(h.app, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
    const attempt = (contractId: string) => h.app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: customerId(h.own), contractId } });

    const err = await expectApiError(attempt(grantedContract.id), "BAD_USER_INPUT");
    expect(err.fields).toEqual([expect.objectContaining({ field: "input.contractId", rule: "SAME_CUSTOMER" })]);
    await expectApiError(attempt(foreign.id), "NOT_FOUND");
    await expectApiError(attempt(hidden.id), "NOT_FOUND");
    await expectApiError(attempt(gid("Contract", crypto.randomUUID())), "NOT_FOUND");
    // Staff of another firm cannot file at this firm's contract either.
    const otherCats = await categoryIds(other.adminClient);
    const otherPut = await upload(other.adminClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
    await expectApiError(
      other.adminClient.request(UploadDocumentDocument, { input: { fileId: otherPut.fileId, customerId: customerId(h.own), contractId: grantedContract.id, categoryId: otherCats.POLICY! } }),
      "NOT_FOUND",
    );
    expect(await db().select().from(documents).where(eq(documents.tenantId, firm.tenant.id))).toEqual(docsBefore);
    expect(await notificationsOf(firm.tenant.id)).toEqual(noticesBefore);
    // The right customer with the same file works.
    const ok = await h.app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: customerId(h.granted), contractId: grantedContract.id } });
    expect(ok.uploadDocument.document.customer.id).toBe(customerId(h.granted));
  });
});

describe("E4: offers and changes pushed live (contractChanged)", () => {
  let firm: Firm;
  let h: Awaited<ReturnType<typeof household>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    h = await household(firm);
  });

  it("E4: an offer created by staff is visible at once and pushed to the connected app (staff-only fields left out)", async () => {
    const sub = h.app.subscribe(ContractChangedDocument, { after: await t.headCursor(firm.tenant.id) });
    const offer = await addContract(firm.employeeClient, h.own, { status: "ANGEBOT", lineOfBusiness: "PRIVATHAFTPFLICHT", premiumCents: 599, paymentInterval: "MONTHLY", notes: "Rabatt 10 %" });
    expect(offer).toMatchObject({ status: "ANGEBOT", visibleToCustomer: true, notes: "Rabatt 10 %" });
    const pushed = changed(await nextWithin(sub));
    expect(pushed.contract).toMatchObject({
      id: offer.id,
      status: "ANGEBOT",
      visibleToCustomer: true,
      lineOfBusinessLabel: "Privathaftpflicht",
      premium: { cents: 599 },
      notes: null,
      viewerCanAccept: true,
      allowedNextStatuses: [],
      customer: { id: customerId(h.own) },
    });
    expect(pushed.cursor).toEqual(expect.any(String));
    // Visible at once, first in the list.
    expect((await listAll(h.app)).ids[0]).toBe(offer.id);

    // An offer for the granted customer reaches the app as well; one for a neighbour, or a staff-only contract, does not.
    const neighbour = await f.buildCustomer({ tenant: firm.tenant });
    await addContract(firm.employeeClient, neighbour, { status: "ANGEBOT" });
    await addContract(firm.employeeClient, h.own, { status: "AKTIV" });
    const grantedOffer = await addContract(firm.employeeClient, h.granted, { status: "ANGEBOT" });
    const next = changed(await nextWithin(sub));
    expect(next.contract.id).toBe(grantedOffer.id);
    expect(next.cursor).not.toBe(pushed.cursor);

    // A contract that becomes an offer is released and pushed.
    const draft = await addContract(firm.employeeClient, h.own, { status: "ABGELEHNT" });
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: draft.id, status: "ANGEBOT" } });
    const became = changed(await nextWithin(sub));
    expect(became.contract).toMatchObject({ id: draft.id, status: "ANGEBOT", visibleToCustomer: true });
    await nothingWithin(sub, 300);
    await sub.return?.();
  });

  it("E4: a change made from the app reaches staff subscribers of the firm, and no other firm's", async () => {
    const offer = await addContract(firm.adminClient, h.own, { status: "ANGEBOT", notes: "intern" });
    const staffSub = firm.employeeClient.subscribe(ContractChangedDocument, { after: await t.headCursor(firm.tenant.id) });
    const other = await f.buildFirm();
    const otherSub = other.adminClient.subscribe(ContractChangedDocument, { after: await t.headCursor(other.tenant.id) });

    const added = await addContract(h.app, h.own, { contractNumber: "APP-1" });
    const first = changed(await nextWithin(staffSub));
    expect(first.contract).toMatchObject({ id: added.id, status: "START", source: "CUSTOMER", contractNumber: "APP-1", allowedNextStatuses: TRANSITIONS.START });

    await h.app.request(AcceptOfferDocument, { input: { contractId: offer.id } });
    const second = changed(await nextWithin(staffSub));
    // Staff see staff fields in the event.
    expect(second.contract).toMatchObject({ id: offer.id, acceptedAt: expect.any(String), notes: "intern", viewerCanAccept: false });
    expect(second.cursor).not.toBe(first.cursor);
    await nothingWithin(otherSub, 300);
    await Promise.all([staffSub.return?.(), otherSub.return?.()]);
  });

  it("E4: resuming with `after:` replays the missed events once, in order, then goes live", async () => {
    const sub = h.app.subscribe(ContractChangedDocument, { after: await t.headCursor(firm.tenant.id) });
    const a = await addContract(firm.employeeClient, h.own, { status: "ANGEBOT", premiumCents: 100 });
    const seen = changed(await nextWithin(sub));
    expect(seen.contract.id).toBe(a.id);
    await sub.return?.();
    await h.app.close();

    // While the app is away.
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: a.id, premiumCents: 200 } });
    const b = await addContract(firm.employeeClient, h.granted, { status: "ANGEBOT", premiumCents: 300 });
    await addContract(firm.employeeClient, h.own, { status: "AKTIV", premiumCents: 999 }); // staff-only: not for the app
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: b.id, premiumCents: 400 } });

    const resumed = h.app.subscribe(ContractChangedDocument, { after: seen.cursor });
    const replayed = [];
    for (let i = 0; i < 3; i++) replayed.push(changed(await nextWithin(resumed)));
    // One event per change, in order; each carries the contract as it is now (events name it, the row is loaded).
    expect(replayed.map((e) => [e.contract.id, e.contract.premium?.cents])).toEqual([
      [a.id, 200],
      [b.id, 400],
      [b.id, 400],
    ]);
    // Cursors are opaque: each event has its own.
    const cursors = replayed.map((e) => e.cursor);
    expect(new Set([seen.cursor, ...cursors]).size).toBe(4);
    // Nothing twice, then live again.
    await nothingWithin(resumed, 300);
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: a.id, premiumCents: 500 } });
    const live = changed(await nextWithin(resumed));
    expect([live.contract.id, live.contract.premium?.cents]).toEqual([a.id, 500]);
    expect(cursors).not.toContain(live.cursor);
    await nothingWithin(resumed, 300);
    await resumed.return?.();

    // Each cursor marks its place: resuming after the second replayed event gives the third, then the live one.
    const fromMiddle = h.app.subscribe(ContractChangedDocument, { after: cursors[1]! });
    expect(changed(await nextWithin(fromMiddle)).cursor).toBe(cursors[2]);
    expect(changed(await nextWithin(fromMiddle)).cursor).toBe(live.cursor);
    await nothingWithin(fromMiddle, 300);
    await fromMiddle.return?.();
  });
});

describe("C3: a contract made invisible, and staff-only fields", () => {
  it("C3: the app no longer gets it by list, contract(id), node(id), customer.contracts, download or event", async () => {
    const firm = await f.buildFirm();
    const h = await household(firm);
    const cats = await categoryIds(firm.adminClient);
    const contract = await addContract(firm.employeeClient, h.own, { visibleToCustomer: true, notes: "Kunde zahlt spät" });
    const kept = await addContract(firm.employeeClient, h.own, { visibleToCustomer: true });
    const doc = await uploadTo(firm.employeeClient, { customerId: customerId(h.own), contractId: contract.id, categoryId: cats.POLICY!, visibleToCustomer: true });

    // Before: the app sees it, its document and the bytes, without the notes.
    const { contract: before } = await h.app.request(ContractDocument, { id: contract.id });
    expect(before).toMatchObject({ id: contract.id, notes: null, responsibleStaff: [] });
    expect(before.documents.map((d) => d.id)).toEqual([doc.id]);
    const url = before.documents[0]!.downloadUrl;
    expect((await download(url)).status).toBe(200);
    expect((await h.app.request(NodeDocument, { id: contract.id })).node).toMatchObject({ __typename: "Contract", id: contract.id });

    const sub = h.app.subscribe(ContractChangedDocument, { after: await t.headCursor(firm.tenant.id) });
    const { updateContract } = await firm.employeeClient.request(UpdateContractDocument, { input: { id: contract.id, visibleToCustomer: false } });
    expect(updateContract.contract.visibleToCustomer).toBe(false);

    expect((await listAll(h.app)).ids).toEqual([kept.id]);
    await expectApiError(h.app.request(ContractDocument, { id: contract.id }), "NOT_FOUND");
    await expectApiError(h.app.request(NodeDocument, { id: contract.id }), "NOT_FOUND");
    expect((await h.app.request(CustomerContractsDocument, { id: customerId(h.own) })).customer.contracts.map((c) => c.id)).toEqual([kept.id]);
    expect((await h.app.request(OverviewDocument, {})).overview.contractCount).toBe(1);
    // Its documents: the URL handed out before stops working, and no new one is to be had.
    expect((await download(url)).status).toBe(404);
    await expectApiError(h.app.request(DocumentDownloadDocument, { id: doc.id }), "NOT_FOUND");
    expect((await h.app.request(DocumentsDocument, { first: 100 })).documents.edges.map((e) => e.node.id)).not.toContain(doc.id);
    // Nor can the app act on it.
    const put = await upload(h.app, { purpose: "DOCUMENT", bytes: PNG, contentType: "image/png" });
    await expectApiError(h.app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: customerId(h.own), contractId: contract.id } }), "NOT_FOUND");

    // No event about it: neither the hiding, nor later changes. The first event the app gets is the kept one's.
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: contract.id, premiumCents: 4200, status: "RUHEND" } });
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: kept.id, premiumCents: 1000 } });
    const first = changed(await nextWithin(sub));
    expect(first.contract.id).toBe(kept.id);
    await nothingWithin(sub, 300);

    // Staff still see it all; released again, the app sees it again.
    expect((await firm.employeeClient.request(ContractDocument, { id: contract.id })).contract).toMatchObject({ notes: "Kunde zahlt spät", visibleToCustomer: false });
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: contract.id, visibleToCustomer: true } });
    expect(changed(await nextWithin(sub)).contract).toMatchObject({ id: contract.id, notes: null, status: "RUHEND" });
    expect((await download(url)).status).toBe(200);
    await sub.return?.();
  });

  it("C3: an offer made invisible cannot be accepted (NOT_FOUND) and is not counted", async () => {
    const firm = await f.buildFirm();
    const h = await household(firm);
    const offer = await addContract(firm.employeeClient, h.own, { status: "ANGEBOT" });
    expect((await h.app.request(OverviewDocument, {})).overview.openOfferCount).toBe(1);
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: offer.id, visibleToCustomer: false } });
    expect((await h.app.request(OverviewDocument, {})).overview.openOfferCount).toBe(0);
    await expectApiError(h.app.request(AcceptOfferDocument, { input: { contractId: offer.id } }), "NOT_FOUND");
    expect((await contractRow(offer.id)).acceptedAt).toBeNull();
  });

  it("C3: notes are always null for app accounts, wherever the contract is read; staff read them", async () => {
    const firm = await f.buildFirm();
    const h = await household(firm);
    const offer = await addContract(firm.employeeClient, h.own, { status: "ANGEBOT", notes: "Provision prüfen" });
    const fromApp = await addContract(h.app, h.own, {});
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: fromApp.id, notes: "Police anfordern", responsibleStaffIds: [staffId(firm.employee)] } });

    const { contracts: listed } = await h.app.request(ContractsDocument, { first: 10 });
    expect(listed.edges.map((e) => [e.node.id, e.node.notes])).toEqual([
      [offer.id, null],
      [fromApp.id, null],
    ]);
    for (const id of [offer.id, fromApp.id]) {
      const { contract } = await h.app.request(ContractDocument, { id });
      expect(contract.notes).toBeNull();
      // Responsible staff are staff-only too.
      expect(contract.responsibleStaff).toEqual([]);
    }
    expect((await h.app.request(CustomerContractsDocument, { id: customerId(h.own) })).customer.contracts.map((c) => c.notes)).toEqual([null, null]);

    const { contracts: staffListed } = await firm.employeeClient.request(ContractsDocument, { first: 10, customerId: customerId(h.own) });
    expect(Object.fromEntries(staffListed.edges.map((e) => [e.node.id, e.node.notes]))).toEqual({ [offer.id]: "Provision prüfen", [fromApp.id]: "Police anfordern" });
    expect((await firm.employeeClient.request(ContractDocument, { id: fromApp.id })).contract.responsibleStaff.map((s) => s.id)).toEqual([staffId(firm.employee)]);
  });
});

describe("E3: statuses and their history", () => {
  let firm: Firm;
  let h: Awaited<ReturnType<typeof household>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    h = await household(firm);
  });

  it("E3: every move is recorded (who, when, from, to), the first entry from null", async () => {
    const started = t.clock.now();
    const contract = await addContract(firm.employeeClient, h.own, { status: "ANGEBOT" });
    const moves: Array<[KundenappClient, "ANTRAG" | "AKTIV" | "RUHEND"]> = [
      [firm.employeeClient, "ANTRAG"],
      [firm.adminClient, "AKTIV"],
      [firm.employeeClient, "RUHEND"],
      [firm.adminClient, "AKTIV"],
    ];
    for (const [client, status] of moves) {
      const { updateContract } = await client.request(UpdateContractDocument, { input: { id: contract.id, status } });
      expect(updateContract.contract.status).toBe(status);
      expect(updateContract.contract.allowedNextStatuses).toEqual(TRANSITIONS[status]);
    }
    // Correcting other fields, or "moving" to the same status, adds no entry.
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: contract.id, status: "AKTIV", premiumCents: 1234 } });
    const ended = t.clock.now();

    const { contract: read } = await firm.employeeClient.request(ContractDocument, { id: contract.id });
    expect(read.statusHistory.map((s) => [s.from, s.to, s.changedBy])).toEqual([
      [null, "ANGEBOT", "STAFF"],
      ["ANGEBOT", "ANTRAG", "STAFF"],
      ["ANTRAG", "AKTIV", "STAFF"],
      ["AKTIV", "RUHEND", "STAFF"],
      ["RUHEND", "AKTIV", "STAFF"],
    ]);
    const times = read.statusHistory.map((s) => Date.parse(s.changedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(started.getTime());
    expect(times.at(-1)).toBeLessThanOrEqual(ended.getTime());
    // Who: each entry names the staff user who made the move.
    const rows = await historyRows(contract.id);
    expect(rows.map((r) => [r.changedByStaffId, r.changedByAccountId])).toEqual([
      [firm.employee.id, null],
      [firm.employee.id, null],
      [firm.admin.id, null],
      [firm.employee.id, null],
      [firm.admin.id, null],
    ]);
    // The app reads the same history (the offer stays visible), without the moves staff may make.
    const { contract: inApp } = await h.app.request(ContractDocument, { id: contract.id });
    expect(inApp.statusHistory).toEqual(read.statusHistory);
    expect(inApp.allowedNextStatuses).toEqual([]);
    expect(read.allowedNextStatuses).toEqual(["RUHEND", "GEKUENDIGT"]);

    // A contract the customer added begins with the customer's entry.
    const fromApp = await addContract(h.app, h.own, {});
    await firm.employeeClient.request(UpdateContractDocument, { input: { id: fromApp.id, status: "AKTIV" } });
    const { contract: reviewed } = await firm.employeeClient.request(ContractDocument, { id: fromApp.id });
    expect(reviewed.statusHistory.map((s) => [s.from, s.to, s.changedBy])).toEqual([
      [null, "START", "CUSTOMER"],
      ["START", "AKTIV", "STAFF"],
    ]);
    expect((await historyRows(fromApp.id)).map((r) => [r.changedByStaffId, r.changedByAccountId])).toEqual([
      [null, h.account.id],
      [firm.employee.id, null],
    ]);
    // Who, as the API tells it: the staff user's card; null for the customer's own entry.
    expect(reviewed.statusHistory.map((s) => s.changedByStaff?.name ?? null)).toEqual([null, firm.employee.name]);
  });

  it("E3: a move that is not allowed (AKTIV → ANGEBOT) is BAD_USER_INPUT with rule TRANSITION and changes nothing", async () => {
    const contract = await addContract(firm.employeeClient, h.own, { status: "AKTIV", visibleToCustomer: true, premiumCents: 1000 });
    const rowBefore = await contractRow(contract.id);
    const historyBefore = await historyRows(contract.id);
    const sub = h.app.subscribe(ContractChangedDocument, { after: await t.headCursor(firm.tenant.id) });
    for (const status of ["ANGEBOT", "START", "ANTRAG", "ABGELEHNT"] as const) {
      const err = await expectApiError(firm.employeeClient.request(UpdateContractDocument, { input: { id: contract.id, status, premiumCents: 2000, notes: "x" } }), "BAD_USER_INPUT");
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.status", rule: "TRANSITION" })]);
    }
    expect(await contractRow(contract.id)).toEqual(rowBefore);
    expect(await historyRows(contract.id)).toEqual(historyBefore);
    await nothingWithin(sub, 300);
    await sub.return?.();
    // The app cannot move contracts at all.
    await expectApiError(h.app.request(UpdateContractDocument, { input: { id: contract.id, status: "GEKUENDIGT" } }), "FORBIDDEN");
    expect(await contractRow(contract.id)).toEqual(rowBefore);
  });

  it("E3: allowedNextStatuses lists the moves for staff, for every status, and is empty for the app", async () => {
    for (const status of ["START", "ANGEBOT", "ANTRAG", "AKTIV", "RUHEND", "GEKUENDIGT", "ABGELEHNT"] as const) {
      const c = await addContract(firm.employeeClient, h.own, { status, visibleToCustomer: true });
      expect(c.allowedNextStatuses).toEqual(TRANSITIONS[status]);
      expect((await h.app.request(ContractDocument, { id: c.id })).contract.allowedNextStatuses).toEqual([]);
    }
    // Every listed move is accepted.
    for (const next of TRANSITIONS.START) {
      const probe = await addContract(firm.employeeClient, h.own, { status: "START" });
      const { updateContract } = await firm.employeeClient.request(UpdateContractDocument, { input: { id: probe.id, status: next } });
      expect(updateContract.contract.status).toBe(next);
    }
  });
});

describe("E5 (contract side): accepting an offer", () => {
  let firm: Firm;
  let staffClients: Record<string, KundenappClient>;
  let h: Awaited<ReturnType<typeof household>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    staffClients = { admin: firm.adminClient, employee: firm.employeeClient };
    h = await household(firm);
    await setResponsible(firm, h.own, [firm.employee]);
  });

  it("E5/F3: acceptOffer records acceptedAt once and, through its chat message, notifies the chat's operator; a second accept is CONFLICT (OFFER_ACCEPTED)", async () => {
    const offer = await addContract(firm.adminClient, h.own, { status: "ANGEBOT", responsibleStaffIds: [staffId(firm.admin)] });
    expect(offer).toMatchObject({ viewerCanAccept: false, acceptedAt: null }); // staff never accept
    expect((await h.app.request(ContractDocument, { id: offer.id })).contract.viewerCanAccept).toBe(true);
    const started = t.clock.now();
    const { acceptOffer } = await h.app.request(AcceptOfferDocument, { input: { contractId: offer.id } });
    expect(acceptOffer.contract).toMatchObject({ id: offer.id, status: "ANGEBOT", viewerCanAccept: false, acceptedAt: expect.any(String) });
    const acceptedAt = Date.parse(acceptOffer.contract.acceptedAt!);
    expect(acceptedAt).toBeGreaterThanOrEqual(started.getTime());
    expect(acceptedAt).toBeLessThanOrEqual(t.clock.now().getTime());
    expect(await contractRow(offer.id)).toMatchObject({ acceptedByAccountId: h.account.id });
    // Rule F3 through the chat message (rule E5): the chat's operator, the customer's first responsible staff user with
    // CHAT (the employee), not the contract's own responsible staff (the admin); nothing about the contract itself.
    const chatId = await chatOf(h.own);
    expect(await noticesAbout(staffClients, "OFFER_RESPONSE", chatId)).toEqual({ admin: 0, employee: 1 });
    // The notice is about the chat (where the message is), not the contract.
    expect(await noticesAbout(staffClients, "OFFER_RESPONSE", offer.id)).toEqual({ admin: 0, employee: 0 });

    const rowBefore = await contractRow(offer.id);
    const err = await expectApiError(h.app.request(AcceptOfferDocument, { input: { contractId: offer.id } }), "CONFLICT");
    expect(err.fields).toEqual([expect.objectContaining({ field: "input.contractId", rule: "OFFER_ACCEPTED" })]);
    expect(await contractRow(offer.id)).toEqual(rowBefore);
    expect(await noticesAbout(staffClients, "OFFER_RESPONSE", chatId)).toEqual({ admin: 0, employee: 1 });
    // Staff see when it was accepted.
    expect((await firm.employeeClient.request(ContractDocument, { id: offer.id })).contract.acceptedAt).toBe(acceptOffer.contract.acceptedAt);
  });

  it("E5/F3: an offer without responsible staff of its own notifies the chat's operator too; a granted customer's chat without operator notifies every admin with CHAT", async () => {
    const offer = await addContract(firm.adminClient, h.own, { status: "ANGEBOT" });
    const chatId = await chatOf(h.own);
    const earlier = await noticesAbout(staffClients, "OFFER_RESPONSE", chatId);
    await h.app.request(AcceptOfferDocument, { input: { contractId: offer.id } });
    expect(await noticesAbout(staffClients, "OFFER_RESPONSE", chatId)).toEqual({ admin: earlier.admin!, employee: earlier.employee! + 1 });
    // A granted customer without responsible staff: its own chat, opened without operator, so every admin with CHAT
    // (the admin; not the employee, nor an admin without CHAT), and nobody else.
    const noChatAdmin = await f.buildStaff({ tenant: firm.tenant, role: "ADMIN", permissions: ["CLAIMS"] });
    const grantedOffer = await addContract(firm.adminClient, h.granted, { status: "ANGEBOT" });
    const before = new Set((await notificationsOf(firm.tenant.id)).map((n) => n.id));
    await h.app.request(AcceptOfferDocument, { input: { contractId: grantedOffer.id } });
    const grantedChatId = await chatOf(h.granted);
    expect(grantedChatId).not.toBe(chatId);
    expect(await noticesAbout(staffClients, "OFFER_RESPONSE", grantedChatId)).toEqual({ admin: 1, employee: 0 });
    const added = (await notificationsOf(firm.tenant.id)).filter((n) => !before.has(n.id));
    expect(added.map((n) => [n.staffUserId, n.kind, n.subjectId])).toEqual([[firm.admin.id, "OFFER_RESPONSE", dbId(grantedChatId)]]);
    expect(added.map((n) => n.staffUserId)).not.toContain(noChatAdmin.id);
    expect((await contractRow(grantedOffer.id)).acceptedAt).not.toBeNull();
  });

  it("E5: a contract that is no longer an offer is CONFLICT (OFFER_OPEN); staff get FORBIDDEN; nothing changes", async () => {
    const withdrawn = await addContract(firm.adminClient, h.own, { status: "ANGEBOT" });
    await firm.adminClient.request(UpdateContractDocument, { input: { id: withdrawn.id, status: "ABGELEHNT" } });
    const active = await addContract(firm.adminClient, h.own, { status: "AKTIV", visibleToCustomer: true });
    const started = await addContract(h.app, h.own, {});
    for (const c of [withdrawn, active, started]) {
      const before = await contractRow(c.id);
      const err = await expectApiError(h.app.request(AcceptOfferDocument, { input: { contractId: c.id } }), "CONFLICT");
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.contractId", rule: "OFFER_OPEN" })]);
      expect(await contractRow(c.id)).toEqual(before);
      expect((await h.app.request(ContractDocument, { id: c.id })).contract.viewerCanAccept).toBe(false);
    }
    const offer = await addContract(firm.adminClient, h.own, { status: "ANGEBOT" });
    for (const staff of [firm.adminClient, firm.employeeClient]) {
      await expectApiError(staff.request(AcceptOfferDocument, { input: { contractId: offer.id } }), "FORBIDDEN");
    }
    expect((await contractRow(offer.id)).acceptedAt).toBeNull();
    // Another firm's app account, or a neighbour's offer: NOT_FOUND.
    const stranger = await f.appClient(await f.buildAppAccount());
    await expectApiError(stranger.request(AcceptOfferDocument, { input: { contractId: offer.id } }), "NOT_FOUND");
    const neighbourOffer = await addContract(firm.adminClient, await f.buildCustomer({ tenant: firm.tenant }), { status: "ANGEBOT" });
    await expectApiError(h.app.request(AcceptOfferDocument, { input: { contractId: neighbourOffer.id } }), "NOT_FOUND");
    expect(await notificationsOf(firm.tenant.id)).not.toContainEqual(expect.objectContaining({ subjectId: dbId(offer.id) }));
  });
});

describe("D1: inviting a customer releases their contracts", () => {
  it("D1: after inviteCustomers the customer's contracts are visible, whatever the document sharing; another customer's stay hidden", async () => {
    const firm = await f.buildFirm();
    const cats = await categoryIds(firm.adminClient);
    const invitee = await f.buildCustomer({ tenant: firm.tenant });
    const bystander = await f.buildCustomer({ tenant: firm.tenant });
    const hidden = [await addContract(firm.employeeClient, invitee, { status: "AKTIV" }), await addContract(firm.employeeClient, invitee, { status: "RUHEND" })];
    const shown = await addContract(firm.employeeClient, invitee, { status: "AKTIV", visibleToCustomer: true });
    const bystanders = await addContract(firm.employeeClient, bystander, { status: "AKTIV" });
    expect(hidden.map((c) => c.visibleToCustomer)).toEqual([false, false]);

    const { inviteCustomers } = await firm.employeeClient.request(InviteCustomersDocument, {
      input: { customers: [{ customerId: customerId(invitee) }], sharing: "SELECTED_CATEGORIES", categoryIds: [cats.CLAIM!], salutation: "SIE" },
    });
    expect(inviteCustomers.results.map((r) => r.status)).toEqual(["INVITED"]);

    const { contracts: list } = await firm.employeeClient.request(ContractsDocument, { first: 10, customerId: customerId(invitee) });
    expect(Object.fromEntries(list.edges.map((e) => [e.node.id, e.node.visibleToCustomer]))).toEqual({
      [hidden[0]!.id]: true,
      [hidden[1]!.id]: true,
      [shown.id]: true,
    });
    expect((await contractRow(bystanders.id)).visibleToCustomer).toBe(false);
  });
});

describe("Customer.contracts in a constant number of SQL statements", () => {
  it("E0: a customer's contracts with insurers, risks, responsible staff and documents cost the same for 2 and for 12 contracts", async () => {
    const firm = await f.buildFirm();
    const cats = await categoryIds(firm.adminClient);
    const insurers = Object.values(await insurerIds(firm.employeeClient)).slice(0, 3);
    const third = await f.buildStaff({ tenant: firm.tenant });

    /** A customer with `n` contracts, each with an insurer, a risk, two responsible staff and a document. */
    async function customerWith(n: number) {
      const customer = await f.buildCustomer({ tenant: firm.tenant });
      await setResponsible(firm, customer, [third]);
      const risks = [];
      for (const plate of ["B-AB 1", "B-AB 2"]) {
        risks.push((await firm.employeeClient.request(CreateRiskDocument, { input: { customerId: customerId(customer), kind: "VEHICLE", licensePlate: plate } })).createRisk.risk);
      }
      for (let i = 0; i < n; i++) {
        const contract = await addContract(firm.employeeClient, customer, {
          insurerId: insurers[i % insurers.length]!,
          riskId: risks[i % 2]!.id,
          status: i % 3 === 0 ? "ANGEBOT" : "AKTIV",
          visibleToCustomer: true,
          notes: `Notiz ${i}`,
          responsibleStaffIds: i % 2 ? [staffId(firm.employee), staffId(firm.admin)] : [staffId(firm.admin), staffId(third)],
        });
        await uploadTo(firm.employeeClient, { customerId: customerId(customer), contractId: contract.id, categoryId: cats.POLICY!, visibleToCustomer: true });
      }
      const account = await f.buildAppAccount({ customer });
      return { customer, app: await f.appClient(account) };
    }
    const small = await customerWith(2);
    const large = await customerWith(12);

    async function cost(client: KundenappClient, customer: Customer, expectedContracts: number): Promise<number> {
      return t.countStatements(async () => {
        const { customer: got } = await client.request(CustomerContractsDocument, { id: customerId(customer) });
        expect(got.contracts).toHaveLength(expectedContracts);
        expect(got.contracts.every((c) => c.insurer.name && c.risk && c.documents.length === 1)).toBe(true);
        expect(got.risks).toHaveLength(2);
      });
    }
    // Staff (with responsible staff and notes) and the app (scoped) alike.
    const staffSmall = await cost(firm.employeeClient, small.customer, 2);
    const staffLarge = await cost(firm.employeeClient, large.customer, 12);
    expect(staffLarge).toBe(staffSmall);
    const { customer: staffRead } = await firm.employeeClient.request(CustomerContractsDocument, { id: customerId(large.customer) });
    expect(staffRead.contracts.every((c) => c.responsibleStaff.length === 2 && c.notes !== null)).toBe(true);

    const appSmall = await cost(small.app, small.customer, 2);
    const appLarge = await cost(large.app, large.customer, 12);
    expect(appLarge).toBe(appSmall);
    expect(staffSmall).toBeLessThan(20);

    // The app's start screen: the overview with every figure (claims' and chat's too) and the first page of
    // contracts with their insurers is three statements: the session, the overview, the page (issue 14).
    type StartScreen = {
      overview: { contractCount: number; openOfferCount: number; openClaimCount: number; unreadMessageCount: number };
      contracts: { nodes: Array<{ status: string; insurer: { name: string } }> };
    };
    const startScreen = parse(`{
      overview { contractCount openOfferCount openClaimCount unreadMessageCount monthlyPremiumTotal { cents } brokerProfile { name } }
      contracts(first: 20) { nodes { contractNumber status insurer { name } } }
    }`) as TypedDocumentNode<StartScreen, Record<string, never>>;
    for (const [who, n] of [[small, 2], [large, 12]] as const) {
      let screen!: StartScreen;
      const statements = await t.countStatements(async () => void (screen = await who.app.request(startScreen)));
      expect(statements).toBe(3);
      expect(screen.contracts.nodes).toHaveLength(n);
      expect(screen.contracts.nodes.every((c) => c.insurer.name)).toBe(true);
      // Offers first (rule E5), then the rest; the figures match the list.
      const offers = screen.contracts.nodes.filter((c) => c.status === "ANGEBOT").length;
      expect(screen.contracts.nodes.slice(0, offers).every((c) => c.status === "ANGEBOT")).toBe(true);
      expect(screen.overview).toMatchObject({ openOfferCount: offers, contractCount: n - offers, openClaimCount: 0, unreadMessageCount: 0 });
    }
  });
});
