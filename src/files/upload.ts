import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { FileError } from "./errors.js";
import { SNIFF_LENGTH, sniff, type Mime } from "./sniff.js";
import type { FileStorage } from "./storage.js";

export { FileError, type FileErrorCode } from "./errors.js";

export interface UploadResult {
  size: number;
  /** Sniffed from the bytes; the type the client declared plays no part. */
  mime: Mime;
  /** Hex SHA-256 of the stored bytes. */
  sha256: string;
}

export interface ReceiveUploadOptions {
  maxBytes: number;
  allowed: readonly Mime[];
  storage: FileStorage;
  /** A fresh key for this upload: on failure whatever is stored under it is deleted. */
  key: string;
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError("Upload stream must yield bytes, not strings or objects");
}

/**
 * The next chunk of a stream, or null at its end. Unlike `for await`, stopping early neither consumes
 * nor destroys the stream: it stays paused, and the HTTP layer decides whether to drain it or close the
 * connection after answering 413 or 415.
 */
async function nextChunk(stream: Readable): Promise<Buffer | null> {
  for (;;) {
    if (stream.errored) throw stream.errored;
    const chunk: unknown = stream.read();
    if (chunk !== null) return toBuffer(chunk);
    if (stream.readableEnded) return null;
    // Closed before its end without an error (a client that went away): storing the prefix would store a truncated file.
    if (stream.destroyed) throw new Error("Upload stream closed before its end");
    await new Promise<void>((resolve) => {
      const wake = () => {
        stream.off("readable", wake).off("end", wake).off("error", wake).off("close", wake);
        resolve();
      };
      // Errors are rethrown from `stream.errored` on the next turn of the loop.
      stream.on("readable", wake).on("end", wake).on("error", wake).on("close", wake);
    });
  }
}

const tooLarge = (maxBytes: number) => new FileError("TOO_LARGE", `The file is larger than ${maxBytes} bytes`);

/**
 * Streams an upload into `storage` under `key` after checking its real type, counting and hashing it on the way.
 * Throws FileError EMPTY, UNSUPPORTED_TYPE (nothing stored) or TOO_LARGE (the partial file is deleted).
 */
export async function receiveUpload(stream: Readable, opts: ReceiveUploadOptions): Promise<UploadResult> {
  const { maxBytes, allowed, storage, key } = opts;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError("maxBytes must be a positive integer");
  // Between reads (while storage works) the stream may fail with nobody listening, which would crash the
  // process; nextChunk picks the error up from `stream.errored` instead.
  const guard = () => undefined;
  stream.on("error", guard);
  try {
    return await receive(stream, maxBytes, allowed, storage, key);
  } finally {
    stream.off("error", guard);
  }
}

async function receive(
  stream: Readable,
  maxBytes: number,
  allowed: readonly Mime[],
  storage: FileStorage,
  key: string,
): Promise<UploadResult> {
  // Read just enough to sniff before touching storage, so a refused type leaves nothing behind.
  const head: Buffer[] = [];
  let headLength = 0;
  while (headLength < SNIFF_LENGTH) {
    const chunk = await nextChunk(stream);
    if (chunk === null) break;
    head.push(chunk);
    headLength += chunk.length;
  }
  if (headLength === 0) throw new FileError("EMPTY", "The file is empty");
  if (headLength > maxBytes) throw tooLarge(maxBytes);
  const sniffed = sniff(Buffer.concat(head, Math.min(headLength, SNIFF_LENGTH)));
  if (sniffed === null || !allowed.includes(sniffed.mime)) {
    throw new FileError("UNSUPPORTED_TYPE", `Only ${allowed.join(", ")} files are accepted`);
  }

  const hash = createHash("sha256");
  let size = 0;
  // Storage may wrap or replace the error that aborted its input; this keeps ours, with its code.
  let failure: FileError | undefined;
  const accept = (chunk: Buffer): Buffer => {
    size += chunk.length;
    if (size > maxBytes) {
      failure = tooLarge(maxBytes);
      throw failure;
    }
    hash.update(chunk);
    return chunk;
  };
  async function* body(): AsyncGenerator<Buffer> {
    for (const chunk of head) yield accept(chunk);
    for (let chunk = await nextChunk(stream); chunk !== null; chunk = await nextChunk(stream)) yield accept(chunk);
  }

  try {
    await storage.put(key, Readable.from(body(), { objectMode: false }), { contentType: sniffed.mime });
  } catch (e) {
    // Best effort: the error that stopped the upload is the one worth reporting.
    await storage.delete(key).catch(() => undefined);
    throw failure ?? e;
  }
  return { size, mime: sniffed.mime, sha256: hash.digest("hex") };
}
