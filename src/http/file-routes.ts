import type http from "node:http";
import { pipeline } from "node:stream/promises";
import type { Logger } from "../log.js";
import { cleanFileName, type FileService } from "../files/file.service.js";
import { ErrorCode } from "../errors.js";
import { sendError, sendJson } from "./respond.js";

/** PUT <UPLOAD_PREFIX><token>: the bytes of a file announced with createUpload. */
export const UPLOAD_PREFIX = "/uploads/";
/** GET or HEAD <DOWNLOAD_PREFIX><token>: a file through a short-lived signed link. */
export const DOWNLOAD_PREFIX = "/files/";

/** Files outside GraphQL: the signed upload and download URLs the file service hands out. */
export class FileRoutes {
  constructor(
    private readonly files: FileService,
    private readonly log: Logger,
  ) {}

  async upload(req: http.IncomingMessage, res: http.ServerResponse, token: string): Promise<void> {
    const result = await this.files.receive(token, req);
    if (result.ok) return sendJson(res, 200, { ok: true, size: result.file.size, mimeType: result.file.mimeType });
    // A refused body may still be arriving: answer, then close rather than read megabytes we will not keep.
    res.setHeader("connection", "close");
    // receive() answers with ErrorCode values; HttpFileError declares its code as a plain string.
    sendError(res, result.error.status, result.error.code as ErrorCode, result.error.message);
    req.resume();
  }

  async download(res: http.ServerResponse, token: string): Promise<void> {
    const opened = await this.files.open(token);
    // Unknown, tampered, expired or not (yet) downloadable all look the same: a link reveals nothing about a file.
    if (!opened) return sendError(res, 404, ErrorCode.NOT_FOUND, "Not found or link expired");
    const { file, stream } = opened;
    res.writeHead(200, {
      "content-type": file.mimeType ?? "application/octet-stream",
      "content-length": String(file.size ?? ""),
      "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(cleanFileName(file.fileName))}`,
      "cache-control": "private, max-age=300",
      "x-content-type-options": "nosniff",
    });
    // pipeline() ends the response if the storage fails half-way, instead of leaving it hanging.
    await pipeline(stream, res).catch((err: unknown) => {
      this.log.debug({ err, fileId: file.id }, "download interrupted (client gone or storage failed)");
      res.destroy();
    });
  }
}
