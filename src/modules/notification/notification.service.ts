import { and, count, eq, inArray, isNull, lte } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import type { Tx } from "../../db/client.js";
import { notifications, type NotificationRow } from "./notification.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { tenants } from "../tenant/tenant.table.js";
import type { Viewer } from "../../auth/viewer.js";
import { notificationPolicy } from "./notification.policy.js";
import { notificationScope } from "./notification.scope.js";
import { badInput, notFound } from "../../errors.js";
import { afterCursor, orderBy, toConnection, lazy, uuidKey, type SortKey, countRows } from "../../graphql/connection.js";
import { decodeId } from "../../graphql/relay.js";
import { eventCursor, type Emit, type EventLog } from "../../realtime/event-log.js";
import type { Outbox } from "../../mail/outbox.js";
import { firmProfile, notificationMail } from "../../mail/templates.js";
import { Notification, type MarkNotificationsReadInput, type NotificationsArgs } from "./notification.types.js";

export const NOTIFICATION_ADDED = "notification.added";
/** Rule F4: how long a notification may stay unread before it is emailed. */
export const EMAIL_AFTER_MS = 5 * 60_000;

export interface NewNotification {
  tenantId: string;
  staffUserIds: string[];
  kind: NotificationRow["kind"];
  title: string;
  body: string;
  subject?: { type: string; id: string };
}

export class NotificationService {
  constructor(
    private readonly deps: Deps,
    private readonly events: EventLog,
    private readonly outbox: Outbox,
  ) {}

  /** Raises notifications inside the caller's transaction; subscribers hear of them after commit. */
  async notify(tx: Tx, emit: Emit, n: NewNotification): Promise<NotificationRow[]> {
    const recipients = [...new Set(n.staffUserIds)];
    if (recipients.length === 0) return [];
    const rows = await tx
      .insert(notifications)
      .values(
        recipients.map((staffUserId) => ({
          tenantId: n.tenantId,
          staffUserId,
          kind: n.kind,
          title: n.title,
          body: n.body,
          subjectType: n.subject?.type ?? null,
          subjectId: n.subject?.id ?? null,
          createdAt: this.deps.clock.now(),
        })),
      )
      .returning();
    for (const row of rows) await emit({ tenantId: n.tenantId, topic: NOTIFICATION_ADDED, entityId: row.id, audienceId: row.staffUserId });
    return rows;
  }

  /** Rule H1: the viewer's notifications, newest first. */
  async list(viewer: Viewer, args: NotificationsArgs) {
    notificationPolicy.authorize(viewer, "list");
    const { db } = this.deps.database;
    const keys: SortKey[] = [{ column: notifications.id, direction: "desc", decode: uuidKey }];
    const scope = and(notificationScope(viewer), args.unreadOnly ? isNull(notifications.readAt) : undefined);
    const rows = await db
      .select()
      .from(notifications)
      .where(and(scope, afterCursor(keys, args.after)))
      .orderBy(...orderBy(keys))
      .limit(args.first + 1);
    const conn = toConnection(rows, args, (r) => [r.id], Notification.from, countRows(db, notifications, scope));
    return { ...conn, unreadCount: lazy(() => this.unreadCount(viewer)) };
  }

  async unreadCount(viewer: Viewer): Promise<number> {
    const [c] = await this.deps.database.db
      .select({ n: count() })
      .from(notifications)
      .where(and(notificationScope(viewer), isNull(notifications.readAt)));
    return c!.n;
  }

