/**
 * Firm isolation and access levels, for every operation of the API (rules B1, C3).
 *
 * THE place to register new operations: add one line to `operations` (who may call it),
 * to `forAppAccounts` (if the customer app may call it too), to `byId` (if it takes an object's ID)
 * and to `lists` (if it returns a list of firm rows), and the firm's table to `firmTables`.
 * Each line is checked against every rule below.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { eq, inArray, type AnyColumn, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { startTestServer, expectApiError, type TestServer } from "./harness.js";
import { factories, upload } from "./factories.js";
import {
  BrokerProfileDocument,
  CreateCustomerDocument,
  CreateDocumentCategoryDocument,
  CreateUploadDocument,
  CustomerDocument,
  CustomersDocument,
  DocumentCategoriesDocument,
  DocumentsDocument,
  SetDocumentVisibilityDocument,
  SetRecommendedDocumentCategoriesDocument,
  SetResponsibleStaffDocument,
  UpdateCustomerDocument,
  UploadDocumentDocument,
  ChangeMyPasswordDocument,
  CreateTenantDocument,
  InviteStaffUserDocument,
  LogoutDocument,
  MarkNotificationsReadDocument,
  NodeDocument,
  NotificationsDocument,
  SetCustomerAppEnabledDocument,
  StaffUsersCountDocument,
  StaffUsersDocument,
  TenantDocument,
  UpdateBrokerProfileDocument,
  UpdateMySettingsDocument,
  UpdateStaffUserDocument,
  type KundenappClient,
} from "../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../graphql/relay.js";
import { PDF } from "./fixtures.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import { staffUsers } from "../modules/staff/staff.table.js";
import { oneTimeTokens, sessions } from "../modules/session/session.table.js";
import { notifications } from "../modules/notification/notification.table.js";
import { customerResponsibleStaff, customers } from "../modules/customer/customer.table.js";
import { documentCategories, documents } from "../modules/document/document.table.js";
import { files } from "../files/file.table.js";
import {
  ActivateAppAccountDocument,
  AppAccountsDocument,
  AppViewerDocument,
  ApiError,
  DeactivateAppAccountDocument,
  DeleteAppAccountDocument,
  GrantCustomerAccessDocument,
  InviteCustomersDocument,
  ReactivateAppAccountDocument,
  RevokeCustomerAccessDocument,
} from "../sdk/client.js";
import { appAccountAccess, appAccounts } from "../modules/account/account.table.js";
import { mailOutbox } from "../mail/outbox.table.js";
import { events } from "../realtime/events.table.js";

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
type Call = (client: KundenappClient, own: Firm) => Promise<unknown>;

const uniqueMail = () => `iso-${crypto.randomBytes(5).toString("hex")}@example.test`;
const profile = { name: "Übernahme GmbH", phone: "030 1234567", street: "Hauptstraße 1", postalCode: "10115", city: "Berlin" };

/**
 * Every operation that needs a login, and the least access level that may call it:
 * `staff` (any staff user), `admin`, or `operator` (the platform operator's token).
 * `own` is the caller's firm; the call should be valid input, so only access decides the answer.
 */
