import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories, upload } from "../../test/factories.js";
import { JPEG, PDF, PNG, HEIC } from "../../test/fixtures.js";
import {
  CreateDocumentCategoryDocument,
  DocumentCategoriesDocument,
  DocumentDownloadDocument,
  DocumentsDocument,
  LogoutDocument,
  NotificationsDocument,
  RevokeCustomerAccessDocument,
  SetDocumentVisibilityDocument,
  SetRecommendedDocumentCategoriesDocument,
  SetResponsibleStaffDocument,
  UploadDocumentDocument,
  type KundenappClient,
  type UploadDocumentInput,
} from "../../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../../graphql/relay.js";
import { documentCategories, documents } from "./document.table.js";
import { files } from "../../files/file.table.js";
import { notifications } from "../notification/notification.table.js";
import { DEFAULT_CATEGORIES } from "./categories.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t.close());

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
type Customer = Awaited<ReturnType<ReturnType<typeof factories>["buildCustomer"]>>;

const db = () => t.app.deps.database.db;
const gid = (type: string, id: string) => toGlobalId(type, id);
const dbId = (globalId: string) => fromGlobalId(globalId)!.id;
const documentsOf = (tenantId: string) => db().select().from(documents).where(eq(documents.tenantId, tenantId)).orderBy(asc(documents.id));
const categoriesOf = (tenantId: string) => db().select().from(documentCategories).where(eq(documentCategories.tenantId, tenantId)).orderBy(asc(documentCategories.id));
const notificationsOf = (tenantId: string) => db().select().from(notifications).where(eq(notifications.tenantId, tenantId));

/** The firm's categories by key (also creates the defaults, as the first read does). */
async function categoryIds(client: KundenappClient): Promise<Record<string, string>> {
  const { documentCategories: list } = await client.request(DocumentCategoriesDocument, {});
  return Object.fromEntries(list.filter((c) => c.key).map((c) => [c.key!, c.id]));
}

/** createUpload + PUT + uploadDocument, as a client does it. */
async function uploadDocument(
  client: KundenappClient,
  input: Omit<UploadDocumentInput, "fileId">,
  file: { bytes: Buffer; contentType: string; fileName?: string } = { bytes: PDF, contentType: "application/pdf", fileName: "police.pdf" },
) {
  const put = await upload(client, { purpose: "DOCUMENT", ...file });
  expect(put.status).toBe(200);
  const { uploadDocument: payload } = await client.request(UploadDocumentDocument, { input: { ...input, fileId: put.fileId } });
  return { ...payload.document, fileId: put.fileId };
}

/** All documents a client can list (at most 100). */
async function listed(client: KundenappClient, vars: { customerId?: string; categoryId?: string; visibleToCustomer?: boolean } = {}) {
  const { documents: page } = await client.request(DocumentsDocument, { first: 100, ...vars });
  return page.edges.map((e) => e.node);
}

async function download(url: string) {
  const res = await fetch(url);
  return { status: res.status, contentType: res.headers.get("content-type"), bytes: Buffer.from(await res.arrayBuffer()) };
}

