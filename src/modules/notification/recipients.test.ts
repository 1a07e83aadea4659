/**
 * Who gets notified (rules B1, C5, F3, G3): the recipients module over real rows made by the factories,
 * and once through the API, where an app account's upload (C5) skips a deactivated responsible staff user.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { startTestServer, type TestServer } from "../../test/harness.js";
import { factories, upload } from "../../test/factories.js";
import { PDF } from "../../test/fixtures.js";
import { CreateContractDocument, InsurersDocument, UpdateStaffUserDocument, UploadDocumentDocument } from "../../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../../graphql/relay.js";
import { customerResponsibleStaff } from "../customer/customer.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { notifications } from "./notification.table.js";
import { admins, amongStaff, customerResponsible, firstNonEmpty, withPermission } from "./recipients.js";

let t: TestServer;
let f: ReturnType<typeof factories>;

beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t.close());

const db = () => t.app.deps.database.db;

/** The customer's responsible staff in this order (rule C1), straight in the database. */
async function setResponsible(customer: { id: string; tenantId: string }, staff: Array<{ id: string }>): Promise<void> {
  await db().delete(customerResponsibleStaff).where(eq(customerResponsibleStaff.customerId, customer.id));
  if (staff.length === 0) return;
  await db()
    .insert(customerResponsibleStaff)
    .values(staff.map((s, position) => ({ tenantId: customer.tenantId, customerId: customer.id, staffUserId: s.id, position })));
}

/** A firm whose staff cover every status and permission, each named for what it is. */
async function buildStaffRoom() {
  const tenant = await f.buildTenant();
  const adminChat = await f.buildStaff({ tenant, role: "ADMIN", permissions: ["CHAT", "CLAIMS"] });
  const adminPlain = await f.buildStaff({ tenant, role: "ADMIN", permissions: [] });
  const adminDeactivated = await f.buildStaff({ tenant, role: "ADMIN", permissions: ["CHAT"], status: "DEACTIVATED" });
  const adminInvited = await f.buildStaff({ tenant, role: "ADMIN", permissions: ["CHAT"], status: "INVITED", passwordHash: null });
  const employeeChat = await f.buildStaff({ tenant, permissions: ["CHAT"] });
  const employeeClaims = await f.buildStaff({ tenant, permissions: ["CLAIMS"] });
  const employeeDeactivated = await f.buildStaff({ tenant, permissions: ["CHAT", "CLAIMS"], status: "DEACTIVATED" });
  return { tenant, adminChat, adminPlain, adminDeactivated, adminInvited, employeeChat, employeeClaims, employeeDeactivated };
}