const operations: Array<[name: string, access: "staff" | "admin" | "operator", call: Call]> = [
  ["tenant", "staff", (c) => c.request(TenantDocument)],
  ["brokerProfile", "staff", (c) => c.request(BrokerProfileDocument)],
  ["staffUsers", "staff", (c) => c.request(StaffUsersDocument, { first: 10 })],
  ["staffUsers.totalCount", "staff", (c) => c.request(StaffUsersCountDocument, {})],
  ["node(Tenant)", "staff", (c, own) => c.request(NodeDocument, { id: toGlobalId("Tenant", own.tenant.id) })],
  ["node(StaffUser)", "staff", (c, own) => c.request(NodeDocument, { id: toGlobalId("StaffUser", own.admin.id) })],
  ["updateMySettings", "staff", (c) => c.request(UpdateMySettingsDocument, { input: { emailNotifications: true } })],
  ["changeMyPassword", "staff", (c) => c.request(ChangeMyPasswordDocument, { input: { currentPassword: "Falsch-Passwort-1", newPassword: "Neues-Passwort-8" } })],
  ["logout", "staff", (c) => c.request(LogoutDocument)],
  ["notifications", "staff", (c) => c.request(NotificationsDocument, { first: 10 })],
  ["markNotificationsRead", "staff", (c) => c.request(MarkNotificationsReadDocument, { input: { all: true } })],
  ["inviteStaffUser", "admin", (c) => c.request(InviteStaffUserDocument, { input: { email: uniqueMail(), name: "Eingeladen", role: "ADMIN", permissions: ["CHAT"] } })],
  ["updateStaffUser", "admin", (c, own) => c.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", own.employee.id), role: "ADMIN", permissions: ["CHAT", "CLAIMS"] } })],
  ["updateBrokerProfile", "admin", (c) => c.request(UpdateBrokerProfileDocument, { input: profile })],
  ["customers", "staff", (c) => c.request(CustomersDocument, { first: 10 })],
  ["customer", "staff", (c, own) => c.request(CustomerDocument, { id: toGlobalId("Customer", docs(own).customer) })],
  ["node(Customer)", "staff", (c, own) => c.request(NodeDocument, { id: toGlobalId("Customer", docs(own).customer) })],
  ["createCustomer", "staff", (c) => c.request(CreateCustomerDocument, { input: { firstName: "Iso", lastName: "Neukunde" } })],
  ["updateCustomer", "staff", (c, own) => c.request(UpdateCustomerDocument, { input: { id: toGlobalId("Customer", docs(own).customer), city: "Bremen" } })],
  [
    "setResponsibleStaff",
    "staff",
    (c, own) => c.request(SetResponsibleStaffDocument, { input: { customerId: toGlobalId("Customer", docs(own).customer), staffUserIds: [toGlobalId("StaffUser", own.employee.id)] } }),
  ],
  ["documents", "staff", (c) => c.request(DocumentsDocument, { first: 10 })],
  ["node(Document)", "staff", (c, own) => c.request(NodeDocument, { id: toGlobalId("Document", docs(own).document) })],
  ["documentCategories", "staff", (c) => c.request(DocumentCategoriesDocument, {})],
  ["createUpload", "staff", (c) => c.request(CreateUploadDocument, { input: { purpose: "DOCUMENT", contentType: "application/pdf", size: 100, fileName: "iso.pdf" } })],
  [
    "uploadDocument",
    "staff",
    async (c, own) => {
      const { fileId } = await upload(c, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
      return c.request(UploadDocumentDocument, { input: { fileId, customerId: toGlobalId("Customer", docs(own).customer), categoryId: toGlobalId("DocumentCategory", docs(own).category) } });
    },
  ],
  ["setDocumentVisibility", "staff", (c, own) => c.request(SetDocumentVisibilityDocument, { input: { documentIds: [toGlobalId("Document", docs(own).document)], visible: true } })],
  ["createDocumentCategory", "admin", (c) => c.request(CreateDocumentCategoryDocument, { input: { name: `Iso ${crypto.randomBytes(4).toString("hex")}`, recommended: false } })],
  [
    "setRecommendedDocumentCategories",
    "admin",
    (c, own) => c.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [toGlobalId("DocumentCategory", docs(own).category)] } }),
  ],
  ["appAccounts", "admin", (c) => c.request(AppAccountsDocument, { first: 10 })],
  ["inviteCustomers", "staff", (c, own) => inviteOne(c, toGlobalId("Customer", accts(own).invitee))],
  ["activateAppAccount", "admin", (c, own) => c.request(ActivateAppAccountDocument, { input: { id: toGlobalId("AppAccount", accts(own).invited) } })],
  ["deactivateAppAccount", "admin", (c, own) => c.request(DeactivateAppAccountDocument, { input: { id: toGlobalId("AppAccount", accts(own).account) } })],
  ["reactivateAppAccount", "admin", (c, own) => c.request(ReactivateAppAccountDocument, { input: { id: toGlobalId("AppAccount", accts(own).account) } })],
  ["deleteAppAccount", "admin", (c, own) => c.request(DeleteAppAccountDocument, { input: { id: toGlobalId("AppAccount", accts(own).deletable[0]) } })],
  [
    "grantCustomerAccess",
    "staff",
    (c, own) => c.request(GrantCustomerAccessDocument, { input: { appAccountId: toGlobalId("AppAccount", accts(own).account), customerId: toGlobalId("Customer", accts(own).household) } }),
  ],
  [
    "revokeCustomerAccess",
    "staff",
    (c, own) => c.request(RevokeCustomerAccessDocument, { input: { appAccountId: toGlobalId("AppAccount", accts(own).account), customerId: toGlobalId("Customer", accts(own).household) } }),
  ],
  ["createTenant", "operator", (c) => c.request(CreateTenantDocument, { input: { name: "Neue Firma", adminEmail: uniqueMail(), adminName: "Admin" } })],
  ["setCustomerAppEnabled", "operator", (c, own) => c.request(SetCustomerAppEnabledDocument, { input: { brokerId: own.tenant.brokerId, enabled: !own.tenant.customerAppEnabled } })],
];

