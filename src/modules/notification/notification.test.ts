import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories, upload } from "../../test/factories.js";
import { PDF } from "../../test/fixtures.js";
import { raiseNotification, nextWithin, nothingWithin } from "../../test/realtime.js";
import {
  CreateContractDocument,
  DocumentCategoriesDocument,
  InsurersDocument,
  LogoutDocument,
  MarkNotificationsReadDocument,
  ReportClaimDocument,
  SetResponsibleStaffDocument,
  UploadDocumentDocument,
  type NotificationsQuery,
  NodeDocument,
  NotificationAddedDocument,
  NotificationsDocument,
  UpdateMySettingsDocument,
  UpdateStaffUserDocument,
} from "../../sdk/client.js";
import { mailOutbox } from "../../mail/outbox.table.js";
import { notifications } from "./notification.table.js";
import { fromGlobalId, toGlobalId } from "../../graphql/relay.js";
import { EMAIL_AFTER_MS } from "./notification.service.js";
import { parseCursor } from "../../realtime/event-log.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
let smtp: TestServer["smtp"];

beforeAll(async () => {
  t = await startTestServer({ smtp: true });
  f = factories(t);
  smtp = t.smtp;
});
afterAll(() => t.close());

async function staffWithClient(overrides: Parameters<ReturnType<typeof factories>["buildStaff"]>[0] = {}) {
  const staff = await f.buildStaff(overrides);
  return { staff, client: await f.staffClient(staff) };
}

describe("notifications (rule H1)", () => {
  it("lists the viewer's notifications newest first with the unread count, and marks one, several or all read", async () => {
    const { staff, client } = await staffWithClient();
    const colleague = await f.buildStaff({ tenant: staff.tenant });
    for (const title of ["eins", "zwei", "drei"]) await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title });
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [colleague.id], title: "fremd" });

    const list = await client.request(NotificationsDocument, {});
    expect(list.notifications.edges.map((e) => e.node.title)).toEqual(["drei", "zwei", "eins"]);
    expect(list.notifications.unreadCount).toBe(3);
    expect(list.notifications.totalCount).toBe(3);

    const [drei, zwei] = list.notifications.edges.map((e) => e.node);
    const one = await client.request(MarkNotificationsReadDocument, { input: { ids: [drei!.id] } });
    expect(one.markNotificationsRead.unreadCount).toBe(2);
    expect(one.markNotificationsRead.notifications[0]!.read).toBe(true);
    const unread = await client.request(NotificationsDocument, { unreadOnly: true });
    expect(unread.notifications.edges.map((e) => e.node.title)).toEqual(["zwei", "eins"]);

    const several = await client.request(MarkNotificationsReadDocument, { input: { ids: [drei!.id, zwei!.id] } });
    expect(several.markNotificationsRead.unreadCount).toBe(1);
    // The first read time stays.
    expect(several.markNotificationsRead.notifications.find((n) => n.id === drei!.id)!.readAt).toBe(one.markNotificationsRead.notifications[0]!.readAt);

    const all = await client.request(MarkNotificationsReadDocument, { input: { all: true } });
    expect(all.markNotificationsRead.unreadCount).toBe(0);
  });

  it("pages with cursors", async () => {
    const { staff, client } = await staffWithClient();
    for (let i = 0; i < 5; i++) await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: `n${i}` });
    const seen: string[] = [];
    let after: string | null | undefined;
    for (;;) {
      const page = await client.request(NotificationsDocument, { first: 2, after });
      seen.push(...page.notifications.edges.map((e) => e.node.title));
      if (!page.notifications.pageInfo.hasNextPage) break;
      after = page.notifications.pageInfo.endCursor;
    }
    expect(seen).toEqual(["n4", "n3", "n2", "n1", "n0"]);
  });

  it("does not let anyone else read or mark a notification", async () => {
    const { staff } = await staffWithClient();
    const [row] = await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id] });
    const id = toGlobalId("Notification", row!.id);
    const { client: colleague } = await staffWithClient({ tenant: staff.tenant });
    const { client: stranger } = await staffWithClient();
    for (const c of [colleague, stranger]) {
      await expectApiError(c.request(NodeDocument, { id }), "NOT_FOUND");
      await expectApiError(c.request(MarkNotificationsReadDocument, { input: { ids: [id] } }), "NOT_FOUND");
    }
    const [still] = await t.app.deps.database.db.select().from(notifications).where(eq(notifications.id, row!.id));
    expect(still!.readAt).toBeNull();
  });

  it("refuses a mark-read with neither ids nor all, or with both", async () => {
    const { client } = await staffWithClient();
    const none = await expectApiError(client.request(MarkNotificationsReadDocument, { input: {} }), "BAD_USER_INPUT");
    expect(none.fields[0]!.field).toBe("input.ids");
    await expectApiError(client.request(MarkNotificationsReadDocument, { input: { ids: [toGlobalId("Notification", crypto.randomUUID())], all: true } }), "BAD_USER_INPUT");
  });
});

