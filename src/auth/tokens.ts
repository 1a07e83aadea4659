import crypto from "node:crypto";

/** A random opaque token: 256 bits, URL-safe, with a prefix that tells what it is when seen in a log or a leak. */
export function newToken(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(32).toString("base64url")}`;
}

/** Tokens are stored only as their SHA-256; the plain token exists only in the client's hands. */
export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("base64url");
}

/** Compares secrets in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}
