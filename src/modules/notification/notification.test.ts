import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories } from "../../test/factories.js";
import { raiseNotification, nextWithin, nothingWithin } from "../../test/realtime.js";
import {
  LogoutDocument,
  MarkNotificationsReadDocument,
  NodeDocument,
  NotificationAddedDocument,
  NotificationsDocument,
  UpdateMySettingsDocument,
  UpdateStaffUserDocument,
} from "../../sdk/client.js";
import { mailOutbox } from "../../mail/outbox.table.js";
import { notifications } from "./notification.table.js";
import { toGlobalId } from "../../graphql/relay.js";
import { EMAIL_AFTER_MS } from "./notification.service.js";

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