describe("notificationAdded subscription (rule H1, realtime)", () => {
  it("delivers the viewer's new notifications live, and nobody else's", async () => {
    const { staff, client } = await staffWithClient();
    const colleague = await f.buildStaff({ tenant: staff.tenant });
    const sub = client.subscribe(NotificationAddedDocument, { after: "0" });
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [colleague.id], title: "für Kollegin" });
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "für mich" });
    const first = await nextWithin(sub);
    expect(first.value?.notificationAdded.notification.title).toBe("für mich");
    await nothingWithin(sub, 300);
    await sub.return?.();
  });

  it("replays every event missed while offline exactly once, in order, then goes live", async () => {
    const { staff, client } = await staffWithClient();
    const sub = client.subscribe(NotificationAddedDocument, { after: "0" });
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "vorher" });
    const seen = await nextWithin(sub);
    const cursor = seen.value!.notificationAdded.cursor;
    await sub.return?.();
    await client.close();

    for (const title of ["a", "b", "c"]) await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title });

    const resumed = client.subscribe(NotificationAddedDocument, { after: cursor });
    const titles: string[] = [];
    for (let i = 0; i < 3; i++) titles.push((await nextWithin(resumed)).value!.notificationAdded.notification.title);
    expect(titles).toEqual(["a", "b", "c"]);
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "live" });
    expect((await nextWithin(resumed)).value!.notificationAdded.notification.title).toBe("live");
    await nothingWithin(resumed, 300);
    await resumed.return?.();
  });

  it("stops delivering and closes the socket when the session ends by logout", async () => {
    const { staff, client } = await staffWithClient();
    const closed = new Promise<number>((resolve) => client.socket().on("closed", (e) => resolve((e as { code: number }).code)));
    const sub = client.subscribe(NotificationAddedDocument, { after: "0" });
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id] });
    await nextWithin(sub);
    await client.request(LogoutDocument);
    expect(await closed).toBe(4401);
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id] });
    await expect(nextWithin(sub, 1_000)).rejects.toBeTruthy();
  });

  it("stops delivering when the user is deactivated while subscribed", async () => {
    const admin = await f.buildStaff({ role: "ADMIN" });
    const adminClient = await f.staffClient(admin);
    const { staff, client } = await staffWithClient({ tenant: admin.tenant });
    const closed = new Promise<number>((resolve) => client.socket().on("closed", (e) => resolve((e as { code: number }).code)));
    const sub = client.subscribe(NotificationAddedDocument, { after: "0" });
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id] });
    await nextWithin(sub);
    await adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", staff.id), active: false } });
    expect(await closed).toBe(4401);
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id] });
    await expect(nextWithin(sub, 1_000)).rejects.toBeTruthy();
  });

  it("refuses a malformed cursor", async () => {
    const { client } = await staffWithClient();
    const sub = client.subscribe(NotificationAddedDocument, { after: "not-a-cursor" });
    await expect(nextWithin(sub)).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });
});

