import { and, asc, eq, inArray, isNull, lte, or } from "drizzle-orm";
import type { Deps } from "../deps.js";
import type { Queryable } from "../db/client.js";
import { mailOutbox, type MailRow } from "./outbox.table.js";
import type { MailTransport } from "./transport.js";
import type { RenderedMail } from "./templates.js";

const MAX_ATTEMPTS = 8;
const LEASE_MS = 60_000;
const BATCH = 20;

/** Backoff before attempt n+1: 10 s, 20 s, 40 s ... capped at one hour. */
export function backoffMs(attempts: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** Writes mail into the outbox and sends what is due. */
export class Outbox {
  constructor(
    private readonly deps: Deps,
    private readonly transport: MailTransport,
  ) {}

  /** Call inside the transaction of the change that causes the mail: no change without its mail, no mail without its change. */
  async enqueue(on: Queryable, mail: RenderedMail & { to: string; template: string; tenantId: string | null }): Promise<void> {
    await on.insert(mailOutbox).values({
      tenantId: mail.tenantId,
      template: mail.template,
      toAddress: mail.to,
      subject: mail.subject,
      textBody: mail.text,
      htmlBody: mail.html,
      nextAttemptAt: this.deps.clock.now(),
      createdAt: this.deps.clock.now(),
    });
  }

  /**
   * Claims due mail with a short lease (FOR UPDATE SKIP LOCKED, so several instances never take the same row),
   * sends it outside any transaction, and records the outcome. Returns how many were sent and failed.
   */
  async deliverDue(): Promise<{ sent: number; failed: number }> {
    const now = this.deps.clock.now();
    const { db } = this.deps.database;
    const claimed: MailRow[] = await db.transaction(async (tx) => {
      const due = await tx
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(
          and(
            eq(mailOutbox.status, "PENDING"),
            lte(mailOutbox.nextAttemptAt, now),
            or(isNull(mailOutbox.lockedUntil), lte(mailOutbox.lockedUntil, now)),
          ),
        )
        .orderBy(asc(mailOutbox.nextAttemptAt))
        .limit(BATCH)
        .for("update", { skipLocked: true });
      if (due.length === 0) return [];
      return tx
        .update(mailOutbox)
        .set({ lockedUntil: new Date(now.getTime() + LEASE_MS) })
        .where(inArray(mailOutbox.id, due.map((d) => d.id)))
        .returning();
    });
    let sent = 0;
    let failed = 0;
    // In the order they were written (UUIDv7 ids sort by time): an invitation goes out before a later reset.
    claimed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const mail of claimed) {
      try {
        await this.transport.send({ to: mail.toAddress, subject: mail.subject, text: mail.textBody, html: mail.htmlBody });
        await db
          .update(mailOutbox)
          .set({ status: this.transport.delivers ? "SENT" : "HELD", sentAt: this.deps.clock.now(), lockedUntil: null, attempts: mail.attempts + 1 })
          .where(eq(mailOutbox.id, mail.id));
        sent++;
      } catch (err) {
        failed++;
        const attempts = mail.attempts + 1;
        const giveUp = attempts >= MAX_ATTEMPTS;
        this.deps.log.warn({ err, mailId: mail.id, attempts }, giveUp ? "mail failed for good" : "mail failed; will retry");
        await db
          .update(mailOutbox)
          .set({
            attempts,
            status: giveUp ? "FAILED" : "PENDING",
            lastError: String((err as Error).message ?? err).slice(0, 500),
            nextAttemptAt: new Date(this.deps.clock.now().getTime() + backoffMs(attempts)),
            lockedUntil: null,
          })
          .where(eq(mailOutbox.id, mail.id));
      }
    }
    return { sent, failed };
  }
}
