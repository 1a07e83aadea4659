import { eq, sql } from "drizzle-orm";
import type { Database, Queryable } from "../db/client.js";
import type { Clock } from "../clock.js";
import { rateLimits } from "../modules/session/session.table.js";
import { AppError, ErrorCode } from "../errors.js";
import { at } from "../db/columns.js";
import { countRateLimitHits } from "../metrics/metrics.js";

export interface Limit {
  max: number;
  windowMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Login throttling (OWASP authentication cheat sheet, NIST SP 800-63B 5.2.2), counted before any password is checked.
 * - `pair`: one account from one client address. Growing delays: after 5 attempts in a quarter hour the pair waits
 *   for the quarter hour to pass, after 10 in an hour for the hour, after 20 in a day for the day. An attacker
 *   on other addresses never touches the owner's pair.
 * - `account`: a ceiling over all addresses (NIST: at most 100 failed attempts), far above what a person types.
 *   It does not apply to an address this account logged in from successfully before (`KNOWN_ADDRESS_MS`), so an
 *   attack spread over many addresses cannot lock the owner out of their usual address.
 * - `address`: one client address over all accounts (credential stuffing, password spraying).
 * A successful login gives its attempt back and clears its pair.
 */
export const LOGIN_LIMITS = {
  pair: [
    { max: 5, windowMs: 15 * MINUTE },
    { max: 10, windowMs: HOUR },
    { max: 20, windowMs: DAY },
  ],
  account: { max: 100, windowMs: HOUR },
  address: { max: 30, windowMs: 15 * MINUTE },
} satisfies { pair: Limit[]; account: Limit; address: Limit };

/** How long a successful login makes its address "known" to the account (exempt from the account ceiling). */
export const KNOWN_ADDRESS_MS = 30 * DAY;

/** Link-based password setting (registration, resets, invitations) and `changeMyPassword`, per client address or user. */
export const CREDENTIAL_LIMITS = {
  address: { max: 30, windowMs: 15 * MINUTE },
  user: [
    { max: 5, windowMs: 15 * MINUTE },
    { max: 10, windowMs: HOUR },
    { max: 20, windowMs: DAY },
  ],
} satisfies { address: Limit; user: Limit[] };

/** Mails a stranger can trigger (password resets) or a firm can repeat (invitations): per requesting address, recipient and account. */
export const MAIL_LIMITS = {
  address: { max: 30, windowMs: 15 * MINUTE },
  recipient: { max: 5, windowMs: HOUR },
  account: { max: 3, windowMs: HOUR },
} satisfies Record<string, Limit>;

/** Invitation mails per recipient address and per invited login, whoever sends them. */
export const INVITATION_MAIL_LIMITS = {
  recipient: { max: 5, windowMs: HOUR },
  account: { max: 3, windowMs: HOUR },
} satisfies Record<string, Limit>;

/** Rows older than this are deleted by the worker; known-address marks live longer. */
export const RATE_LIMIT_RETENTION_MS = DAY;
export const KNOWN_ADDRESS_PREFIX = "known:";

export interface Counted {
  key: string;
  limit: Limit;
  count: number;
  resetAt: number;
}

/** Fixed-window counters in the database, so every instance counts together. */
export class RateLimiter {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Counts one attempt against every key and returns the new counts. Each key is one statement that increments
   * and returns (INSERT … ON CONFLICT DO UPDATE … RETURNING), so parallel attempts are all counted and each sees
   * its own number: the 6th of 200 parallel attempts sees 6, whatever order they arrive in.
   */
  async count(keys: Array<[string, Limit]>, on?: Queryable): Promise<Counted[]> {
    const now = this.clock.now();
    // One transaction, the keys in one order for everyone: a request's counters are then all before or all after
    // another's. Counted side by side, a burst could interleave them (the pair's 5th count with the address's
    // 21st), so that fewer attempts than a limit allows were let through, or more than one limit's worth.
    const sorted = [...keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const countAll = async (q: Queryable) => {
      const counted = new Map<string, Counted>();
      for (const [key, limit] of sorted) counted.set(key, await this.countOne(q, key, limit, now));
      return keys.map(([key]) => counted.get(key)!);
    };
    return on ? countAll(on) : this.database.db.transaction((tx) => countAll(tx as unknown as Queryable));
  }

  private async countOne(on: Queryable, key: string, limit: Limit, now: Date): Promise<Counted> {
    const cutoff = new Date(now.getTime() - limit.windowMs);
    const [row] = await on
      .insert(rateLimits)
      .values({ key, windowStart: now, count: 1 })
      .onConflictDoUpdate({
        target: rateLimits.key,
        set: {
          count: sql`case when ${rateLimits.windowStart} <= ${at(cutoff)} then 1 else ${rateLimits.count} + 1 end`,
          windowStart: sql`case when ${rateLimits.windowStart} <= ${at(cutoff)} then ${at(now)} else ${rateLimits.windowStart} end`,
        },
      })
      .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart });
    return { key, limit, count: row!.count, resetAt: row!.windowStart.getTime() + limit.windowMs };
  }

  /** Counts the attempt and throws RATE_LIMITED when any key is over its limit; nothing else has run yet. */
  async consume(keys: Array<[string, Limit]>, exempt: (c: Counted) => boolean = () => false, on?: Queryable): Promise<Counted[]> {
    const counted = await this.count(keys, on);
    const over = counted.filter((c) => c.count > c.limit.max && !exempt(c));
    if (over.length > 0) {
      countRateLimitHits(over.map((c) => c.key));
      throw rateLimited(Math.max(...over.map((c) => c.resetAt)) - this.clock.now().getTime());
    }
    return counted;
  }

  /** Gives one attempt back (a successful login does not use up the budget of its address or account). */
  async giveBack(key: string): Promise<void> {
    await this.database.db
      .update(rateLimits)
      .set({ count: sql`greatest(${rateLimits.count} - 1, 0)` })
      .where(eq(rateLimits.key, key));
  }

  /** Marks a fact for a while (a known address); the row's window start is when it was last marked. */
  async mark(key: string): Promise<void> {
    const now = this.clock.now();
    await this.database.db
      .insert(rateLimits)
      .values({ key, windowStart: now, count: 1 })
      .onConflictDoUpdate({ target: rateLimits.key, set: { windowStart: at(now) } });
  }

  /** Whether `key` was marked within `withinMs`. */
  async marked(key: string, withinMs: number): Promise<boolean> {
    const [row] = await this.database.db.select().from(rateLimits).where(eq(rateLimits.key, key));
    return !!row && row.windowStart.getTime() > this.clock.now().getTime() - withinMs;
  }

  async reset(key: string): Promise<void> {
    await this.database.db.delete(rateLimits).where(eq(rateLimits.key, key));
  }
}

export function rateLimited(waitMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError(ErrorCode.RATE_LIMITED, `Too many attempts; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}

/** The keys of one login attempt: its (account, address) pair in each window, the account ceiling and the address. */
export function loginKeys(account: string, clientAddress: string): Array<[string, Limit]> {
  return [
    ...LOGIN_LIMITS.pair.map((limit, i): [string, Limit] => [`login:pair${i}:${account}|${clientAddress}`, limit]),
    [`login:account:${account}`, LOGIN_LIMITS.account],
    [`login:addr:${clientAddress}`, LOGIN_LIMITS.address],
  ];
}
