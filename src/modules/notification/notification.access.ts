/** Who may call the notification module's operations, and what of another firm they must not reach (run by src/test/isolation.test.ts). */
import { eq } from "drizzle-orm";
import { MarkNotificationsReadDocument, NodeDocument, NotificationAddedDocument, NotificationsDocument } from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { uniqueName, type ModuleAccess, type Subscriber } from "../../test/access-registry.js";
import { nextWithin, raiseNotification } from "../../test/realtime.js";
import { notifications } from "./notification.table.js";

export const notificationAccess: ModuleAccess = {
  operations: [
    { name: "notifications", access: "staff", call: (c) => c.request(NotificationsDocument, { first: 10 }) },
    { name: "markNotificationsRead", access: "staff", call: (c) => c.request(MarkNotificationsReadDocument, { input: { all: true } }) },
  ],
  byId: [
    {
      name: "node(id) of a Notification",
      argument: "node.id",
      type: "Notification",
      objectOf: (firm, w) => w.of(firm).notification,
      call: (c, id) => c.request(NodeDocument, { id }),
    },
    {
      name: "markNotificationsRead",
      argument: "markNotificationsRead.input.ids",
      type: "Notification",
      objectOf: (firm, w) => w.of(firm).notification,
      call: (c, id) => c.request(MarkNotificationsReadDocument, { input: { ids: [id] } }),
    },
  ],
  lists: [
    {
      name: "notifications",
      listed: async (c) => (await c.request(NotificationsDocument, { first: 100 })).notifications.edges.map((e) => e.node.id),
      rowsOf: async (firmId, w) =>
        (await w.db().select({ id: notifications.id }).from(notifications).where(eq(notifications.tenantId, firmId))).map((r) => toGlobalId("Notification", r.id)),
    },
  ],
  subscriptions: [
    {
      // Rule H1: a staff user's own notifications, nobody else's.
      name: "notificationAdded",
      audience: "staff",
      cases: ["another firm", "another staff user"],
      subscribeOnce: (c) => nextWithin(c.subscribe(NotificationAddedDocument, {})),
      open: async (w, foreign) => {
        const staff = await w.f.buildStaff({ tenant: w.a.tenant });
        const client = await w.f.staffClient(staff);
        const stream = client.subscribe(NotificationAddedDocument, { after: "0" });
        const raise = async (tenantId: string, staffUserId: string) => {
          const title = uniqueName("Hinweis");
          await raiseNotification(w.t.app.services, { tenantId, staffUserIds: [staffUserId], title });
          return title;
        };
        const subscriber: Subscriber = {
          next: async () => {
            const r = await nextWithin(stream);
            return r.done ? "(stream ended)" : r.value.notificationAdded.notification.title;
          },
          raiseOwn: () => raise(w.a.tenant.id, staff.id),
          close: async () => {
            await stream.return?.();
            await client.close();
          },
        };
        // Another firm's admin, or a colleague in the subscriber's own firm.
        const other = foreign === "another firm" ? w.b.admin : w.a.admin;
        return { subscriber, raiseForeign: async () => void (await raise(other.tenantId, other.id)) };
      },
    },
  ],
  open: [],
  pending: [],
};