  /** A notification of the viewer's own, or null. */
  async find(viewer: Viewer, id: string): Promise<Notification | null> {
    if (!notificationPolicy.can(viewer, "list")) return null;
    const [row] = await this.deps.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.id, id), notificationScope(viewer)));
    return row ? Notification.from(row) : null;
  }

  /** Rule H1: mark one, several or all read. Another user's id is not found. */
  async markRead(viewer: Viewer, input: MarkNotificationsReadInput) {
    notificationPolicy.authorize(viewer, "markRead");
    const hasIds = (input.ids?.length ?? 0) > 0;
    if (!hasIds && input.all !== true) throw badInput([{ field: "input.ids", rule: "REQUIRED", message: "give ids, or all: true" }]);
    if (hasIds && input.all === true) throw badInput([{ field: "input.all", rule: "EXCLUSIVE", message: "give either ids or all, not both" }]);
    const now = this.deps.clock.now();
    const { db } = this.deps.database;
    let marked: NotificationRow[] = [];
    if (input.all) {
      // Those this call marked (they were unread), newest first like the list: a client's cache updates without a refetch.
      const rows = await db
        .update(notifications)
        .set({ readAt: now })
        .where(and(notificationScope(viewer), isNull(notifications.readAt)))
        .returning();
      marked = rows.sort((x, y) => (x.id < y.id ? 1 : x.id > y.id ? -1 : 0));
    } else {
      const ids = [...new Set(input.ids!.map((id, i) => decodeId(id, "Notification", `input.ids.${i}`)))];
      marked = await db.transaction(async (tx) => {
        const own = await tx
          .select({ id: notifications.id })
          .from(notifications)
          .where(and(inArray(notifications.id, ids), notificationScope(viewer)));
        if (own.length !== ids.length) throw notFound("Notification");
        // Keep the first read time of those already read.
        await tx
          .update(notifications)
          .set({ readAt: now })
          .where(and(inArray(notifications.id, ids), isNull(notifications.readAt)));
        return tx.select().from(notifications).where(inArray(notifications.id, ids));
      });
    }
    return { notifications: marked.map(Notification.from), unreadCount: await this.unreadCount(viewer) };
  }

  /** Rule H1: the viewer's new notifications in real time, resumable with `after:`; each event re-checks the session. */
  subscribe(viewer: Viewer, after: string | null | undefined) {
    const staff = notificationPolicy.authorize(viewer, "follow");
    return this.events.watch<Notification>({
      viewer: staff,
      topic: NOTIFICATION_ADDED,
      after,
      audience: (v) => (v.kind === "staff" ? new Set([v.userId]) : null),
      load: async (v, rows) => {
        const found = await this.deps.database.db
          .select()
          .from(notifications)
          .where(and(inArray(notifications.id, rows.map((r) => r.entityId)), notificationScope(v)));
        const byId = new Map(found.map((n) => [n.id, n]));
        return rows.flatMap((r) => {
          const n = byId.get(r.entityId);
          return n ? [{ cursor: eventCursor(r.id), value: Notification.from(n) }] : [];
        });
      },
    });
  }

  /**
   * Rule F4: notifications unread 5 minutes after they were made are emailed to users who want it:
   * exactly once (the state moves from PENDING in the same transaction that queues the mail), never after
   * being read (read ones are not picked), and never twice across instances (rows are locked, others skip them).
   */
  async escalateDue(limit = 100): Promise<{ queued: number; skipped: number }> {
    const cutoff = new Date(this.deps.clock.now().getTime() - EMAIL_AFTER_MS);
    return this.deps.database.db.transaction(async (tx) => {
      const due = await tx
        .select({ id: notifications.id })
        .from(notifications)
        .where(and(eq(notifications.emailState, "PENDING"), isNull(notifications.readAt), lte(notifications.createdAt, cutoff)))
        .orderBy(notifications.createdAt)
        .limit(limit)
        .for("update", { skipLocked: true });
      if (due.length === 0) return { queued: 0, skipped: 0 };
      const rows = await tx
        .select({ n: notifications, user: staffUsers, tenant: tenants })
        .from(notifications)
        .innerJoin(staffUsers, eq(staffUsers.id, notifications.staffUserId))
        .innerJoin(tenants, eq(tenants.id, notifications.tenantId))
        .where(inArray(notifications.id, due.map((d) => d.id)));
      let queued = 0;
      const skip: string[] = [];
      const queue: string[] = [];
      for (const { n, user, tenant } of rows) {
        if (!user.emailNotifications || user.status !== "ACTIVE") {
          skip.push(n.id);
          continue;
        }
        const mail = notificationMail({
          recipientName: user.name,
          title: n.title,
          body: n.body,
          firm: firmProfile(tenant),
        });
        await this.outbox.enqueue(tx, { ...mail, to: user.email, template: `notification:${n.id}`, tenantId: n.tenantId });
        queue.push(n.id);
        queued++;
      }
      if (queue.length) await tx.update(notifications).set({ emailState: "QUEUED" }).where(inArray(notifications.id, queue));
      if (skip.length) await tx.update(notifications).set({ emailState: "SKIPPED" }).where(inArray(notifications.id, skip));
      return { queued, skipped: skip.length };
    });
  }
}