describe("the 5-minute email (rule F4)", () => {
  it("emails a notification unread after 5 minutes exactly once, with recipient and subject", async () => {
    const { staff } = await staffWithClient();
    const before = smtp.received.length;
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "Neuer Schaden gemeldet" });
    t.clock.advance(EMAIL_AFTER_MS - 30_000);
    await t.app.worker.runOnce();
    expect(smtp.received.filter((m) => m.to.includes(staff.email))).toHaveLength(0);
    t.clock.advance(31_000);
    await t.app.worker.runOnce();
    const mails = (await smtp.waitFor(before + 1)).filter((m) => m.to.includes(staff.email));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("Ungelesene Benachrichtigung: Neuer Schaden gemeldet");
    expect(mails[0]!.text).toContain(staff.name);
    expect(mails[0]!.html).toContain("Neuer Schaden gemeldet");
    // Later passes send nothing more.
    t.clock.advance(EMAIL_AFTER_MS);
    await t.app.worker.runOnce();
    expect(smtp.received.filter((m) => m.to.includes(staff.email))).toHaveLength(1);
  });

  it("never emails a notification read within the 5 minutes", async () => {
    const { staff, client } = await staffWithClient();
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id] });
    t.clock.advance(60_000);
    await client.request(MarkNotificationsReadDocument, { input: { all: true } });
    t.clock.advance(EMAIL_AFTER_MS);
    await t.app.worker.runOnce();
    const queued = await t.app.deps.database.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, staff.email));
    expect(queued).toHaveLength(0);
  });

  it("does not email users who switched email notifications off (rule B2)", async () => {
    const { staff, client } = await staffWithClient();
    await client.request(UpdateMySettingsDocument, { input: { emailNotifications: false } });
    const [row] = await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id] });
    t.clock.advance(EMAIL_AFTER_MS + 1_000);
    await t.app.worker.runOnce();
    expect(await t.app.deps.database.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, staff.email))).toHaveLength(0);
    const [after] = await t.app.deps.database.db.select().from(notifications).where(eq(notifications.id, row!.id));
    expect(after!.emailState).toBe("SKIPPED");
    // Switching it on later does not send old notices.
    await client.request(UpdateMySettingsDocument, { input: { emailNotifications: true } });
    await t.app.worker.runOnce();
    expect(await t.app.deps.database.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, staff.email))).toHaveLength(0);
  });

  it("retries when the SMTP server fails and delivers later, with no duplicate", async () => {
    const { staff } = await staffWithClient();
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "Wiederholung" });
    t.clock.advance(EMAIL_AFTER_MS + 1_000);
    smtp.failNext(1);
    const first = await t.app.worker.runOnce();
    expect(first.failed).toBe(1);
    const [failed] = await t.app.deps.database.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, staff.email));
    expect(failed).toMatchObject({ status: "PENDING", attempts: 1 });
    expect(failed!.lastError).toBeTruthy();
    // Before the backoff has passed nothing is tried again.
    expect((await t.app.worker.runOnce()).sent).toBe(0);
    t.clock.advance(11_000);
    expect((await t.app.worker.runOnce()).sent).toBe(1);
    await smtp.waitFor(1);
    expect(smtp.received.filter((m) => m.to.includes(staff.email))).toHaveLength(1);
    const [sent] = await t.app.deps.database.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, staff.email));
    expect(sent).toMatchObject({ status: "SENT", attempts: 2 });
  });
});