describe("recipients: only ACTIVE staff of the firm, with the permission where asked", () => {
  it("customerResponsible keeps the set order, skips deactivated and invited users, and filters by permission", async () => {
    const s = await buildStaffRoom();
    const customer = await f.buildCustomer({ tenant: s.tenant });
    await setResponsible(customer, [s.employeeDeactivated, s.employeeClaims, s.adminInvited, s.employeeChat, s.adminPlain]);

    expect(await customerResponsible(db(), s.tenant.id, [customer.id])).toEqual([s.employeeClaims.id, s.employeeChat.id, s.adminPlain.id]);
    expect(await customerResponsible(db(), s.tenant.id, [customer.id], { permission: "CHAT" })).toEqual([s.employeeChat.id]);
    expect(await customerResponsible(db(), s.tenant.id, [customer.id], { permission: "CLAIMS" })).toEqual([s.employeeClaims.id]);
    expect(await customerResponsible(db(), s.tenant.id, [])).toEqual([]);
  });

  it("customerResponsible over several customers: in the customers' order, each user once, nothing of another firm", async () => {
    const s = await buildStaffRoom();
    const [a, b] = [await f.buildCustomer({ tenant: s.tenant }), await f.buildCustomer({ tenant: s.tenant })];
    await setResponsible(a, [s.employeeChat, s.adminChat]);
    await setResponsible(b, [s.employeeClaims, s.employeeChat]);
    expect(await customerResponsible(db(), s.tenant.id, [b.id, a.id])).toEqual([s.employeeClaims.id, s.employeeChat.id, s.adminChat.id]);

    // Asked for with another firm's id, the customer names nobody.
    const other = await f.buildTenant();
    expect(await customerResponsible(db(), other.id, [a.id, b.id])).toEqual([]);
  });

  it("amongStaff keeps the order given and drops missing, inactive, foreign and permission-less users", async () => {
    const s = await buildStaffRoom();
    const foreign = await f.buildStaff({ permissions: ["CHAT"] });
    const named = [s.adminPlain.id, null, s.employeeDeactivated.id, foreign.id, s.employeeChat.id, undefined, s.adminPlain.id, s.adminInvited.id];
    expect(await amongStaff(db(), s.tenant.id, named)).toEqual([s.adminPlain.id, s.employeeChat.id]);
    expect(await amongStaff(db(), s.tenant.id, named, { permission: "CHAT" })).toEqual([s.employeeChat.id]);
    expect(await amongStaff(db(), s.tenant.id, [null])).toEqual([]);
  });

  it("admins are the firm's ACTIVE admins, oldest first; with a permission only those holding it", async () => {
    const s = await buildStaffRoom();
    await f.buildStaff({ role: "ADMIN", permissions: ["CHAT"] }); // another firm's
    expect(await admins(db(), s.tenant.id)).toEqual([s.adminChat.id, s.adminPlain.id]);
    expect(await admins(db(), s.tenant.id, { permission: "CHAT" })).toEqual([s.adminChat.id]);
  });

  it("withPermission lists the firm's ACTIVE staff holding it, whatever their role", async () => {
    const s = await buildStaffRoom();
    expect(await withPermission(db(), s.tenant.id, "CHAT")).toEqual([s.adminChat.id, s.employeeChat.id]);
    expect(await withPermission(db(), s.tenant.id, "CLAIMS")).toEqual([s.adminChat.id, s.employeeClaims.id]);
    // Deactivating a holder takes them off at once.
    await db().update(staffUsers).set({ status: "DEACTIVATED" }).where(eq(staffUsers.id, s.employeeChat.id));
    expect(await withPermission(db(), s.tenant.id, "CHAT")).toEqual([s.adminChat.id]);
  });
});

describe("recipients: fallbacks in order", () => {
  it("takes the first source that names anyone, and does not ask the later ones", async () => {
    const asked: string[] = [];
    const source = (name: string, ids: string[]) => async () => {
      asked.push(name);
      return ids;
    };
    expect(await firstNonEmpty(source("contract", []), source("customer", ["c1", "c2"]), source("admins", ["a1"]))).toEqual(["c1", "c2"]);
    expect(asked).toEqual(["contract", "customer"]);
    expect(await firstNonEmpty(source("contract", []), source("customer", []))).toEqual([]);
    expect(await firstNonEmpty()).toEqual([]);
  });

  it("a customer whose responsible staff are all deactivated falls back to the admins (rule G3)", async () => {
    const s = await buildStaffRoom();
    const customer = await f.buildCustomer({ tenant: s.tenant });
    await setResponsible(customer, [s.employeeDeactivated, s.adminDeactivated]);
    const route = () => firstNonEmpty(() => customerResponsible(db(), s.tenant.id, [customer.id]), () => admins(db(), s.tenant.id));
    expect(await route()).toEqual([s.adminChat.id, s.adminPlain.id]);

    await setResponsible(customer, [s.employeeDeactivated, s.employeeClaims]);
    expect(await route()).toEqual([s.employeeClaims.id]);
  });

  it("the chat operator, else every admin with CHAT (rules F3, B1): an operator who lost CHAT hands over to the admins", async () => {
    const s = await buildStaffRoom();
    const route = (operatorId: string | null) =>
      firstNonEmpty(() => amongStaff(db(), s.tenant.id, [operatorId], { permission: "CHAT" }), () => admins(db(), s.tenant.id, { permission: "CHAT" }));
    expect(await route(s.employeeChat.id)).toEqual([s.employeeChat.id]);
    expect(await route(null)).toEqual([s.adminChat.id]);
    await db().update(staffUsers).set({ permissions: [] }).where(eq(staffUsers.id, s.employeeChat.id));
    expect(await route(s.employeeChat.id)).toEqual([s.adminChat.id]);
  });
});

