import { createHmac, timingSafeEqual } from "node:crypto";

export type FileTokenKind = "upload" | "download";

export interface FileTokenPayload {
  kind: FileTokenKind;
  id: string;
  /** Whole seconds: signing rounds down, so a token never lives longer than asked. */
  expiresAt: Date;
}

// Domain separation: the same secret may sign other things one day; a MAC made here is only valid here.
const CONTEXT = "kundenapp.file-token.v1.";
const MIN_SECRET_BYTES = 32;
const MAX_TOKEN_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// On the wire: 'u' | 'd', so the payload stays compact.
const KIND_CODE = { upload: "u", download: "d" } as const satisfies Record<FileTokenKind, string>;

function checkSecret(secret: string | Buffer): void {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new RangeError(`File token secret must have at least ${MIN_SECRET_BYTES} bytes`);
  }
}

const mac = (secret: string | Buffer, payload: string): Buffer =>
  createHmac("sha256", secret).update(CONTEXT + payload).digest();

/** An opaque, URL-safe token `<payload>.<HMAC-SHA256>` (both base64url) for a signed upload or download URL. */
export function signFileToken(secret: string | Buffer, payload: FileTokenPayload): string {
  checkSecret(secret);
  const expires = Math.floor(payload.expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expires)) throw new RangeError("expiresAt is not a valid date");
  const body = Buffer.from(JSON.stringify([KIND_CODE[payload.kind], payload.id, expires])).toString("base64url");
  return `${body}.${mac(secret, body).toString("base64url")}`;
}

function decodeKind(code: unknown): FileTokenKind | null {
  if (code === KIND_CODE.upload) return "upload";
  if (code === KIND_CODE.download) return "download";
  return null;
}

/**
 * The payload of a token signed with `secret` that has not expired at `now`; null for anything else
 * (malformed, wrong signature, expired). The caller still checks `kind` and `id` against the URL it serves.
 */
export function verifyFileToken(secret: string | Buffer, token: string, now: Date): FileTokenPayload | null {
  checkSecret(secret);
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split(".");
  if (parts.length !== 2) return null;
  const [body, signature] = parts as [string, string];
  if (!BASE64URL.test(body) || !BASE64URL.test(signature)) return null;

  // Compare the encoded text, not decoded bytes: base64url decoding ignores the spare low bits of the last
  // character, so several spellings would decode to the same MAC. The expected length is public (always 43),
  // so checking it first leaks nothing; timingSafeEqual needs equal lengths.
  const expected = Buffer.from(mac(secret, body).toString("base64url"));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;

  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) return null;
  const [code, id, expires]: unknown[] = decoded;
  const kind = decodeKind(code);
  if (kind === null || typeof id !== "string" || id === "" || typeof expires !== "number" || !Number.isSafeInteger(expires)) {
    return null;
  }
  if (now.getTime() >= expires * 1000) return null;
  return { kind, id, expiresAt: new Date(expires * 1000) };
}
