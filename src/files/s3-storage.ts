import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
// aws4fetch: SigV4 signing on native fetch, no dependencies, ~15 kB; imported eagerly since it costs nothing.
import { AwsClient } from "aws4fetch";
import { FileError } from "./errors.js";
import { assertValidKey, type FileStorage } from "./storage.js";

export interface S3StorageOptions {
  /** Base URL of the service, e.g. `https://s3.eu-central-1.amazonaws.com` or `http://127.0.0.1:9000` (MinIO). */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `<endpoint>/<bucket>/<key>` instead of `<bucket>.<endpoint host>/<key>`; most self-hosted stores need it. */
  forcePathStyle?: boolean;
  /** Extra attempts after a network error, a 5xx or a 429 (default 2). */
  retries?: number;
  /** Where a streamed upload is spooled to learn its length and hash before sending (default os.tmpdir()). */
  spoolDir?: string;
  /** For tests. */
  fetch?: typeof fetch;
}

type RequestBody = Buffer | NodeWebReadableStream<Uint8Array>;

interface SendInit {
  headers?: Record<string, string>;
  // A factory, because a stream body is used up by one attempt and a retry needs a fresh one.
  body?: () => RequestBody;
}

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// GET, HEAD and DELETE carry no body; signing its hash (rather than UNSIGNED-PAYLOAD) works on every S3 clone.
const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** S3's error code (`NoSuchKey`, `NoSuchBucket`, ...) from an error response's XML body, which this reads and releases. */
async function errorCode(response: Response): Promise<string | undefined> {
  const text = await response.text().catch(() => "");
  return /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
}

/** Whether a response is worth another attempt: the service's fault or throttling, never a client error. */
const retryable = (status: number) => status >= 500 || status === 429;

/** An S3-compatible object store (AWS S3, MinIO, Ceph, Hetzner, ...). */
export class S3Storage implements FileStorage {
  private readonly client: AwsClient;
  private readonly base: URL;
  private readonly bucket: string;
  private readonly forcePathStyle: boolean;
  private readonly retries: number;
  private readonly spoolDir: string;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: S3StorageOptions) {
    if (!BUCKET_PATTERN.test(opts.bucket)) throw new RangeError(`Invalid bucket name: ${opts.bucket}`);
    this.base = new URL(opts.endpoint);
    this.bucket = opts.bucket;
    this.forcePathStyle = opts.forcePathStyle ?? false;
    this.retries = opts.retries ?? 2;
    this.spoolDir = opts.spoolDir ?? os.tmpdir();
    this.fetchImpl = opts.fetch ?? fetch;
    // Retries are done here rather than by aws4fetch, which would resend a stream body it has already used up.
    this.client = new AwsClient({
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
      service: "s3",
      region: opts.region,
      retries: 0,
    });
  }

  /** The URL of one object; keys are validated, and their characters need no escaping. */
  objectUrl(key: string): URL {
    assertValidKey(key);
    const url = new URL(this.base.href);
    const prefix = url.pathname.replace(/\/+$/, "");
    if (this.forcePathStyle) {
      url.pathname = `${prefix}/${this.bucket}/${key}`;
    } else {
      url.hostname = `${this.bucket}.${url.hostname}`;
      url.pathname = `${prefix}/${key}`;
    }
    return url;
  }

  private async send(method: string, key: string, init: SendInit = {}): Promise<Response> {
    const url = this.objectUrl(key);
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      let failure: unknown;
      try {
        const request = await this.client.sign(url.href, {
          method,
          headers: init.headers,
          body: init.body?.(),
          duplex: "half",
        });
        response = await this.fetchImpl(request);
        if (!retryable(response.status)) return response;
      } catch (e) {
        failure = e;
      }
      if (attempt >= this.retries) {
        if (response) return response;
        throw failure;
      }
      await response?.body?.cancel();
      await sleep(100 * 2 ** attempt * (0.5 + Math.random()));
    }
  }

  /** An error naming the operation, the status and S3's error code; the response body is read and released. */
  private async failed(what: string, key: string, response: Response, code?: string): Promise<Error> {
    code ??= await errorCode(response);
    return new Error(`S3 ${what} ${key} failed: HTTP ${response.status}${code ? ` ${code}` : ""}`);
  }

  async put(key: string, data: Readable | Buffer, opts: { contentType: string }): Promise<void> {
    if (Buffer.isBuffer(data)) {
      await this.putBody(key, () => data, data.length, createHash("sha256").update(data).digest("hex"), opts.contentType);
      return;
    }
    // S3 wants the length up front (no chunked PUT) and a signed payload hash; spooling to disk gives both
    // with bounded memory, and lets a retry send the bytes again.
    const spool = path.join(this.spoolDir, `.s3-put-${randomBytes(8).toString("hex")}.tmp`);
    try {
      const hash = createHash("sha256");
      let size = 0;
      await pipeline(
        data,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(spool, { flags: "wx" }),
      );
      const opened: Readable[] = [];
      const body = () => {
        const file = createReadStream(spool);
        opened.push(file);
        return Readable.toWeb(file) as NodeWebReadableStream<Uint8Array>;
      };
      try {
        await this.putBody(key, body, size, hash.digest("hex"), opts.contentType);
      } finally {
        // An attempt that failed before sending everything would otherwise keep its descriptor open.
        for (const file of opened) file.destroy();
      }
    } finally {
      await fs.rm(spool, { force: true });
    }
  }

  private async putBody(key: string, body: () => RequestBody, size: number, sha256: string, contentType: string) {
    const response = await this.send("PUT", key, {
      headers: {
        "content-type": contentType,
        "content-length": String(size),
        // Signing the hash makes S3 reject bytes that changed on the way (XAmzContentSHA256Mismatch).
        "x-amz-content-sha256": sha256,
      },
      body,
    });
    if (!response.ok) throw await this.failed("PUT", key, response);
    await response.body?.cancel();
  }

  async get(key: string): Promise<Readable> {
    const response = await this.send("GET", key, { headers: { "x-amz-content-sha256": EMPTY_SHA256 } });
    if (response.status === 404) {
      // A missing bucket is a misconfiguration to report, not a missing file to answer 404 for.
      const code = await errorCode(response);
      if (code === "NoSuchBucket") throw await this.failed("GET", key, response, code);
      throw new FileError("NOT_FOUND", "File not found");
    }
    if (!response.ok) throw await this.failed("GET", key, response);
    if (!response.body) return Readable.from([]);
    return Readable.fromWeb(response.body as NodeWebReadableStream<Uint8Array>);
  }

  async head(key: string): Promise<{ size: number } | null> {
    const response = await this.send("HEAD", key, { headers: { "x-amz-content-sha256": EMPTY_SHA256 } });
    if (response.status === 404) return null;
    if (!response.ok) throw await this.failed("HEAD", key, response);
    const size = Number(response.headers.get("content-length"));
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`S3 HEAD ${key}: no valid Content-Length`);
    return { size };
  }

  async delete(key: string): Promise<void> {
    const response = await this.send("DELETE", key, { headers: { "x-amz-content-sha256": EMPTY_SHA256 } });
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    // S3 answers 204 whether or not the key existed; some compatible stores answer 404 for a missing key.
    // A missing bucket is not a missing key: ignoring it would hide a misconfiguration.
    const code = await errorCode(response);
    if (response.status === 404 && code !== "NoSuchBucket") return;
    throw await this.failed("DELETE", key, response, code);
  }
}