describe("document categories (rules C2, C4)", () => {
  let firm: Firm;
  beforeAll(async () => {
    firm = await f.buildFirm();
  });

  it("C2: a firm has the 10 default categories, POLICY … OTHER; C4: the recommended ones are the preselection", async () => {
    const { documentCategories: all } = await firm.employeeClient.request(DocumentCategoriesDocument, {});
    expect(all.map((c) => c.key)).toEqual([
      "POLICY",
      "AMENDMENT",
      "INVOICE",
      "CORRESPONDENCE",
      "APPLICATION",
      "CONSULTATION_RECORD",
      "POWER_OF_ATTORNEY",
      "CLAIM",
      "CHAT_TRANSCRIPT",
      "OTHER",
    ]);
    expect(all.every((c) => c.name.length > 0)).toBe(true);
    const expectedRecommended = DEFAULT_CATEGORIES.filter((c) => c.recommended).map((c) => c.key);
    expect(all.filter((c) => c.recommended).map((c) => c.key)).toEqual(expectedRecommended);
    const { documentCategories: recommended } = await firm.employeeClient.request(DocumentCategoriesDocument, { recommended: true });
    expect(recommended.map((c) => c.key)).toEqual(expectedRecommended);
    const { documentCategories: others } = await firm.employeeClient.request(DocumentCategoriesDocument, { recommended: false });
    expect(others.map((c) => c.key)).toEqual(DEFAULT_CATEGORIES.filter((c) => !c.recommended).map((c) => c.key));
    // Reading again creates nothing more.
    await firm.adminClient.request(DocumentCategoriesDocument, {});
    expect(await categoriesOf(firm.tenant.id)).toHaveLength(10);
  });

  it("C4: an admin sets exactly which categories are recommended; an empty list clears them", async () => {
    const ids = await categoryIds(firm.adminClient);
    const { setRecommendedDocumentCategories } = await firm.adminClient.request(SetRecommendedDocumentCategoriesDocument, {
      input: { categoryIds: [ids.OTHER!, ids.CORRESPONDENCE!] },
    });
    expect(setRecommendedDocumentCategories.categories.filter((c) => c.recommended).map((c) => c.key)).toEqual(["CORRESPONDENCE", "OTHER"]);
    const { documentCategories: recommended } = await firm.employeeClient.request(DocumentCategoriesDocument, { recommended: true });
    expect(recommended.map((c) => c.key)).toEqual(["CORRESPONDENCE", "OTHER"]);

    const cleared = await firm.adminClient.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [] } });
    expect(cleared.setRecommendedDocumentCategories.categories.filter((c) => c.recommended)).toEqual([]);
    expect((await categoriesOf(firm.tenant.id)).filter((c) => c.recommended)).toEqual([]);

    await firm.adminClient.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [ids.POLICY!] } });
    const { documentCategories: now } = await firm.employeeClient.request(DocumentCategoriesDocument, { recommended: true });
    expect(now.map((c) => c.key)).toEqual(["POLICY"]);
  });

  it("C4: a category of another firm is NOT_FOUND and nothing changes", async () => {
    const other = await f.buildFirm();
    const foreign = await categoryIds(other.adminClient);
    const own = await categoryIds(firm.adminClient);
    const before = await categoriesOf(firm.tenant.id);
    const foreignBefore = await categoriesOf(other.tenant.id);
    await expectApiError(firm.adminClient.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [own.INVOICE!, foreign.OTHER!] } }), "NOT_FOUND");
    expect(await categoriesOf(firm.tenant.id)).toEqual(before);
    expect(await categoriesOf(other.tenant.id)).toEqual(foreignBefore);
  });

  it("C2: an admin creates a category of the firm's own; a second one of the same name is a CONFLICT", async () => {
    const { createDocumentCategory } = await firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: "  Kfz-Unterlagen ", recommended: true } });
    expect(createDocumentCategory.category).toMatchObject({ name: "Kfz-Unterlagen", recommended: true });
    const { documentCategories: all } = await firm.employeeClient.request(DocumentCategoriesDocument, {});
    expect(all).toHaveLength(11);
    expect(all.at(-1)).toMatchObject({ id: createDocumentCategory.category.id, key: null, name: "Kfz-Unterlagen", recommended: true });
    const taken = await expectApiError(firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: "Kfz-Unterlagen", recommended: false } }), "CONFLICT");
    // The field and its rule, and no rule number, reach the client.
    expect(taken.errors[0]!.extensions).toEqual({ code: "CONFLICT", fields: [{ field: "input.name", rule: "UNIQUE", message: "is already in use" }] });
    const err = await expectApiError(firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: "   ", recommended: false } }), "BAD_USER_INPUT");
    expect(err.fields[0]!.field).toBe("input.name");
    expect(await categoriesOf(firm.tenant.id)).toHaveLength(11);
  });

  it("C2/C4: an employee gets FORBIDDEN for creating a category and for the recommended set; nothing changes", async () => {
    const ids = await categoryIds(firm.employeeClient);
    const before = await categoriesOf(firm.tenant.id);
    await expectApiError(firm.employeeClient.request(CreateDocumentCategoryDocument, { input: { name: "Von der Angestellten", recommended: false } }), "FORBIDDEN");
    await expectApiError(firm.employeeClient.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [ids.CLAIM!] } }), "FORBIDDEN");
    expect(await categoriesOf(firm.tenant.id)).toEqual(before);
  });

  it("C2: app accounts get FORBIDDEN on categories and their management", async () => {
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const app = await f.appClient(account);
    const before = await categoriesOf(firm.tenant.id);
    await expectApiError(app.request(DocumentCategoriesDocument, {}), "FORBIDDEN");
    await expectApiError(app.request(CreateDocumentCategoryDocument, { input: { name: "Aus der App", recommended: false } }), "FORBIDDEN");
    await expectApiError(app.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [] } }), "FORBIDDEN");
    expect(await categoriesOf(firm.tenant.id)).toEqual(before);
  });
});