/**
 * The operations of `operations` a logged-in app account (of the same firm) may call, on its own objects (rule C3):
 * `ok` it gets an answer; `hidden` it may call it, but the object the line names is not one an app account sees,
 * so NOT_FOUND. Every operation not named here is staff-only (or the operator's): an app account gets FORBIDDEN.
 * The app account is the one of firm A's seeded customer, `docs(a).customer`, whose seeded document is released to it.
 */
const forAppAccounts: Record<string, "ok" | "hidden"> = {
  tenant: "ok",
  brokerProfile: "ok",
  "node(Tenant)": "ok",
  "node(StaffUser)": "hidden",
  logout: "ok",
  customer: "ok",
  "node(Customer)": "ok",
  documents: "ok",
  "node(Document)": "ok",
  createUpload: "ok",
  uploadDocument: "ok",
};

/**
 * Operations that take an object's ID: the type of that object, an object of it in a firm, and the call.
 * A foreign firm's object must be indistinguishable from one that does not exist.
 */
const byId: Array<[name: string, type: string, objectOf: (firm: Firm) => string, call: (client: KundenappClient, id: string) => Promise<unknown>]> = [
  ["node(id) of a Tenant", "Tenant", (firm) => firm.tenant.id, (c, id) => c.request(NodeDocument, { id })],
  ["node(id) of a StaffUser", "StaffUser", (firm) => firm.employee.id, (c, id) => c.request(NodeDocument, { id })],
  ["updateStaffUser", "StaffUser", (firm) => firm.employee.id, (c, id) => c.request(UpdateStaffUserDocument, { input: { id, name: "Übernommen", permissions: ["CHAT", "CLAIMS"] } })],
  ["node(id) of a Notification", "Notification", (firm) => seeded.get(firm)!.notification, (c, id) => c.request(NodeDocument, { id })],
  ["markNotificationsRead", "Notification", (firm) => seeded.get(firm)!.notification, (c, id) => c.request(MarkNotificationsReadDocument, { input: { ids: [id] } })],
  ["node(id) of a Customer", "Customer", (firm) => docs(firm).customer, (c, id) => c.request(NodeDocument, { id })],
  ["customer", "Customer", (firm) => docs(firm).customer, (c, id) => c.request(CustomerDocument, { id })],
  ["updateCustomer", "Customer", (firm) => docs(firm).customer, (c, id) => c.request(UpdateCustomerDocument, { input: { id, city: "Übernommen" } })],
  ["setResponsibleStaff (customer)", "Customer", (firm) => docs(firm).customer, (c, id) => c.request(SetResponsibleStaffDocument, { input: { customerId: id, staffUserIds: [] } })],
  [
    "setResponsibleStaff (staff user)",
    "StaffUser",
    (firm) => firm.employee.id,
    (c, id) => c.request(SetResponsibleStaffDocument, { input: { customerId: toGlobalId("Customer", docs(a).customer), staffUserIds: [id] } }),
  ],
  [
    "createCustomer (responsible staff)",
    "StaffUser",
    (firm) => firm.employee.id,
    (c, id) => c.request(CreateCustomerDocument, { input: { firstName: "Iso", lastName: "Verantwortet", responsibleStaffIds: [id] } }),
  ],
  ["node(id) of a Document", "Document", (firm) => docs(firm).document, (c, id) => c.request(NodeDocument, { id })],
  ["node(id) of a DocumentCategory", "DocumentCategory", (firm) => docs(firm).category, (c, id) => c.request(NodeDocument, { id })],
  ["setDocumentVisibility (documents)", "Document", (firm) => docs(firm).document, (c, id) => c.request(SetDocumentVisibilityDocument, { input: { documentIds: [id], visible: true } })],
  ["setDocumentVisibility (customer)", "Customer", (firm) => docs(firm).customer, (c, id) => c.request(SetDocumentVisibilityDocument, { input: { customerId: id, visible: true } })],
  ["setDocumentVisibility (category)", "DocumentCategory", (firm) => docs(firm).category, (c, id) => c.request(SetDocumentVisibilityDocument, { input: { categoryId: id, visible: false } })],
  ["setRecommendedDocumentCategories", "DocumentCategory", (firm) => docs(firm).category, (c, id) => c.request(SetRecommendedDocumentCategoriesDocument, { input: { categoryIds: [id] } })],
  [
    "uploadDocument (customer)",
    "Customer",
    (firm) => docs(firm).customer,
    async (c, id) => {
      const { fileId } = await upload(c, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
      return c.request(UploadDocumentDocument, { input: { fileId, customerId: id, categoryId: toGlobalId("DocumentCategory", docs(a).category) } });
    },
  ],
  [
    "uploadDocument (category)",
    "DocumentCategory",
    (firm) => docs(firm).category,
    async (c, id) => {
      const { fileId } = await upload(c, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
      return c.request(UploadDocumentDocument, { input: { fileId, customerId: toGlobalId("Customer", docs(a).customer), categoryId: id } });
    },
  ],
  [
    "uploadDocument (file)",
    "File",
    (firm) => docs(firm).file,
    (c, id) => c.request(UploadDocumentDocument, { input: { fileId: id, customerId: toGlobalId("Customer", docs(a).customer), categoryId: toGlobalId("DocumentCategory", docs(a).category) } }),
  ],
  ["node(id) of an AppAccount", "AppAccount", (firm) => accts(firm).account, (c, id) => c.request(NodeDocument, { id })],
  ["inviteCustomers", "Customer", (firm) => accts(firm).invitee, (c, id) => inviteOne(c, id)],
  ["activateAppAccount", "AppAccount", (firm) => accts(firm).invited, (c, id) => c.request(ActivateAppAccountDocument, { input: { id } })],
  ["deactivateAppAccount", "AppAccount", (firm) => accts(firm).account, (c, id) => c.request(DeactivateAppAccountDocument, { input: { id } })],
  ["reactivateAppAccount", "AppAccount", (firm) => accts(firm).account, (c, id) => c.request(ReactivateAppAccountDocument, { input: { id } })],
  ["deleteAppAccount", "AppAccount", (firm) => accts(firm).deletable[1], (c, id) => c.request(DeleteAppAccountDocument, { input: { id } })],
  [
    "grantCustomerAccess (app account)",
    "AppAccount",
    (firm) => accts(firm).account,
    (c, id) => c.request(GrantCustomerAccessDocument, { input: { appAccountId: id, customerId: toGlobalId("Customer", accts(a).household) } }),
  ],
  [
    "grantCustomerAccess (customer)",
    "Customer",
    (firm) => accts(firm).household,
    (c, id) => c.request(GrantCustomerAccessDocument, { input: { appAccountId: toGlobalId("AppAccount", accts(a).account), customerId: id } }),
  ],
  [
    "revokeCustomerAccess (app account)",
    "AppAccount",
    (firm) => accts(firm).account,
    (c, id) => c.request(RevokeCustomerAccessDocument, { input: { appAccountId: id, customerId: toGlobalId("Customer", accts(a).household) } }),
  ],
  [
    "revokeCustomerAccess (customer)",
    "Customer",
    (firm) => accts(firm).household,
    (c, id) => c.request(RevokeCustomerAccessDocument, { input: { appAccountId: toGlobalId("AppAccount", accts(a).account), customerId: id } }),
  ],
];

/** Queries that return a list of a firm's rows: the global IDs a client gets, and the global IDs of all a firm's rows of that type. */
const lists: Array<[name: string, listed: (client: KundenappClient) => Promise<string[]>, rowsOf: (firmId: string) => Promise<string[]>]> = [
  [
    "staffUsers",
    async (c) => (await c.request(StaffUsersDocument, { first: 100 })).staffUsers.edges.map((e) => e.node.id),
    async (firmId) => (await db().select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.tenantId, firmId))).map((r) => toGlobalId("StaffUser", r.id)),
  ],
  [
    "notifications",
    async (c) => (await c.request(NotificationsDocument, { first: 100 })).notifications.edges.map((e) => e.node.id),
    async (firmId) => (await db().select({ id: notifications.id }).from(notifications).where(eq(notifications.tenantId, firmId))).map((r) => toGlobalId("Notification", r.id)),
  ],
  [
    "customers",
    async (c) => (await c.request(CustomersDocument, { first: 100 })).customers.edges.map((e) => e.node.id),
    async (firmId) => (await db().select({ id: customers.id }).from(customers).where(eq(customers.tenantId, firmId))).map((r) => toGlobalId("Customer", r.id)),
  ],
  [
    "documents",
    async (c) => (await c.request(DocumentsDocument, { first: 100 })).documents.edges.map((e) => e.node.id),
    async (firmId) => (await db().select({ id: documents.id }).from(documents).where(eq(documents.tenantId, firmId))).map((r) => toGlobalId("Document", r.id)),
  ],
  [
    "documentCategories",
    async (c) => (await c.request(DocumentCategoriesDocument, {})).documentCategories.map((cat) => cat.id),
    async (firmId) =>
      (await db().select({ id: documentCategories.id }).from(documentCategories).where(eq(documentCategories.tenantId, firmId))).map((r) => toGlobalId("DocumentCategory", r.id)),
  ],
  [
    // Admins only (employees get FORBIDDEN, checked under access levels): read with firm A's admin whoever asks.
    "appAccounts",
    async () => (await a.adminClient.request(AppAccountsDocument, { first: 100 })).appAccounts.edges.map((e) => e.node.id),
    async (firmId) => (await db().select({ id: appAccounts.id }).from(appAccounts).where(eq(appAccounts.tenantId, firmId))).map((r) => toGlobalId("AppAccount", r.id)),
  ],
];

