import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import type { Clock } from "../clock.js";
import { rateLimits } from "../modules/session/session.table.js";
import { AppError, ErrorCode } from "../errors.js";
import { at } from "../db/columns.js";

export interface Limit {
  max: number;
  windowMs: number;
}

/** Failed logins: per account (email + firm) and per client address. Kept in the database so every instance counts together. */
export const LOGIN_LIMITS = {
  account: { max: 5, windowMs: 15 * 60_000 },
  address: { max: 30, windowMs: 15 * 60_000 },
} satisfies Record<string, Limit>;

/** Fixed-window counters in the database. */
export class RateLimiter {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** Throws RATE_LIMITED when any key has used its window up. */
  async check(keys: Array<[string, Limit]>): Promise<void> {
    const now = this.clock.now().getTime();
    for (const [key, limit] of keys) {
      const [row] = await this.database.db.select().from(rateLimits).where(eq(rateLimits.key, key));
      if (!row) continue;
      const resetAt = row.windowStart.getTime() + limit.windowMs;
      if (resetAt > now && row.count >= limit.max) {
        const retryAfterSeconds = Math.ceil((resetAt - now) / 1000);
        throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed attempts; try again in ${retryAfterSeconds} s`, {
          retryAfterSeconds,
        });
      }
    }
  }

  /** Counts one failure against every key, opening a new window where the old one ran out. */
  async hit(keys: Array<[string, Limit]>): Promise<void> {
    const now = this.clock.now();
    for (const [key, limit] of keys) {
      const cutoff = new Date(now.getTime() - limit.windowMs);
      await this.database.db
        .insert(rateLimits)
        .values({ key, windowStart: now, count: 1 })
        .onConflictDoUpdate({
          target: rateLimits.key,
          set: {
            count: sql`case when ${rateLimits.windowStart} <= ${at(cutoff)} then 1 else ${rateLimits.count} + 1 end`,
            windowStart: sql`case when ${rateLimits.windowStart} <= ${at(cutoff)} then ${at(now)} else ${rateLimits.windowStart} end`,
          },
        });
    }
  }

  async reset(key: string): Promise<void> {
    await this.database.db.delete(rateLimits).where(eq(rateLimits.key, key));
  }
}