// After the 5-minute email tests: the notices made here are left unread, and would otherwise be due with theirs.
describe("a notification's subject is the object itself (rule H1; issue 12)", () => {
  it("an app upload and an app contract give notices whose subject resolves to the Document and the Contract, in one query", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const customerId = toGlobalId("Customer", account.customer.id);
    await firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId, staffUserIds: [toGlobalId("StaffUser", firm.employee.id)] } });
    const app = await f.appClient(account);
    const put = await upload(app, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: "antrag.pdf" });
    const { uploadDocument } = await app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId } });
    const { insurers } = await app.request(InsurersDocument, {});
    const { createContract } = await app.request(CreateContractDocument, { input: { customerId, insurerId: insurers[0]!.id, contractNumber: "APP-7" } });

    const { notifications: page } = await firm.employeeClient.request(NotificationsDocument, {});
    expect(page.edges.map((e) => [e.node.kind, e.node.subject])).toEqual([
      ["CONTRACT_CREATED", { __typename: "Contract", id: createContract.contract.id, contractNumber: "APP-7", status: "START" }],
      ["DOCUMENT_UPLOADED", { __typename: "Document", id: uploadDocument.document.id, title: "antrag.pdf", visibleToCustomer: true }],
    ]);
    // The deprecated id agrees.
    expect(page.edges.map((e) => e.node.subjectId)).toEqual([createContract.contract.id, uploadDocument.document.id]);

    // A reported claim notifies the customer's responsible staff: its subject is the Claim once they may work on claims.
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", firm.employee.id), permissions: ["CHAT", "CLAIMS"] } });
    const { reportClaim } = await app.request(ReportClaimDocument, {
      input: { idempotencyKey: crypto.randomUUID(), customerId, dateOfLoss: "2025-03-01", description: "Wasserschaden im Keller" },
    });
    const latest = async () => (await firm.employeeClient.request(NotificationsDocument, { first: 1 })).notifications.edges[0]!.node;
    expect(await latest()).toMatchObject({
      kind: "CLAIM_REPORTED",
      subject: { __typename: "Claim", id: reportClaim.claim.id, number: reportClaim.claim.number, claimStatus: reportClaim.claim.status },
    });
    // Without the permission the claim is not theirs to see: the subject is null, the notice stays.
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", firm.employee.id), permissions: ["CHAT"] } });
    expect(await latest()).toMatchObject({ kind: "CLAIM_REPORTED", subject: null, subjectId: reportClaim.claim.id });
  });

  it("a page of notices with subjects costs the same number of SQL statements for 2 and for 12 notices", async () => {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const customerId = toGlobalId("Customer", customer.id);
    const { documentCategories } = await firm.adminClient.request(DocumentCategoriesDocument, {});
    const { insurers } = await firm.adminClient.request(InsurersDocument, {});
    const subjects: Array<{ type: string; id: string }> = [];
    for (let i = 0; i < 6; i++) {
      const put = await upload(firm.adminClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
      const { uploadDocument } = await firm.adminClient.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId, categoryId: documentCategories[0]!.id, title: `Dok ${i}` } });
      const { createContract } = await firm.adminClient.request(CreateContractDocument, { input: { customerId, insurerId: insurers[0]!.id, contractNumber: `V-${i}` } });
      subjects.push({ type: "Document", id: fromGlobalId(uploadDocument.document.id)!.id }, { type: "Contract", id: fromGlobalId(createContract.contract.id)!.id });
    }
    const raise = (subject: { type: string; id: string }) => raiseNotification(t.app.services, { tenantId: firm.tenant.id, staffUserIds: [firm.employee.id], subject });

    for (const subject of subjects.slice(0, 2)) await raise(subject);
    const few = await t.countStatements(() => firm.employeeClient.request(NotificationsDocument, { first: 50 }));
    for (const subject of subjects.slice(2)) await raise(subject);
    let listed: NotificationsQuery | undefined;
    const many = await t.countStatements(async () => (listed = await firm.employeeClient.request(NotificationsDocument, { first: 50 })));
    expect(listed!.notifications.edges).toHaveLength(12);
    expect(listed!.notifications.edges.map((e) => e.node.subject!.__typename).sort()).toEqual([...Array<string>(6).fill("Contract"), ...Array<string>(6).fill("Document")]);
    expect(many).toBe(few);
  });

  it("is null when there is none, or the object is not one the viewer may see; the subscription resolves it too", async () => {
    const firm = await f.buildFirm();
    const stranger = await f.buildFirm();
    const strangerCustomer = await f.buildCustomer({ tenant: stranger.tenant });
    const put = await upload(stranger.adminClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
    const { documentCategories } = await stranger.adminClient.request(DocumentCategoriesDocument, {});
    const { uploadDocument: foreign } = await stranger.adminClient.request(UploadDocumentDocument, {
      input: { fileId: put.fileId, customerId: toGlobalId("Customer", strangerCustomer.id), categoryId: documentCategories[0]!.id },
    });
    // From "now" (the decimal cursor `head()` gives, still accepted), so nothing raised below is missed.
    const sub = firm.employeeClient.subscribe(NotificationAddedDocument, { after: await t.headCursor(firm.tenant.id) });
    await raiseNotification(t.app.services, { tenantId: firm.tenant.id, staffUserIds: [firm.employee.id], title: "ohne" });
    // A row that names what the viewer may not see (another firm's document): scoped like every read.
    await raiseNotification(t.app.services, { tenantId: firm.tenant.id, staffUserIds: [firm.employee.id], title: "fremd", subject: { type: "Document", id: fromGlobalId(foreign.document.id)!.id } });
    const own = await f.buildCustomer({ tenant: firm.tenant });
    const { insurers } = await firm.adminClient.request(InsurersDocument, {});
    const { createContract } = await firm.adminClient.request(CreateContractDocument, { input: { customerId: toGlobalId("Customer", own.id), insurerId: insurers[0]!.id, contractNumber: "LIVE-1" } });
    await raiseNotification(t.app.services, { tenantId: firm.tenant.id, staffUserIds: [firm.employee.id], title: "live", subject: { type: "Contract", id: fromGlobalId(createContract.contract.id)!.id } });

    const events = [];
    for (let i = 0; i < 3; i++) events.push((await nextWithin(sub)).value!.notificationAdded.notification);
    expect(events.map((n) => [n.title, n.subject])).toEqual([
      ["ohne", null],
      ["fremd", null],
      ["live", { __typename: "Contract", id: createContract.contract.id, contractNumber: "LIVE-1", status: expect.any(String) }],
    ]);
    await sub.return?.();
    const { notifications: page } = await firm.employeeClient.request(NotificationsDocument, {});
    expect(page.edges.map((e) => [e.node.title, e.node.subject?.__typename ?? null])).toEqual([
      ["live", "Contract"],
      ["fremd", null],
      ["ohne", null],
    ]);
  });
});

