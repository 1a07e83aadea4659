import { and, eq, gt, isNull } from "drizzle-orm";
import type { Queryable } from "../db/client.js";
import type { Clock } from "../clock.js";
import { oneTimeTokens } from "../modules/session/session.table.js";
import { hashToken, newToken } from "./tokens.js";
import { badInput } from "../errors.js";

export type TokenPurpose = (typeof oneTimeTokens.$inferSelect)["purpose"];
export type TokenSubject = { staffUserId: string; appAccountId?: undefined } | { appAccountId: string; staffUserId?: undefined };

/** A token of this purpose that is neither used nor expired. */
const usable = (purpose: TokenPurpose, token: string, now: Date) =>
  and(eq(oneTimeTokens.tokenHash, hashToken(token)), eq(oneTimeTokens.purpose, purpose), isNull(oneTimeTokens.usedAt), gt(oneTimeTokens.expiresAt, now));

const invalidToken = (field: string) => badInput([{ field, rule: "TOKEN_VALID", message: "this link is invalid, already used or expired" }]);

/** Single-use links: a new one voids the subject's earlier unused ones of the same purpose. */
export class OneTimeTokens {
  constructor(private readonly clock: Clock) {}

  async issue(on: Queryable, args: { tenantId: string; purpose: TokenPurpose; subject: TokenSubject; ttlMs: number }): Promise<{ token: string; expiresAt: Date }> {
    const now = this.clock.now();
    await on
      .update(oneTimeTokens)
      .set({ usedAt: now })
      .where(
        and(
          args.subject.staffUserId ? eq(oneTimeTokens.staffUserId, args.subject.staffUserId) : eq(oneTimeTokens.appAccountId, args.subject.appAccountId!),
          eq(oneTimeTokens.purpose, args.purpose),
          isNull(oneTimeTokens.usedAt),
        ),
      );
    const token = newToken(args.purpose.endsWith("PASSWORD_RESET") ? "kr" : "ki");
    const expiresAt = new Date(now.getTime() + args.ttlMs);
    await on.insert(oneTimeTokens).values({
      tenantId: args.tenantId,
      purpose: args.purpose,
      tokenHash: hashToken(token),
      staffUserId: args.subject.staffUserId ?? null,
      appAccountId: args.subject.appAccountId ?? null,
      expiresAt,
      createdAt: now,
    });
    return { token, expiresAt };
  }

  /**
   * Fails like `consume` for a token that could not be used, without using it up: callers check this before
   * the expensive password hash, so an unknown token costs nothing, then consume in their transaction.
   */
  async check(on: Queryable, purpose: TokenPurpose, token: string, field = "input.token"): Promise<void> {
    const [row] = await on.select({ id: oneTimeTokens.id }).from(oneTimeTokens).where(usable(purpose, token, this.clock.now()));
    if (!row) throw invalidToken(field);
  }

  /** Uses a token up, atomically: of two concurrent uses exactly one succeeds. */
  async consume(on: Queryable, purpose: TokenPurpose, token: string, field = "input.token") {
    const now = this.clock.now();
    const [row] = await on
      .update(oneTimeTokens)
      .set({ usedAt: now })
      .where(usable(purpose, token, now))
      .returning();
    if (!row) throw invalidToken(field);
    return row;
  }
}
