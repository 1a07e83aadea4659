import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import fs from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FileError } from "./errors.js";

/** Where file bytes live. Metadata (name, type, owner) lives in the database, so a store only knows keys. */
export interface FileStorage {
  /** Stores the bytes under `key`, replacing what was there; readers never see a half-written file. */
  put(key: string, data: Readable | Buffer, opts: { contentType: string }): Promise<void>;
  /** Opens the bytes for reading; throws FileError NOT_FOUND when there is no such key. */
  get(key: string): Promise<Readable>;
  head(key: string): Promise<{ size: number } | null>;
  /** Removes the key; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
}

const MAX_KEY_LENGTH = 512;
// Segments of lower-case letters, digits, '_' and '-' joined by single slashes: no '.', no leading or
// trailing slash, no empty segment. That rules out '..', absolute paths and backslashes by construction.
const KEY_PATTERN = /^[a-z0-9_-]+(?:\/[a-z0-9_-]+)*$/;

/** Throws FileError INVALID_KEY unless `key` is a key the app could have generated (see KEY_PATTERN). */
export function assertValidKey(key: string): void {
  if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
    throw new FileError("INVALID_KEY", `Invalid storage key: ${JSON.stringify(key.slice(0, 80))}`);
  }
}

const isNotFound = (e: unknown): boolean =>
  e instanceof Error && "code" in e && (e.code === "ENOENT" || e.code === "ENOTDIR");

/** Local disk under one root directory (e.g. `<dataDir>/files`); the embedded default. */
export class DiskStorage implements FileStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The absolute path of a key; re-checks containment even though the key pattern already rules out escapes. */
  private pathOf(key: string): string {
    assertValidKey(key);
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) {
      throw new FileError("INVALID_KEY", "Storage key escapes the root directory");
    }
    return full;
  }

  // contentType is not kept: the caller stores the sniffed type in the database next to the key.
  async put(key: string, data: Readable | Buffer, _opts: { contentType: string }): Promise<void> {
    const target = this.pathOf(key);
    // Hold the stream's errors during the awaits before pipeline() takes over: with no listener an early
    // error would crash the process. pipeline() still sees it through the stream's errored state.
    const guard = () => undefined;
    if (!Buffer.isBuffer(data)) data.on("error", guard);
    try {
      await fs.mkdir(path.dirname(target), { recursive: true });
      // Same directory as the target, so the rename is atomic (same file system). The leading dot and
      // the '.tmp' suffix can never match a valid key, so a leftover temp file never shadows a file.
      const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
      let sink: ReturnType<typeof createWriteStream> | undefined;
      try {
        // flush: fsync before close, so a crash cannot leave the final name pointing at incomplete bytes.
        if (Buffer.isBuffer(data)) {
          await fs.writeFile(temp, data, { flag: "wx", flush: true });
        } else {
          sink = createWriteStream(temp, { flags: "wx", flush: true });
          await pipeline(data, sink);
        }
        await fs.rename(temp, target);
      } catch (e) {
        // pipeline() rejects as soon as the source fails, possibly before the sink has even opened its file:
        // removing the temp file before the sink closes would let it reappear.
        if (sink && !sink.closed) await once(sink, "close").catch(() => undefined);
        await fs.rm(temp, { force: true });
        throw e;
      }
    } finally {
      if (!Buffer.isBuffer(data)) data.off("error", guard);
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    // Open first so a missing file rejects here rather than as a stream error after headers were sent.
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, "r");
    } catch (e) {
      if (isNotFound(e)) throw new FileError("NOT_FOUND", "File not found");
      throw e;
    }
    // The stream owns the handle from here and closes it when it ends or is destroyed.
    return handle.createReadStream();
  }

  async head(key: string): Promise<{ size: number } | null> {
    try {
      const stat = await fs.stat(this.pathOf(key));
      return stat.isFile() ? { size: stat.size } : null;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }
}
