import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { startTestServer, type TestServer } from "../test/harness.js";
import { factories } from "../test/factories.js";
import { raiseNotification } from "../test/realtime.js";
import { events } from "../realtime/events.table.js";
import { mailOutbox } from "../mail/outbox.table.js";
import { notifications } from "../modules/notification/notification.table.js";
import { EMAIL_AFTER_MS } from "../modules/notification/notification.service.js";
import { RETENTION_MS } from "./worker.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ smtp: true });
});
afterAll(() => t.close());

describe("the worker's retention", () => {
  it("removes events and finished mail after 30 days, and keeps the notifications", async () => {
    const staff = await factories(t).buildStaff();
    const [row] = await raiseNotification(t.app.services, { tenantId: staff.tenantId, staffUserIds: [staff.id] });
    t.clock.advance(EMAIL_AFTER_MS + 1_000);
    await t.app.worker.runOnce();
    const { db } = t.app.deps.database;
    const mail = await db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, staff.email));
    expect(mail).toMatchObject([{ status: "SENT" }]);
    expect(await db.select().from(events).where(eq(events.entityId, row!.id))).toHaveLength(1);

    t.clock.advance(RETENTION_MS - EMAIL_AFTER_MS - 60_000);
    await t.app.worker.runOnce();
    // Not yet 30 days old: kept.
    expect(await db.select().from(events).where(eq(events.entityId, row!.id))).toHaveLength(1);

    // Past 30 days for the event and for the mail written 5 minutes after it.
    t.clock.advance(EMAIL_AFTER_MS + 2 * 60_000);
    await t.app.worker.runOnce();
    expect(await db.select().from(events).where(eq(events.entityId, row!.id))).toHaveLength(0);
    expect(await db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, staff.email))).toHaveLength(0);
    expect(await db.select().from(notifications).where(eq(notifications.id, row!.id))).toHaveLength(1);
  });
});