/**
 * Every table with firm data and the column naming the firm: a forbidden call must not change any row in them.
 * A table without a firm column (a link table) gives, third, the condition that picks a firm's rows.
 */
const firmTables: Array<[PgTable, AnyColumn, ((firmId: string) => SQL)?]> = [
  [tenants, tenants.id],
  [staffUsers, staffUsers.tenantId],
  [oneTimeTokens, oneTimeTokens.tenantId],
  [sessions, sessions.tenantId],
  [notifications, notifications.tenantId],
  [customers, customers.tenantId],
  [
    customerResponsibleStaff,
    customerResponsibleStaff.customerId,
    (firmId) => inArray(customerResponsibleStaff.customerId, db().select({ id: customers.id }).from(customers).where(eq(customers.tenantId, firmId))),
  ],
  [documentCategories, documentCategories.tenantId],
  [documents, documents.tenantId],
  [files, files.tenantId],
  [appAccounts, appAccounts.tenantId],
  [
    appAccountAccess,
    appAccountAccess.appAccountId,
    (firmId) => inArray(appAccountAccess.appAccountId, db().select({ id: appAccounts.id }).from(appAccounts).where(eq(appAccounts.tenantId, firmId))),
  ],
  [mailOutbox, mailOutbox.tenantId],
  [events, events.tenantId],
];

