import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { uuidv7 } from "uuidv7";
import { and, eq, inArray, lte, ne } from "drizzle-orm";
import type { Deps } from "../deps.js";
import type { Queryable } from "../db/client.js";
import { files, type FileRow } from "./file.table.js";
import { receiveUpload } from "./upload.js";
import { isFileError } from "./errors.js";
import { signFileToken, verifyFileToken } from "./signed-url.js";
import type { SessionViewer, Viewer } from "../auth/viewer.js";
import type { SessionService } from "../modules/session/session.service.js";
import { requireSession } from "../auth/viewer.js";
import type { FilePurpose, FilePurposes } from "./purposes.js";
import { firmScope } from "../auth/policy.js";
import { ErrorCode, Problems, badInput, forbidden, notFound } from "../errors.js";
import { decodeId } from "../graphql/relay.js";

/** Files of the viewer's firm; which of them a viewer may download is the purpose's to say. */
const fileScope = firmScope(files.tenantId);

export type { FilePurpose };

/** How long an upload URL is valid, and how long stored but unattached bytes are kept. */
export const UPLOAD_TTL_MS = 15 * 60_000;
export const ABANDONED_AFTER_MS = 60 * 60_000;
/** Download URLs are short-lived: a leaked one stops working soon. */
export const DOWNLOAD_TTL_MS = 5 * 60_000;

export interface HttpFileError {
  status: number;
  code: string;
  message: string;
}

/** Files outside GraphQL: signed upload URLs, checked bytes, attachment to what they belong to, signed downloads. */
/**
 * A file name as it is stored and shown: no path separators or control characters, and no bidirectional controls
 * (U+202A-U+202E, U+2066-U+2069, the marks U+200E, U+200F, U+061C), which would let "invoice\u202Efdp.exe" show as "invoiceexe.pdf".
 */
export function cleanFileName(name: string): string {
  return name
    .replace(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g, "")
    .trim()
    .replace(/[\\/\x00-\x1f\x7f]/g, "_");
}

export class FileService {
  constructor(
    private readonly deps: Deps,
    private readonly sessions: SessionService,
    /** Every purpose, as the modules registered them. */
    private readonly purposes: FilePurposes,
  ) {}