describe("staff uploads and the green eye (rules C2, C3)", () => {
  let firm: Firm;
  let cat: Record<string, string>;
  let customer: Customer;
  let neighbour: Customer;
  let app: KundenappClient;
  beforeAll(async () => {
    firm = await f.buildFirm();
    cat = await categoryIds(firm.adminClient);
    customer = await f.buildCustomer({ tenant: firm.tenant });
    neighbour = await f.buildCustomer({ tenant: firm.tenant });
    app = await f.appClient(await f.buildAppAccount({ customer }));
  });

  it("C2: staff upload a document; it is not visible to the customer by default (C3: not listed, node NOT_FOUND)", async () => {
    const doc = await uploadDocument(firm.employeeClient, { customerId: gid("Customer", customer.id), categoryId: cat.POLICY! });
    expect(doc).toMatchObject({
      title: "police.pdf",
      fileName: "police.pdf",
      mimeType: "application/pdf",
      size: PDF.length,
      visibleToCustomer: false,
      source: "STAFF",
      category: { key: "POLICY" },
      customer: { id: gid("Customer", customer.id) },
    });
    const [row] = await db().select().from(documents).where(eq(documents.id, dbId(doc.id)));
    expect(row).toMatchObject({ tenantId: firm.tenant.id, customerId: customer.id, visibleToCustomer: false, uploadedByStaffId: firm.employee.id, uploadedByAccountId: null });
    const [file] = await db().select().from(files).where(eq(files.id, row!.fileId));
    expect(file).toMatchObject({ status: "ATTACHED", expiresAt: null, mimeType: "application/pdf" });

    // Staff see it and may download it.
    expect((await listed(firm.adminClient, { customerId: gid("Customer", customer.id) })).map((d) => d.id)).toContain(doc.id);
    const { node } = await firm.adminClient.request(DocumentDownloadDocument, { id: doc.id });
    const got = await download((node as { downloadUrl: string }).downloadUrl);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(PDF)).toBe(true);

    // The customer does not.
    expect((await listed(app)).map((d) => d.id)).not.toContain(doc.id);
    await expectApiError(app.request(DocumentDownloadDocument, { id: doc.id }), "NOT_FOUND");
  });

  it("C2: staff must choose a category, of their own firm", async () => {
    const put = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
    const err = await expectApiError(firm.employeeClient.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: gid("Customer", customer.id) } }), "BAD_USER_INPUT");
    expect(err.fields[0]).toMatchObject({ field: "input.categoryId", rule: "REQUIRED" });
    const other = await f.buildFirm();
    const foreign = await categoryIds(other.adminClient);
    await expectApiError(
      firm.employeeClient.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: gid("Customer", customer.id), categoryId: foreign.POLICY! } }),
      "NOT_FOUND",
    );
    // A customer of another firm is NOT_FOUND too.
    const stranger = await f.buildCustomer({ tenant: other.tenant });
    await expectApiError(
      firm.employeeClient.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: gid("Customer", stranger.id), categoryId: cat.POLICY! } }),
      "NOT_FOUND",
    );
    expect((await documentsOf(firm.tenant.id)).filter((d) => gid("File", d.fileId) === put.fileId)).toEqual([]);
    expect(await documentsOf(other.tenant.id)).toEqual([]);
    // The file was not used up by the refusals.
    const ok = await firm.employeeClient.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: gid("Customer", customer.id), categoryId: cat.INVOICE! } });
    expect(ok.uploadDocument.document.category.key).toBe("INVOICE");
  });

  it("C2/C3: released per document, the customer sees it and downloads the bytes with the sniffed content type", async () => {
    // A PNG declared as JPEG: the real type counts.
    const doc = await uploadDocument(
      firm.adminClient,
      { customerId: gid("Customer", customer.id), categoryId: cat.CORRESPONDENCE!, title: "Brief vom Makler" },
      { bytes: PNG, contentType: "image/jpeg", fileName: "brief.jpg" },
    );
    expect(doc).toMatchObject({ title: "Brief vom Makler", mimeType: "image/png", visibleToCustomer: false });
    const { setDocumentVisibility } = await firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [doc.id], visible: true } });
    expect(setDocumentVisibility.changed).toBe(1);
    // Again: nothing left to change.
    const again = await firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [doc.id], visible: true } });
    expect(again.setDocumentVisibility.changed).toBe(0);

    const seen = (await listed(app)).find((d) => d.id === doc.id);
    expect(seen).toMatchObject({ visibleToCustomer: true, title: "Brief vom Makler", mimeType: "image/png", customer: { id: gid("Customer", customer.id) } });
    const { node } = await app.request(DocumentDownloadDocument, { id: doc.id });
    const got = await download((node as { downloadUrl: string }).downloadUrl);
    expect(got.status).toBe(200);
    expect(got.contentType).toBe("image/png");
    expect(got.bytes.equals(PNG)).toBe(true);

    // Withdrawn: gone for the customer again.
    const withdrawn = await firm.employeeClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [doc.id], visible: false } });
    expect(withdrawn.setDocumentVisibility.changed).toBe(1);
    expect((await listed(app)).map((d) => d.id)).not.toContain(doc.id);
    await expectApiError(app.request(DocumentDownloadDocument, { id: doc.id }), "NOT_FOUND");
  });

  it("C2: staff may release at upload time", async () => {
    const doc = await uploadDocument(firm.employeeClient, { customerId: gid("Customer", customer.id), categoryId: cat.INVOICE!, visibleToCustomer: true });
    expect(doc.visibleToCustomer).toBe(true);
    expect((await listed(app)).map((d) => d.id)).toContain(doc.id);
  });

  it("C2: in bulk by customer and by category, only those documents change, and `changed` counts them", async () => {
    const bulkFirm = await f.buildFirm();
    const c = await categoryIds(bulkFirm.adminClient);
    const [anna, bert] = [await f.buildCustomer({ tenant: bulkFirm.tenant }), await f.buildCustomer({ tenant: bulkFirm.tenant })];
    const up = (who: Customer, category: string, visibleToCustomer = false) =>
      uploadDocument(bulkFirm.employeeClient, { customerId: gid("Customer", who.id), categoryId: c[category]!, visibleToCustomer });
    const annaPolicy = await up(anna, "POLICY");
    const annaInvoice = await up(anna, "INVOICE");
    const annaOther = await up(anna, "OTHER", true);
    const bertPolicy = await up(bert, "POLICY");
    const bertInvoice = await up(bert, "INVOICE");
    const visible = async () =>
      Object.fromEntries((await documentsOf(bulkFirm.tenant.id)).map((d) => [gid("Document", d.id), d.visibleToCustomer])) as Record<string, boolean>;
    const set = async (input: { customerId?: string; categoryId?: string; visible: boolean }) =>
      (await bulkFirm.employeeClient.request(SetDocumentVisibilityDocument, { input })).setDocumentVisibility.changed;

    // By customer: Anna's two hidden ones change, her visible one and Bert's do not.
    expect(await set({ customerId: gid("Customer", anna.id), visible: true })).toBe(2);
    expect(await visible()).toEqual({ [annaPolicy.id]: true, [annaInvoice.id]: true, [annaOther.id]: true, [bertPolicy.id]: false, [bertInvoice.id]: false });

    // By category: every POLICY document of the firm.
    expect(await set({ categoryId: c.POLICY!, visible: true })).toBe(1);
    expect(await visible()).toEqual({ [annaPolicy.id]: true, [annaInvoice.id]: true, [annaOther.id]: true, [bertPolicy.id]: true, [bertInvoice.id]: false });
    expect(await set({ categoryId: c.POLICY!, visible: false })).toBe(2);
    expect(await visible()).toEqual({ [annaPolicy.id]: false, [annaInvoice.id]: true, [annaOther.id]: true, [bertPolicy.id]: false, [bertInvoice.id]: false });

    // By customer and category together.
    expect(await set({ customerId: gid("Customer", anna.id), categoryId: c.INVOICE!, visible: false })).toBe(1);
    expect(await visible()).toEqual({ [annaPolicy.id]: false, [annaInvoice.id]: false, [annaOther.id]: true, [bertPolicy.id]: false, [bertInvoice.id]: false });

    // A category with no documents changes nothing.
    expect(await set({ categoryId: c.CLAIM!, visible: true })).toBe(0);

    // The other firm (the describe's) is untouched by all of this.
    expect((await documentsOf(firm.tenant.id)).length).toBeGreaterThan(0);
  });

  it("C2: the mutation returns the changed documents as they are now (newest first), so a client cache needs no refetch", async () => {
    const bulkFirm = await f.buildFirm();
    const c = await categoryIds(bulkFirm.adminClient);
    const anna = await f.buildCustomer({ tenant: bulkFirm.tenant });
    const up = (category: string, visibleToCustomer = false) =>
      uploadDocument(bulkFirm.employeeClient, { customerId: gid("Customer", anna.id), categoryId: c[category]!, visibleToCustomer, title: `${category} Anna` });
    const [policy, invoice, shown] = [await up("POLICY"), await up("INVOICE"), await up("OTHER", true)];

    const set = async (input: { documentIds?: string[]; customerId?: string; categoryId?: string; visible: boolean }) =>
      (await bulkFirm.employeeClient.request(SetDocumentVisibilityDocument, { input })).setDocumentVisibility;

    // In bulk by customer: the two that changed, newest first, with their new state; the one already visible is left out.
    const released = await set({ customerId: gid("Customer", anna.id), visible: true });
    expect(released.changed).toBe(2);
    expect(released.documents).toEqual([
      { id: invoice.id, title: "INVOICE Anna", visibleToCustomer: true },
      { id: policy.id, title: "POLICY Anna", visibleToCustomer: true },
    ]);
    // By ids: only the one that changed.
    const withdrawn = await set({ documentIds: [policy.id, shown.id, invoice.id], visible: false });
    expect(withdrawn.changed).toBe(3);
    expect(withdrawn.documents.map((d) => [d.id, d.visibleToCustomer])).toEqual([
      [shown.id, false],
      [invoice.id, false],
      [policy.id, false],
    ]);
    // Nothing to change: an empty list, and `changed` agrees.
    const again = await set({ documentIds: [policy.id], visible: false });
    expect(again).toEqual({ changed: 0, documents: [] });
    // What it returned is what the list shows.
    const now = Object.fromEntries((await listed(bulkFirm.employeeClient)).map((d) => [d.id, d.visibleToCustomer]));
    expect(now).toEqual({ [policy.id]: false, [invoice.id]: false, [shown.id]: false });
  });

  it("C2: staff filter the list by customer, category and visibility", async () => {
    const docs = await listed(firm.employeeClient, { customerId: gid("Customer", customer.id) });
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.every((d) => d.customer.id === gid("Customer", customer.id))).toBe(true);
    const invoices = await listed(firm.employeeClient, { categoryId: cat.INVOICE! });
    expect(invoices.length).toBeGreaterThan(0);
    expect(invoices.every((d) => d.category.key === "INVOICE")).toBe(true);
    const hidden = await listed(firm.employeeClient, { visibleToCustomer: false });
    expect(hidden.every((d) => !d.visibleToCustomer)).toBe(true);
    const shown = await listed(firm.employeeClient, { visibleToCustomer: true });
    expect(shown.every((d) => d.visibleToCustomer)).toBe(true);
    expect(hidden.length + shown.length).toBe((await documentsOf(firm.tenant.id)).length);
    // Newest first.
    const all = await listed(firm.employeeClient);
    expect(all.map((d) => d.id)).toEqual([...(await documentsOf(firm.tenant.id))].reverse().map((d) => gid("Document", d.id)));
  });

  it("C2: a document id of another firm is NOT_FOUND and nothing changes in either firm", async () => {
    const other = await f.buildFirm();
    const otherCat = await categoryIds(other.adminClient);
    const foreign = await uploadDocument(other.adminClient, { customerId: gid("Customer", (await f.buildCustomer({ tenant: other.tenant })).id), categoryId: otherCat.POLICY! });
    const own = await uploadDocument(firm.adminClient, { customerId: gid("Customer", neighbour.id), categoryId: cat.POLICY! });
    const [before, foreignBefore] = [await documentsOf(firm.tenant.id), await documentsOf(other.tenant.id)];
    await expectApiError(firm.adminClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [foreign.id], visible: true } }), "NOT_FOUND");
    await expectApiError(firm.adminClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [own.id, foreign.id], visible: true } }), "NOT_FOUND");
    await expectApiError(firm.adminClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [gid("Document", crypto.randomUUID())], visible: true } }), "NOT_FOUND");
    // Another firm's customer or category as the bulk selector is NOT_FOUND as well.
    await expectApiError(
      firm.adminClient.request(SetDocumentVisibilityDocument, { input: { customerId: foreign.customer.id, visible: true } }),
      "NOT_FOUND",
    );
    await expectApiError(firm.adminClient.request(SetDocumentVisibilityDocument, { input: { categoryId: otherCat.POLICY!, visible: true } }), "NOT_FOUND");
    expect(await documentsOf(firm.tenant.id)).toEqual(before);
    expect(await documentsOf(other.tenant.id)).toEqual(foreignBefore);
    // Nor does staff of one firm see the other's document.
    await expectApiError(firm.adminClient.request(DocumentDownloadDocument, { id: foreign.id }), "NOT_FOUND");
  });

  it("C2: setDocumentVisibility with no selector is BAD_USER_INPUT; app accounts get FORBIDDEN", async () => {
    const before = await documentsOf(firm.tenant.id);
    const err = await expectApiError(firm.adminClient.request(SetDocumentVisibilityDocument, { input: { visible: true } }), "BAD_USER_INPUT");
    expect(err.fields[0]).toMatchObject({ field: "input", rule: "SELECTOR" });
    await expectApiError(firm.adminClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [], visible: true } }), "BAD_USER_INPUT");
    await expectApiError(app.request(SetDocumentVisibilityDocument, { input: { customerId: gid("Customer", customer.id), visible: true } }), "FORBIDDEN");
    expect(await documentsOf(firm.tenant.id)).toEqual(before);
  });
});

