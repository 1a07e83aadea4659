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

/**
 * A link that carries nothing but its token: no email, name or broker ID ends up in browser histories or proxy
 * logs. The page behind it asks `linkInfo(token)` what the link is for.
 */
export function linkWithToken(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set("token", token);
  return url.toString();
}

const invalidToken = (field: string) => badInput([{ field, rule: "TOKEN_VALID", message: "this link is invalid, already used or expired" }]);

/** Single-use links: a new one voids the subject's earlier unused ones of the same purpose. */
export class OneTimeTokens {
  constructor(private readonly clock: Clock) {}

  async issue(on: Queryable, args: { tenantId: string; purpose: TokenPurpose; subject: TokenSubject; ttlMs: number }): Promise<{ token: string; expiresAt: Date }> {
    const now = this.clock.now();
    await this.voidAll(on, args.purpose, args.subject);
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

  /** The row of a token of any purpose that is neither used nor expired, or null (nothing is used up). */
  async find(on: Queryable, token: string): Promise<(typeof oneTimeTokens.$inferSelect) | null> {
    const now = this.clock.now();
    const [row] = await on
      .select()
      .from(oneTimeTokens)
      .where(and(eq(oneTimeTokens.tokenHash, hashToken(token)), isNull(oneTimeTokens.usedAt), gt(oneTimeTokens.expiresAt, now)));
    return row ?? null;
  }

  /** Voids a subject's unused tokens of a purpose (a link that no longer leads anywhere). */
  async voidAll(on: Queryable, purpose: TokenPurpose, subject: TokenSubject): Promise<void> {
    await on
      .update(oneTimeTokens)
      .set({ usedAt: this.clock.now() })
      .where(
        and(
          subject.staffUserId ? eq(oneTimeTokens.staffUserId, subject.staffUserId) : eq(oneTimeTokens.appAccountId, subject.appAccountId!),
          eq(oneTimeTokens.purpose, purpose),
          isNull(oneTimeTokens.usedAt),
        ),
      );
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