describe("recipients through the API (rule C5)", () => {
  it("an app account's upload notifies the customer's ACTIVE responsible staff only", async () => {
    const firm = await f.buildFirm();
    const gone = await f.buildStaff({ tenant: firm.tenant, status: "DEACTIVATED" });
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    await setResponsible(account.customer, [gone, firm.employee]);
    const app = await f.appClient(account);

    const put = await upload(app, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: "antrag.pdf" });
    expect(put.status).toBe(200);
    const { uploadDocument } = await app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: toGlobalId("Customer", account.customer.id) } });
    const documentId = fromGlobalId(uploadDocument.document.id)!.id;

    const rows = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.subjectId, documentId), eq(notifications.kind, "DOCUMENT_UPLOADED")));
    expect(rows.map((r) => r.staffUserId)).toEqual([firm.employee.id]);
    expect(rows[0]).toMatchObject({ title: `Neues Dokument von ${account.customer.firstName} ${account.customer.lastName}`, body: "antrag.pdf" });
  });
});

describe("deactivated staff are never notified (rules B1, C5, E0, E2; issue 12)", () => {
  const noticesAbout = async (subjectId: string, kind: "CONTRACT_CREATED" | "DOCUMENT_UPLOADED") =>
    (await db().select().from(notifications).where(and(eq(notifications.subjectId, subjectId), eq(notifications.kind, kind)))).map((r) => r.staffUserId).sort();

  it("a contract the app adds (E2) notifies the customer's responsible staff, skipping one deactivated through the API", async () => {
    const firm = await f.buildFirm();
    const leaving = await f.buildStaff({ tenant: firm.tenant });
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    await setResponsible(account.customer, [leaving, firm.employee]);
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", leaving.id), active: false } });
    const app = await f.appClient(account);

    const { insurers } = await app.request(InsurersDocument, {});
    const { createContract } = await app.request(CreateContractDocument, {
      input: { customerId: toGlobalId("Customer", account.customer.id), insurerId: insurers[0]!.id, contractNumber: "APP-1" },
    });
    expect(await noticesAbout(fromGlobalId(createContract.contract.id)!.id, "CONTRACT_CREATED")).toEqual([firm.employee.id]);
  });

  it("an upload to a contract whose own responsible staff user was deactivated falls back to the customer's (C5, E0)", async () => {
    const firm = await f.buildFirm();
    const leaving = await f.buildStaff({ tenant: firm.tenant });
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const customerId = toGlobalId("Customer", account.customer.id);
    await setResponsible(account.customer, [firm.admin]);
    const { insurers } = await firm.adminClient.request(InsurersDocument, {});
    const { createContract } = await firm.adminClient.request(CreateContractDocument, {
      input: { customerId, insurerId: insurers[0]!.id, contractNumber: "K-1", visibleToCustomer: true, responsibleStaffIds: [toGlobalId("StaffUser", leaving.id)] },
    });
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", leaving.id), active: false } });

    const app = await f.appClient(account);
    const put = await upload(app, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: "rechnung.pdf" });
    const { uploadDocument } = await app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId, contractId: createContract.contract.id } });
    expect(await noticesAbout(fromGlobalId(uploadDocument.document.id)!.id, "DOCUMENT_UPLOADED")).toEqual([firm.admin.id]);
  });
});