describe("C5: app accounts upload documents (rules C5, C3)", () => {
  let firm: Firm;
  let third: Awaited<ReturnType<typeof f.buildStaff>>;
  let thirdClient: KundenappClient;
  let own: Customer;
  let granted: Customer;
  let unassigned: Customer;
  let other: Customer;
  let app: KundenappClient;
  let cat: Record<string, string>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    third = await f.buildStaff({ tenant: firm.tenant });
    thirdClient = await f.staffClient(third);
    cat = await categoryIds(firm.adminClient);
    own = await f.buildCustomer({ tenant: firm.tenant, firstName: "Kim", lastName: "Eigen" });
    granted = await f.buildCustomer({ tenant: firm.tenant, firstName: "Haus", lastName: "Halt" });
    unassigned = await f.buildCustomer({ tenant: firm.tenant });
    other = await f.buildCustomer({ tenant: firm.tenant });
    const account = await f.buildAppAccount({ customer: own });
    await f.grantAccess(account, granted);
    await f.grantAccess(account, unassigned);
    app = await f.appClient(account);
    const setResponsible = (c: Customer, staff: string[]) =>
      firm.adminClient.request(SetResponsibleStaffDocument, { input: { customerId: gid("Customer", c.id), staffUserIds: staff.map((s) => gid("StaffUser", s)) } });
    await setResponsible(own, [third.id, firm.employee.id]);
    await setResponsible(granted, [firm.admin.id]);
    await setResponsible(other, [third.id, firm.employee.id, firm.admin.id]);
  });

  /** Each staff user's DOCUMENT_UPLOADED notifications about a document. */
  async function notifiedAbout(documentId: string) {
    const out: Record<string, number> = {};
    for (const [who, client] of [["admin", firm.adminClient], ["employee", firm.employeeClient], ["third", thirdClient]] as const) {
      const { notifications: list } = await client.request(NotificationsDocument, { first: 100 });
      out[who] = list.edges.filter((e) => e.node.kind === "DOCUMENT_UPLOADED" && e.node.subjectId === documentId).length;
    }
    return out;
  }

  it("C5: a photo uploaded to its own customer is visible to it, source CUSTOMER, category OTHER; the responsible staff are notified", async () => {
    const doc = await uploadDocument(app, { customerId: gid("Customer", own.id) }, { bytes: JPEG, contentType: "image/jpeg", fileName: "schaden.jpg" });
    expect(doc).toMatchObject({ visibleToCustomer: true, source: "CUSTOMER", category: { key: "OTHER" }, mimeType: "image/jpeg", title: "schaden.jpg" });
    const [row] = await db().select().from(documents).where(eq(documents.id, dbId(doc.id)));
    expect(row).toMatchObject({ customerId: own.id, visibleToCustomer: true, uploadedByStaffId: null });
    expect(row!.uploadedByAccountId).toBeTruthy();

    // C3: the app lists it and downloads it.
    expect((await listed(app)).find((d) => d.id === doc.id)).toMatchObject({ source: "CUSTOMER" });
    const { node } = await app.request(DocumentDownloadDocument, { id: doc.id });
    const got = await download((node as { downloadUrl: string }).downloadUrl);
    expect(got.status).toBe(200);
    expect(got.contentType).toBe("image/jpeg");
    expect(got.bytes.equals(JPEG)).toBe(true);
    // Staff see it as the customer's upload.
    expect((await listed(firm.employeeClient, { customerId: gid("Customer", own.id) })).find((d) => d.id === doc.id)).toMatchObject({ source: "CUSTOMER", visibleToCustomer: true });

    // The customer's responsible staff (third, then the employee) each get one notice; the admin none.
    expect(await notifiedAbout(doc.id)).toEqual({ third: 1, employee: 1, admin: 0 });
    const rows = await db().select().from(notifications).where(and(eq(notifications.subjectId, dbId(doc.id)), eq(notifications.kind, "DOCUMENT_UPLOADED")));
    expect(rows.map((r) => r.staffUserId).sort()).toEqual([third.id, firm.employee.id].sort());
    expect(rows[0]!.title).toContain("Kim Eigen");
  });

  it("C5: an upload to a granted customer notifies that customer's responsible staff only", async () => {
    const doc = await uploadDocument(app, { customerId: gid("Customer", granted.id), categoryId: cat.POLICY! }, { bytes: HEIC, contentType: "image/heic", fileName: "police.heic" });
    expect(doc).toMatchObject({ visibleToCustomer: true, source: "CUSTOMER", category: { key: "POLICY" }, mimeType: "image/heic", customer: { id: gid("Customer", granted.id) } });
    expect(await notifiedAbout(doc.id)).toEqual({ third: 0, employee: 0, admin: 1 });
    expect((await listed(app, { customerId: gid("Customer", granted.id) })).map((d) => d.id)).toContain(doc.id);
  });

  it("C5: with no responsible staff, nobody is notified", async () => {
    const before = (await notificationsOf(firm.tenant.id)).length;
    const doc = await uploadDocument(app, { customerId: gid("Customer", unassigned.id) }, { bytes: PDF, contentType: "application/pdf", fileName: "antrag.pdf" });
    expect(doc).toMatchObject({ visibleToCustomer: true, source: "CUSTOMER", mimeType: "application/pdf" });
    expect(await notificationsOf(firm.tenant.id)).toHaveLength(before);
  });

  it("C5/C3: uploading to a customer the account cannot access is NOT_FOUND: no document, no notice, the file stays unattached", async () => {
    const foreign = await f.buildCustomer();
    const [docsBefore, noticesBefore] = [await documentsOf(firm.tenant.id), await notificationsOf(firm.tenant.id)];
    const put = await upload(app, { purpose: "DOCUMENT", bytes: JPEG, contentType: "image/jpeg" });
    expect(put.status).toBe(200);
    for (const customer of [other, foreign]) {
      await expectApiError(app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: gid("Customer", customer.id) } }), "NOT_FOUND");
    }
    await expectApiError(app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: gid("Customer", crypto.randomUUID()) } }), "NOT_FOUND");
    expect(await documentsOf(firm.tenant.id)).toEqual(docsBefore);
    expect(await documentsOf(foreign.tenantId)).toEqual([]);
    expect(await notificationsOf(firm.tenant.id)).toEqual(noticesBefore);
    const [file] = await db().select().from(files).where(eq(files.id, dbId(put.fileId)));
    expect(file!.status).toBe("STORED");
  });

  it("C5: naming a contract or a claim (none exist yet) is NOT_FOUND and writes nothing", async () => {
    const [docsBefore, noticesBefore] = [await documentsOf(firm.tenant.id), await notificationsOf(firm.tenant.id)];
    const put = await upload(app, { purpose: "DOCUMENT", bytes: PNG, contentType: "image/png" });
    await expectApiError(
      app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: gid("Customer", own.id), contractId: gid("Contract", crypto.randomUUID()) } }),
      "NOT_FOUND",
    );
    await expectApiError(
      app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: gid("Customer", own.id), claimId: gid("Claim", crypto.randomUUID()) } }),
      "NOT_FOUND",
    );
    expect(await documentsOf(firm.tenant.id)).toEqual(docsBefore);
    expect(await notificationsOf(firm.tenant.id)).toEqual(noticesBefore);
    const [file] = await db().select().from(files).where(eq(files.id, dbId(put.fileId)));
    expect(file!.status).toBe("STORED");
  });

  it("C5: a customer's own upload is always visible to it: visibleToCustomer false is refused", async () => {
    const before = await documentsOf(firm.tenant.id);
    const put = await upload(app, { purpose: "DOCUMENT", bytes: PNG, contentType: "image/png" });
    const err = await expectApiError(
      app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: gid("Customer", own.id), visibleToCustomer: false } }),
      "BAD_USER_INPUT",
    );
    expect(err.fields).toEqual([expect.objectContaining({ field: "input.visibleToCustomer", rule: "ALWAYS_VISIBLE" })]);
    expect(await documentsOf(firm.tenant.id)).toEqual(before);
  });

  it("C3: the app lists only released documents of customers it may access", async () => {
    const hidden = await uploadDocument(firm.adminClient, { customerId: gid("Customer", own.id), categoryId: cat.POLICY! });
    const neighbours = await uploadDocument(firm.adminClient, { customerId: gid("Customer", other.id), categoryId: cat.POLICY!, visibleToCustomer: true });
    const ids = (await listed(app)).map((d) => d.id);
    expect(ids).not.toContain(hidden.id);
    expect(ids).not.toContain(neighbours.id);
    const rows = await documentsOf(firm.tenant.id);
    const expected = rows.filter((r) => r.visibleToCustomer && [own.id, granted.id, unassigned.id].includes(r.customerId)).reverse().map((r) => gid("Document", r.id));
    expect(ids).toEqual(expected);
    await expectApiError(app.request(DocumentsDocument, { customerId: gid("Customer", other.id) }), "NOT_FOUND");
    await expectApiError(app.request(DocumentDownloadDocument, { id: neighbours.id }), "NOT_FOUND");
  });
});

