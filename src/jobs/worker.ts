import { and, inArray, lt, lte, notLike, or } from "drizzle-orm";
import type { Services } from "../services.js";
import { sessions, oneTimeTokens, rateLimits } from "../modules/session/session.table.js";
import { KNOWN_ADDRESS_MS, KNOWN_ADDRESS_PREFIX, RATE_LIMIT_RETENTION_MS } from "../auth/rate-limit.js";
import { events } from "../realtime/events.table.js";
import { mailOutbox } from "../mail/outbox.table.js";

/** How long events (resume cursors) and finished mail are kept. */
export const RETENTION_MS = 30 * 86_400_000;

export interface WorkerRun {
  escalated: number;
  skipped: number;
  sent: number;
  failed: number;
}

/**
 * The background loop every instance runs: F4 escalation, the mail outbox, and clean-up.
 * Every step is safe with several instances on one database (row locks with SKIP LOCKED, idempotent deletes).
 */
export class Worker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private lastCleanup = 0;

  constructor(private readonly services: Services) {}

  /** One pass over every job; tests call this directly instead of waiting for the timer. */
  async runOnce(): Promise<WorkerRun> {
    const { notification, outbox } = this.services;
    const escalation = await notification.escalateDue();
    const delivery = await outbox.deliverDue();
    await this.cleanup();
    return { escalated: escalation.queued, skipped: escalation.skipped, sent: delivery.sent, failed: delivery.failed };
  }

  private async cleanup(): Promise<void> {
    const now = this.services.deps.clock.now();
    if (now.getTime() - this.lastCleanup < 60_000) return;
    this.lastCleanup = now.getTime();
    const { db } = this.services.deps.database;
    const idleCutoff = new Date(now.getTime() - this.services.deps.config.sessionIdleMs);
    const ended = await db
      .delete(sessions)
      .where(or(lte(sessions.expiresAt, now), lte(sessions.lastUsedAt, idleCutoff)))
      .returning({ id: sessions.id });
    await this.services.session.announceEnded(ended.map((e) => e.id));
    await db.delete(oneTimeTokens).where(lt(oneTimeTokens.expiresAt, new Date(now.getTime() - 30 * 86_400_000)));
    // Counters live a day at most; an address a login succeeded from stays known to its account longer.
    await db.delete(rateLimits).where(
      or(
        and(lt(rateLimits.windowStart, new Date(now.getTime() - RATE_LIMIT_RETENTION_MS)), notLike(rateLimits.key, `${KNOWN_ADDRESS_PREFIX}%`)),
        lt(rateLimits.windowStart, new Date(now.getTime() - KNOWN_ADDRESS_MS)),
      ),
    );
    await this.services.file.removeAbandoned();
    await this.services.idempotency.removeExpired(db);
    // Retention: resume cursors reach back 30 days; sent mail (personal data) is kept 30 days for support.
    const monthAgo = new Date(now.getTime() - RETENTION_MS);
    await db.delete(events).where(lt(events.createdAt, monthAgo));
    await db.delete(mailOutbox).where(and(inArray(mailOutbox.status, ["SENT", "FAILED", "HELD"]), lt(mailOutbox.createdAt, monthAgo)));
  }

  start(intervalMs: number): void {
    const tick = async () => {
      try {
        this.running = this.runOnce();
        await this.running;
      } catch (err) {
        this.services.deps.log.error({ err }, "worker pass failed");
      } finally {
        this.running = undefined;
        if (this.timer) this.timer = setTimeout(() => void tick(), intervalMs);
      }
    };
    this.timer = setTimeout(() => void tick(), intervalMs);
  }

  /** Stops the loop and waits for a pass in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
