import type { MiddlewareFn } from "type-graphql";
import { Problems } from "../errors.js";

/**
 * Characters PostgreSQL refuses in text (NUL) or that UTF-8 cannot carry (a lone UTF-16 surrogate, which would be
 * stored as U+FFFD): refused as the client's input, naming the field, before any resolver or statement sees them.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function collect(value: unknown, field: string, problems: Problems, depth: number): void {
  if (typeof value === "string") {
    if (UNSTORABLE.test(value)) problems.add(field, "FORMAT", "must not contain NUL bytes or unpaired surrogate characters");
    return;
  }
  if (depth > 10 || value === null || typeof value !== "object") return;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v: unknown, i): [string, unknown] => [String(i), v]) : Object.entries(value);
  for (const [key, child] of entries) collect(child, `${field}.${key}`, problems, depth + 1);
}

/** A global middleware: every string in every argument of every field, over HTTP and WebSocket alike. */
export const refuseUnstorableText: MiddlewareFn = async ({ args }, next) => {
  const problems = new Problems();
  for (const [name, value] of Object.entries(args)) collect(value, name, problems, 0);
  problems.throwIfAny();
  return next();
};