describe("download URLs check access again when used (rule C3: every file download)", () => {
  /** A released document of `customer`, uploaded by the firm's admin, and the URL an app account was given for it. */
  async function releasedDocumentUrl(firm: Awaited<ReturnType<typeof f.buildFirm>>, customer: { id: string }, app: KundenappClient) {
    const categories = await firm.adminClient.request(DocumentCategoriesDocument, {});
    const up = await upload(firm.adminClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: "police.pdf" });
    const { uploadDocument } = await firm.adminClient.request(UploadDocumentDocument, {
      input: { fileId: up.fileId, customerId: gid("Customer", customer.id), categoryId: categories.documentCategories[0]!.id, visibleToCustomer: true },
    });
    const node = await app.request(DocumentDownloadDocument, { id: uploadDocument.document.id });
    const url = (node.node as { downloadUrl: string }).downloadUrl;
    expect((await fetch(url)).status).toBe(200);
    return { url, documentId: uploadDocument.document.id };
  }

  it("a document withdrawn after the URL was handed out is no longer served", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const app = await f.appClient(account);
    const { url, documentId } = await releasedDocumentUrl(firm, account.customer, app);
    await firm.adminClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [documentId], visible: false } });
    expect((await fetch(url)).status).toBe(404);
  });

  it("a household grant revoked after the URL was handed out stops it (rule D9)", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const partner = await f.buildCustomer({ tenant: firm.tenant });
    await f.grantAccess(account, partner);
    const app = await f.appClient(account);
    const { url } = await releasedDocumentUrl(firm, partner, app);
    await firm.adminClient.request(RevokeCustomerAccessDocument, { input: { appAccountId: gid("AppAccount", account.id), customerId: gid("Customer", partner.id) } });
    expect((await fetch(url)).status).toBe(404);
  });

  it("a URL dies with the session it was issued to (logout)", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const app = await f.appClient(account);
    const { url } = await releasedDocumentUrl(firm, account.customer, app);
    await app.request(LogoutDocument);
    expect((await fetch(url)).status).toBe(404);
  });
});