let t: TestServer;
let f: ReturnType<typeof factories>;
let a: Firm;
let b: Firm;
const db = () => t.app.deps.database.db;
/** Objects made for each firm that the factories do not make. */
const seeded = new Map<Firm, { notification: string }>();

beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
  [a, b] = [await f.buildFirm(), await f.buildFirm()];
  for (const firm of [a, b]) {
    const rows = await db()
      .insert(notifications)
      .values([firm.admin, firm.employee].map((s) => ({ tenantId: firm.tenant.id, staffUserId: s.id, kind: "GENERAL" as const, title: "Hinweis", body: `für ${s.name}` })))
      .returning();
    seeded.set(firm, { notification: rows.find((r) => r.staffUserId === firm.admin.id)!.id });
  }
});

/** Customers, documents and files of each firm (rules C1-C3), made through the API by its admin. */
const seededDocs = new Map<Firm, { customer: string; category: string; document: string; file: string }>();
const docs = (firm: Firm) => seededDocs.get(firm)!;
beforeAll(async () => {
  for (const firm of [a, b]) {
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    await firm.adminClient.request(SetResponsibleStaffDocument, { input: { customerId: toGlobalId("Customer", customer.id), staffUserIds: [toGlobalId("StaffUser", firm.admin.id)] } });
    const { documentCategories: categories } = await firm.adminClient.request(DocumentCategoriesDocument, {});
    const category = categories.find((c) => c.key === "POLICY")!.id;
    const attached = await upload(firm.adminClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
    const { uploadDocument } = await firm.adminClient.request(UploadDocumentDocument, { input: { fileId: attached.fileId, customerId: toGlobalId("Customer", customer.id), categoryId: category } });
    // Uploaded by the admin, not attached yet: what `uploadDocument (file)` names.
    const loose = await upload(firm.adminClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
    seededDocs.set(firm, {
      customer: customer.id,
      category: fromGlobalId(category)!.id,
      document: fromGlobalId(uploadDocument.document.id)!.id,
      file: fromGlobalId(loose.fileId)!.id,
    });
  }
});
/** App accounts of each firm (rules D1-D9), made by the factories; the rows above change them through the API. */
const seededAccounts = new Map<Firm, { account: string; invited: string; deletable: [string, string]; household: string; invitee: string }>();
const accts = (firm: Firm) => seededAccounts.get(firm)!;
beforeAll(async () => {
  for (const firm of [a, b]) {
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const invited = await f.buildAppAccount({ tenant: firm.tenant, status: "INVITED", passwordHash: null, activatedAt: null });
    const deletable = [await f.buildAppAccount({ tenant: firm.tenant }), await f.buildAppAccount({ tenant: firm.tenant })] as const;
    // A session each: a refused delete must not end it.
    for (const d of deletable) await f.appClient(d);
    const household = await f.buildCustomer({ tenant: firm.tenant });
    await f.grantAccess(account, household);
    const invitee = await f.buildCustomer({ tenant: firm.tenant });
    seededAccounts.set(firm, { account: account.id, invited: invited.id, deletable: [deletable[0].id, deletable[1].id], household: household.id, invitee: invitee.id });
  }
});

/** A logged-in app account of firm A's seeded customer (the caller of `forAppAccounts`). */
let app: Awaited<ReturnType<ReturnType<typeof factories>["buildAppAccount"]>>;
beforeAll(async () => {
  const [customer] = await db().select().from(customers).where(eq(customers.id, docs(a).customer));
  app = await f.buildAppAccount({ customer: { ...customer!, tenant: a.tenant } });
});

/** The single invitation (rule D2); a per-customer ERROR becomes an ApiError, so it reads like any refused call. */
async function inviteOne(c: KundenappClient, customerId: string) {
  const { inviteCustomers } = await c.request(InviteCustomersDocument, { input: { customers: [{ customerId }], sharing: "ALL_DOCUMENTS" } });
  const [result] = inviteCustomers.results;
  if (result!.status === "ERROR") throw new ApiError([{ message: result!.message ?? "", extensions: { code: result!.errorCode ?? "INTERNAL" } }], 200);
  return result;
}

afterAll(() => t.close());

/** All rows of a firm, sorted, with session timestamps left out (reading with a token may touch them). */
async function snapshot(firmId: string) {
  const out: unknown[] = [];
  for (const [table, column, ofFirm] of firmTables) {
    const rows = (await db().select().from(table).where(ofFirm ? ofFirm(firmId) : eq(column, firmId))) as Array<Record<string, unknown>>;
    out.push(
      rows
        .map((r) => (table === sessions ? { id: r.id, staffUserId: r.staffUserId, expiresAt: r.expiresAt } : r))
        .sort((x, y) => String(x.id ?? JSON.stringify(x)).localeCompare(String(y.id ?? JSON.stringify(y)))),
    );
  }
  return out;
}

describe("another firm's objects are NOT_FOUND, exactly like objects that do not exist (rule B1, C3)", () => {
  it.each(byId)("%s", async (_, type, objectOf, call) => {
    const before = await snapshot(b.tenant.id);
    const foreign = await expectApiError(call(a.adminClient, toGlobalId(type, objectOf(b))), "NOT_FOUND");
    const missing = await expectApiError(call(a.adminClient, toGlobalId(type, crypto.randomUUID())), "NOT_FOUND");
    expect(foreign.message).toBe(missing.message);
    expect(foreign.errors.map((e) => e.extensions)).toEqual(missing.errors.map((e) => e.extensions));
    expect(await snapshot(b.tenant.id)).toEqual(before);
    // Not vacuous: the same call on the caller's own object works.
    await call(a.adminClient, toGlobalId(type, objectOf(a)));
  });
});

describe("lists never contain another firm's rows", () => {
  it.each(lists)("%s", async (_, listed, rowsOf) => {
    const [ownRows, foreignRows] = [await rowsOf(a.tenant.id), await rowsOf(b.tenant.id)];
    expect(foreignRows.length).toBeGreaterThan(0);
    for (const client of [a.adminClient, a.employeeClient]) {
      const ids = await listed(client);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.filter((id) => foreignRows.includes(id))).toEqual([]);
      expect(ids.filter((id) => !ownRows.includes(id))).toEqual([]);
    }
  });
});

describe("access levels", () => {
  const adminOnly = operations.filter(([, access]) => access === "admin");
  const operatorOnly = operations.filter(([, access]) => access === "operator");

  it.each(adminOnly)("%s: an employee gets FORBIDDEN and nothing changes", async (_, __, call) => {
    const before = [await snapshot(a.tenant.id), await snapshot(b.tenant.id)];
    await expectApiError(call(a.employeeClient, a), "FORBIDDEN");
    expect([await snapshot(a.tenant.id), await snapshot(b.tenant.id)]).toEqual(before);
  });

  it.each(operatorOnly)("%s: staff (admins included) get FORBIDDEN and nothing changes", async (_, __, call) => {
    const before = [await snapshot(a.tenant.id), await snapshot(b.tenant.id)];
    const tenantCount = (await db().select({ id: tenants.id }).from(tenants)).length;
    for (const client of [a.adminClient, a.employeeClient]) await expectApiError(call(client, a), "FORBIDDEN");
    expect([await snapshot(a.tenant.id), await snapshot(b.tenant.id)]).toEqual(before);
    expect((await db().select({ id: tenants.id }).from(tenants)).length).toBe(tenantCount);
  });

  it.each(operations)("%s: anonymous callers and unknown tokens get UNAUTHENTICATED", async (_, __, call) => {
    const before = [await snapshot(a.tenant.id), await snapshot(b.tenant.id)];
    await expectApiError(call(t.client(), a), "UNAUTHENTICATED");
    await expectApiError(call(t.client(`ks_${crypto.randomBytes(32).toString("base64url")}`), a), "UNAUTHENTICATED");
    expect([await snapshot(a.tenant.id), await snapshot(b.tenant.id)]).toEqual(before);
  });

  describe("app accounts (rule C3)", () => {
    const staffOnly = operations.filter(([name]) => !(name in forAppAccounts));
    const appCallable = operations.filter(([name]) => forAppAccounts[name] === "ok");
    const hiddenFromApps = operations.filter(([name]) => forAppAccounts[name] === "hidden");
    let appClient: KundenappClient;
    beforeAll(async () => {
      appClient = await f.appClient(app);
      // Released to the customer, whatever the rows above did with its category: an app account sees only released documents.
      await a.adminClient.request(SetDocumentVisibilityDocument, { input: { documentIds: [toGlobalId("Document", docs(a).document)], visible: true } });
    });

    it("names only operations of `operations`", () => {
      expect(Object.keys(forAppAccounts).filter((name) => !operations.some(([op]) => op === name))).toEqual([]);
    });

    it.each(staffOnly)("%s: an app account of the firm gets FORBIDDEN and nothing changes", async (_, __, call) => {
      const before = [await snapshot(a.tenant.id), await snapshot(b.tenant.id)];
      await expectApiError(call(appClient, a), "FORBIDDEN");
      expect([await snapshot(a.tenant.id), await snapshot(b.tenant.id)]).toEqual(before);
    });

    it.each(appCallable)("%s: an app account of the firm may call it", async (_, __, call) => {
      // A session of its own each: `logout` ends the one it runs with.
      const outcome = await call(await f.appClient(app), a).then(
        () => "ok",
        (err: { code?: string; message?: string }) => `${err.code ?? "unknown"}: ${err.message}`,
      );
      expect(outcome).toBe("ok");
    });

    it.each(hiddenFromApps)("%s: an app account of the firm may ask, but the object is not one it sees: NOT_FOUND", async (_, __, call) => {
      await expectApiError(call(appClient, a), "NOT_FOUND");
    });

    it("viewer (open to everyone): an app account is told who it is", async () => {
      const { viewer } = await appClient.request(AppViewerDocument);
      expect(viewer).toMatchObject({ kind: "APP_ACCOUNT", appAccount: { id: toGlobalId("AppAccount", app.id) }, tenant: { brokerId: a.tenant.brokerId } });
    });
  });

  // Last: it runs each operation for real (promoting firm A's employee, among others).
  it.each(operations)("%s: the level it names may call it", async (_, access, call) => {
    const client = access === "operator" ? t.operator() : await f.staffClient(access === "admin" ? a.admin : a.employee);
    const outcome = await call(client, a).then(
      () => "ok",
      (err: { code?: string }) => err.code ?? "unknown",
    );
    expect(["UNAUTHENTICATED", "FORBIDDEN", "INTERNAL", "unknown"]).not.toContain(outcome);
  });

  it("covers every operation of the schema that needs a login", async () => {
    const { getSchema } = await import("../schema.js");
    const schema = await getSchema();
    const fields = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()!.getFields())];
    // Open to everyone by design: who am I, and the ways to log in.
    const open = new Set(["viewer", "login", "acceptStaffInvitation", "register", "requestPasswordReset", "resetPassword"]);
    const covered = new Set(operations.map(([name]) => name.replace(/[.(].*$/, "")));
    const missing = fields.filter((name) => !open.has(name) && !covered.has(name));
    expect(missing, "add these operations to `operations` in src/test/isolation.test.ts").toEqual([]);
  });
});