describe("markNotificationsRead returns what it marked (issue 12)", () => {
  it("with `all`, every notice that was unread, newest first, as it is now", async () => {
    const { staff, client } = await staffWithClient();
    for (const title of ["eins", "zwei", "drei"]) await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title });
    const { notifications: page } = await client.request(NotificationsDocument, {});
    await client.request(MarkNotificationsReadDocument, { input: { ids: [page.edges[1]!.node.id] } });

    const { markNotificationsRead: all } = await client.request(MarkNotificationsReadDocument, { input: { all: true } });
    expect(all.notifications.map((n) => [n.title, n.read])).toEqual([
      ["drei", true],
      ["eins", true],
    ]);
    expect(all.unreadCount).toBe(0);
    // Nothing left: an empty list.
    expect((await client.request(MarkNotificationsReadDocument, { input: { all: true } })).markNotificationsRead.notifications).toEqual([]);
  });
});

describe("subscription cursors (issue 12)", () => {
  it("gives opaque cursors; resumes from one, and from the decimal form clients stored before (issue 12)", async () => {
    const { staff, client } = await staffWithClient();
    const sub = client.subscribe(NotificationAddedDocument, { after: "0" });
    await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title: "vorher" });
    const cursor = (await nextWithin(sub)).value!.notificationAdded.cursor;
    await sub.return?.();
    // Not the event id: nothing a client could be tempted to do arithmetic on.
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toMatch(/^[0-9]+$/);
    for (const title of ["a", "b"]) await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id], title });

    const titlesAfter = async (after: string) => {
      const resumed = client.subscribe(NotificationAddedDocument, { after });
      const got: Array<{ title: string; cursor: string }> = [];
      for (let i = 0; i < 2; i++) {
        const { notificationAdded } = (await nextWithin(resumed)).value!;
        got.push({ title: notificationAdded.notification.title, cursor: notificationAdded.cursor });
      }
      await nothingWithin(resumed, 200);
      await resumed.return?.();
      return got;
    };
    const opaque = await titlesAfter(cursor);
    expect(opaque.map((e) => e.title)).toEqual(["a", "b"]);
    // The same position in the old decimal form replays the same events, with the same (opaque) cursors.
    expect(await titlesAfter(String(parseCursor(cursor)))).toEqual(opaque);
  });

  it("refuses forged cursors with BAD_USER_INPUT, rule CURSOR", async () => {
    const { client } = await staffWithClient();
    const b64 = (s: string) => Buffer.from(s).toString("base64url");
    for (const after of ["", "-1", "1.5", "1e3", "9".repeat(16), b64("v1:abc"), b64("v2:5"), b64("v1:5 "), b64("v1:05"), `${b64("v1:5")}=`, "djE6NQ==", "ü"]) {
      const sub = client.subscribe(NotificationAddedDocument, { after });
      const err = await nextWithin(sub).catch((e: unknown) => e);
      expect(err, after).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ field: "after", rule: "CURSOR" }] });
    }
  });
});