  /** Step 1: a short-lived URL the client PUTs the bytes to. */
  async createUpload(viewer: Viewer, input: { purpose: FilePurpose; contentType: string; size: number; fileName: string }, baseUrl: string) {
    const session = requireSession(viewer);
    const rule = this.purposes[input.purpose];
    if (!rule.mayUpload(session)) throw forbidden(rule.uploadDenied);
    const problems = new Problems();
    if (!(rule.types as readonly string[]).includes(input.contentType)) {
      problems.add("input.contentType", "FILE_TYPE", `must be one of ${rule.types.join(", ")}`);
    }
    if (!Number.isInteger(input.size) || input.size < 1 || input.size > rule.maxBytes) {
      problems.add("input.size", "FILE_SIZE", `must be between 1 and ${rule.maxBytes} bytes`);
    }
    const fileName = cleanFileName(input.fileName);
    if (!fileName || fileName.length > 200) problems.add("input.fileName", "LENGTH", "must have 1 to 200 characters");
    problems.throwIfAny();
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + UPLOAD_TTL_MS);
    const id = uuidv7();
    const [row] = await this.deps.database.db
      .insert(files)
      .values({
        id,
        tenantId: session.tenantId,
        purpose: input.purpose,
        fileName,
        declaredType: input.contentType,
        declaredSize: input.size,
        // Derived from ids only, so it always passes the storage's key rule.
        storageKey: `t/${session.tenantId}/${id}`,
        createdByStaffId: session.kind === "staff" ? session.userId : null,
        createdByAccountId: session.kind === "app" ? session.accountId : null,
        expiresAt,
        createdAt: now,
      })
      .returning();
    const token = signFileToken(this.deps.fileSecret, { kind: "upload", id: row!.id, expiresAt });
    return { fileId: row!.id, uploadUrl: `${baseUrl}/uploads/${token}`, expiresAt, maxBytes: Math.min(rule.maxBytes, input.size) };
  }

  /** Step 2 (HTTP PUT): checks the real type and the size while streaming into storage. */
  async receive(token: string, body: Readable): Promise<{ ok: true; file: FileRow } | { ok: false; error: HttpFileError }> {
    const payload = verifyFileToken(this.deps.fileSecret, token, this.deps.clock.now());
    if (!payload || payload.kind !== "upload") return { ok: false, error: { status: 403, code: ErrorCode.FORBIDDEN, message: "The upload URL is invalid or expired" } };
    const { db } = this.deps.database;
    const [row] = await db.select().from(files).where(eq(files.id, payload.id));
    if (!row || row.status !== "PENDING") return { ok: false, error: { status: 409, code: ErrorCode.CONFLICT, message: "This upload URL was used already" } };
    const rule = this.purposes[row.purpose];
    // Each PUT streams to a key of its own, which becomes the file's key only if this PUT wins the PENDING → STORED
    // update: two PUTs at once to the same URL can neither overwrite nor delete each other's bytes.
    const key = `${row.storageKey}-${randomBytes(6).toString("hex")}`;
    try {
      const result = await receiveUpload(body, {
        maxBytes: Math.min(rule.maxBytes, row.declaredSize),
        allowed: rule.types,
        storage: this.deps.storage,
        key,
      });
      const expiresAt = new Date(this.deps.clock.now().getTime() + ABANDONED_AFTER_MS);
      const [stored] = await db
        .update(files)
        .set({ status: "STORED", storageKey: key, mimeType: result.mime, size: result.size, sha256: result.sha256, expiresAt })
        .where(and(eq(files.id, row.id), eq(files.status, "PENDING")))
        .returning();
      if (!stored) {
        await this.deps.storage.delete(key);
        return { ok: false, error: { status: 409, code: ErrorCode.CONFLICT, message: "This upload URL was used already" } };
      }
      return { ok: true, file: stored };
    } catch (err) {
      if (isFileError(err, "TOO_LARGE")) return { ok: false, error: { status: 413, code: ErrorCode.FILE_TOO_LARGE, message: `The file is larger than the ${Math.min(rule.maxBytes, row.declaredSize)} bytes announced or allowed` } };
      if (isFileError(err, "UNSUPPORTED_TYPE")) return { ok: false, error: { status: 415, code: ErrorCode.FILE_TYPE, message: `The file is not one of ${rule.types.join(", ")}` } };
      if (isFileError(err, "EMPTY")) return { ok: false, error: { status: 400, code: ErrorCode.FILE_EMPTY, message: "The file is empty" } };
      throw err;
    }
  }

  /**
   * Step 3, inside the transaction of the mutation it belongs to: the uploaded file, if the viewer made it,
   * for this purpose, and its bytes arrived. It becomes ATTACHED and no longer expires.
   */
  async attach(tx: Queryable, viewer: SessionViewer, globalId: string, purpose: FilePurpose, field: string): Promise<FileRow> {
    const row = await this.ownUpload(tx, viewer, globalId, purpose, field, { lock: true });
    const [attached] = await tx.update(files).set({ status: "ATTACHED", expiresAt: null }).where(eq(files.id, row.id)).returning();
    return attached!;
  }

  /**
   * An upload of the viewer's own, for this purpose, whose bytes arrived and that nothing uses yet: what
   * `attach` takes. A module that first works on the bytes (photo renditions) checks the file with it.
   */
  async ownUpload(on: Queryable, viewer: SessionViewer, globalId: string, purpose: FilePurpose, field: string, opts: { lock?: boolean } = {}): Promise<FileRow> {
    const id = decodeId(globalId, "File", field);
    const query = on
      .select()
      .from(files)
      .where(
        and(
          eq(files.id, id),
          fileScope(viewer),
          viewer.kind === "staff" ? eq(files.createdByStaffId, viewer.userId) : eq(files.createdByAccountId, viewer.accountId),
        ),
      );
    const [row] = opts.lock ? await query.for("update") : await query;
    if (!row) throw notFound("File");
    if (row.purpose !== purpose) throw badInput([{ field, rule: "FILE_PURPOSE", message: `was uploaded for ${row.purpose}, not ${purpose}` }]);
    if (row.status === "ATTACHED") throw badInput([{ field, rule: "FILE_UNUSED", message: "is attached already" }]);
    if (row.status !== "STORED") throw badInput([{ field, rule: "FILE_UPLOADED", message: "has not been uploaded yet (PUT the bytes to the upload URL first)" }]);
    return row;
  }

  /** A stored file's bytes (for work on them, e.g. photo renditions; they are at most the purpose's size). */
  async bytes(file: FileRow): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.deps.storage.get(file.storageKey)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Stores a file the server made itself (a chat transcript, a seeded document) the way an upload is stored:
   * the type read from the bytes and checked against the purpose, the bytes in storage, the row STORED. Call
   * it before the transaction that uses the file, and attach it there with `attachGenerated`; if that
   * transaction fails, the file is abandoned and removed like any upload never attached.
   */
  async storeGenerated(f: {
    tenantId: string;
    purpose: FilePurpose;
    fileName: string;
    bytes: Buffer;
    createdByStaffId?: string | null;
    /** For bytes that stand for an app account's upload (the demo seed's claim photos). */
    createdByAccountId?: string | null;
  }): Promise<FileRow> {
    const rule = this.purposes[f.purpose];
    const id = uuidv7();
    const key = `t/${f.tenantId}/${id}`;
    const result = await receiveUpload(Readable.from([f.bytes]), { maxBytes: rule.maxBytes, allowed: rule.types, storage: this.deps.storage, key });
    const now = this.deps.clock.now();
    const [row] = await this.deps.database.db
      .insert(files)
      .values({
        id,
        tenantId: f.tenantId,
        purpose: f.purpose,
        status: "STORED",
        fileName: f.fileName,
        declaredType: result.mime,
        declaredSize: result.size,
        mimeType: result.mime,
        size: result.size,
        sha256: result.sha256,
        storageKey: key,
        createdByStaffId: f.createdByStaffId ?? null,
        createdByAccountId: f.createdByAccountId ?? null,
        expiresAt: new Date(now.getTime() + ABANDONED_AFTER_MS),
        createdAt: now,
      })
      .returning();
    return row!;
  }

  /** Attaches a file from `storeGenerated` inside the transaction that uses it. */
  async attachGenerated(tx: Queryable, file: FileRow): Promise<FileRow> {
    const [attached] = await tx
      .update(files)
      .set({ status: "ATTACHED", expiresAt: null })
      .where(and(eq(files.id, file.id), eq(files.tenantId, file.tenantId), eq(files.status, "STORED")))
      .returning();
    if (!attached) throw new Error(`generated file ${file.id} is not STORED`);
    return attached;
  }

  /**
   * A short-lived URL to download a file, bound to the viewer's session: the download checks again
   * that this session may still see the file (rule C3), so a withdrawn document, a revoked household
   * grant or a logout stops a URL handed out earlier.
   */
  downloadUrl(fileId: string, baseUrl: string, viewer: Viewer): string | null {
    if (viewer.kind !== "staff" && viewer.kind !== "app") return null;
    const expiresAt = new Date(this.deps.clock.now().getTime() + DOWNLOAD_TTL_MS);
    const id = `${fileId}.${viewer.sessionId}`;
    return `${baseUrl}/files/${signFileToken(this.deps.fileSecret, { kind: "download", id, expiresAt })}`;
  }

  /** HTTP GET of a signed download URL: the file, if its session may see it now. */
  async open(token: string): Promise<{ file: FileRow; stream: Readable } | null> {
    const payload = verifyFileToken(this.deps.fileSecret, token, this.deps.clock.now());
    if (!payload || payload.kind !== "download") return null;
    const [fileId, sessionId] = payload.id.split(".");
    if (!fileId || !sessionId) return null;
    const viewer = await this.sessions.reload(sessionId);
    if (viewer.kind !== "staff" && viewer.kind !== "app") return null;
    const { db } = this.deps.database;
    const [row] = await db
      .select()
      .from(files)
      .where(and(eq(files.id, fileId), eq(files.status, "ATTACHED"), fileScope(viewer)));
    if (!row || !(await this.mayDownload(viewer, row))) return null;
    return { file: row, stream: await this.deps.storage.get(row.storageKey) };
  }

  /** Who may download what: the module that registered the file's purpose decides. */
  private mayDownload(viewer: SessionViewer, file: FileRow): Promise<boolean> {
    return this.purposes[file.purpose].mayDownload(this.deps.database.db, viewer, file);
  }

  /** Removes files (rows and bytes), e.g. a replaced logo. */
  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const rows = await this.deps.database.db.delete(files).where(inArray(files.id, ids)).returning();
    await this.deleteBytes(rows.map((r) => r.storageKey));
  }

  /**
   * The bytes of files whose rows are gone. One that storage refuses (after its retries) is logged with its key and
   * passed over: the others are still removed (a failure used to stop the loop and leave the rest behind).
   */
  private async deleteBytes(keys: string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.deps.storage.delete(key);
      } catch (err) {
        this.deps.log.error({ err, storageKey: key }, "could not delete a removed file's bytes; they stay in storage under this key");
      }
    }
  }

  /** Worker: abandoned uploads (never attached) leave nothing behind. */
  async removeAbandoned(): Promise<number> {
    const now = this.deps.clock.now();
    // One statement decides and deletes, so a file attached meanwhile is never taken.
    const rows = await this.deps.database.db
      .delete(files)
      .where(and(ne(files.status, "ATTACHED"), lte(files.expiresAt, now)))
      .returning({ storageKey: files.storageKey });
    await this.deleteBytes(rows.map((r) => r.storageKey));
    return rows.length;
  }
}

