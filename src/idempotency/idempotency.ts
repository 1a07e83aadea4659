import { createHash } from "node:crypto";
import { and, eq, lte } from "drizzle-orm";
import type { Queryable } from "../db/client.js";
import type { Clock } from "../clock.js";
import { AppError, ErrorCode } from "../errors.js";
import { idempotencyKeys } from "./idempotency.table.js";

/** How long a key is kept: retries come within minutes, the promise is at least 24 hours. */
export const IDEMPOTENCY_TTL_MS = 48 * 3_600_000;

export interface IdempotentRequest {
  tenantId: string;
  principalId: string;
  operation: string;
  /** The client's key (a UUID it made once per user action and resends with every retry). */
  key: string;
  /** The request as the server understood it: a retry must send the same. */
  input: unknown;
  /** The field that carries the key, for errors. */
  field: string;
}

/** Stable JSON (sorted object keys), so the same input always hashes alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export const requestHash = (input: unknown): string => createHash("sha256").update(canonical(input)).digest("hex");

const reused = (field: string) =>
  new AppError(ErrorCode.CONFLICT, "This idempotency key was used for a different request; make a new key for a new request", {
    fields: [{ field, rule: "IDEMPOTENCY_KEY_REUSED", message: "was sent before with other input" }],
  });

/**
 * Idempotent mutations, designed once for every module. Before costly work (rendering photos): `replay()` answers
 * a retry of a finished request without doing it. Inside the mutation's transaction: `claim()` records the key
 * with the result's id; a concurrent twin blocks on the same primary key until the first commits, then
 * finds it and gets the first result, so two requests never make two results.
 */
export class Idempotency {
  constructor(private readonly clock: Clock) {}

  /** The result id of an earlier request with this key, or null; CONFLICT if that request had other input. */
  async replay(on: Queryable, r: IdempotentRequest): Promise<string | null> {
    const [row] = await on
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.tenantId, r.tenantId), eq(idempotencyKeys.principalId, r.principalId), eq(idempotencyKeys.operation, r.operation), eq(idempotencyKeys.key, r.key)));
    if (!row) return null;
    if (row.requestHash !== requestHash(r.input)) throw reused(r.field);
    return row.resultId;
  }

  /**
   * Records the key for `resultId` in the caller's transaction. Returns null when this request is the first;
   * else the first request's result id (the caller then rolls back its own work and answers with that).
   */
  async claim(tx: Queryable, r: IdempotentRequest, resultId: string): Promise<string | null> {
    const now = this.clock.now();
    const inserted = await tx
      .insert(idempotencyKeys)
      .values({
        tenantId: r.tenantId,
        principalId: r.principalId,
        operation: r.operation,
        key: r.key,
        requestHash: requestHash(r.input),
        resultId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      })
      .onConflictDoNothing()
      .returning({ resultId: idempotencyKeys.resultId });
    if (inserted.length > 0) return null;
    return this.replay(tx, r);
  }

  /** Worker: keys past their time are removed. */
  async removeExpired(on: Queryable): Promise<number> {
    const rows = await on.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, this.clock.now())).returning({ key: idempotencyKeys.key });
    return rows.length;
  }
}

/** Thrown inside a transaction to roll back a duplicate's work; carries the first request's result id. */
export class DuplicateRequest extends Error {
  constructor(readonly resultId: string) {
    super("duplicate request");
  }
}
