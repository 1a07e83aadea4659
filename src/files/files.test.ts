import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { buffer as readAll } from "node:stream/consumers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FileError, type FileErrorCode } from "./errors.js";
import { S3Storage } from "./s3-storage.js";
import { signFileToken, verifyFileToken } from "./signed-url.js";
import { sniff, type Mime } from "./sniff.js";
import { DiskStorage, type FileStorage } from "./storage.js";
import { receiveUpload } from "./upload.js";

import { HEIC, JPEG, PDF, PNG, isoBmff } from "../test/fixtures.js";
import { startS3Server, type S3TestServer } from "../test/s3.js";
const TEXT = Buffer.from("Sehr geehrte Damen und Herren,\nanbei die Unterlagen.\n", "utf8");
const ALL: readonly Mime[] = ["image/jpeg", "image/png", "image/heic", "application/pdf"];

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** A stream that hands out `data` in chunks of `size` bytes, like a request body arriving in packets. */
function chunked(data: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  return Readable.from(chunks, { objectMode: false });
}

async function expectFileError(promise: Promise<unknown>, code: FileErrorCode): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FileError);
  expect((error as FileError).code).toBe(code);
}

/** Every file below `dir`, temp files included, relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "files-test-"));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

// ---- sniffing ------------------------------------------------------------------------------------

describe("sniff", () => {
  it("recognises each accepted type from its bytes", () => {
    expect(sniff(JPEG)).toEqual({ mime: "image/jpeg" });
    expect(sniff(PNG)).toEqual({ mime: "image/png" });
    expect(sniff(PDF)).toEqual({ mime: "application/pdf" });
    expect(sniff(HEIC)).toEqual({ mime: "image/heic" });
  });

  it("recognises HEIF by each of its major brands", () => {
    for (const brand of ["heic", "heix", "hevc", "hevx", "mif1", "msf1", "heim", "heis"]) {
      expect(sniff(isoBmff(brand, ["mif1"])), brand).toEqual({ mime: "image/heic" });
    }
  });

  it("does not take other ISO BMFF files for HEIC: AVIF (also mif1), MP4", () => {
    expect(sniff(isoBmff("mif1", ["mif1", "miaf", "avif"]))).toBeNull();
    expect(sniff(isoBmff("avif", ["mif1", "miaf"]))).toBeNull();
    expect(sniff(isoBmff("isom", ["isom", "mp41"]))).toBeNull();
  });

  it("refuses text, empty input and truncated signatures", () => {
    expect(sniff(TEXT)).toBeNull();
    expect(sniff(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toBeNull();
    expect(sniff(Buffer.alloc(0))).toBeNull();
    expect(sniff(PNG.subarray(0, 7))).toBeNull();
    expect(sniff(Buffer.from("%PDF"))).toBeNull();
    expect(sniff(HEIC.subarray(0, 10))).toBeNull();
  });

  it("goes by the bytes only: a PNG named scan.pdf and declared application/pdf is a PNG", async () => {
    const file = path.join(tmp, "scan.pdf");
    await fs.writeFile(file, PNG);
    expect(sniff(await fs.readFile(file))).toEqual({ mime: "image/png" });
  });
});

// ---- the stores: disk and S3 (a real S3-compatible server on loopback), through the same tests ----------

interface StoreUnderTest {
  storage: FileStorage;
  /** Every name the store holds, temp files (disk) and spool files (S3) included: none after a refusal. */
  names(): Promise<string[]>;
}

let s3server: S3TestServer;
beforeAll(async () => {
  s3server = await startS3Server();
});
afterAll(() => s3server.close());

const s3Options = (bucket: string) => ({
  endpoint: s3server.endpoint,
  region: s3server.region,
  bucket,
  accessKeyId: s3server.accessKeyId,
  secretAccessKey: s3server.secretAccessKey,
  forcePathStyle: true,
  spoolDir: tmp,
});

/** A fresh, empty store of the kind: the disk under the test's temp directory, or a new bucket that spools there. */
async function openStore(kind: "disk" | "s3"): Promise<StoreUnderTest> {
  if (kind === "disk") return { storage: new DiskStorage(tmp), names: () => listFiles(tmp) };
  const bucket = await s3server.createBucket();
  return { storage: new S3Storage(s3Options(bucket)), names: async () => [...(await s3server.keys(bucket)), ...(await listFiles(tmp))].sort() };
}

const STORES = ["disk", "s3"] as const;

describe.each(STORES)("%s storage", (kind) => {
  let store: StoreUnderTest;
  let storage: FileStorage;
  beforeEach(async () => {
    store = await openStore(kind);
    storage = store.storage;
  });

  it("stores, reads, sizes, replaces and deletes files", async () => {
    await storage.put("firm-1/doc_1-a9", PNG, { contentType: "image/png" });
    expect(await storage.head("firm-1/doc_1-a9")).toEqual({ size: PNG.length });
    expect(await readAll(await storage.get("firm-1/doc_1-a9"))).toEqual(PNG);

    await storage.put("firm-1/doc_1-a9", chunked(PDF, 7), { contentType: "application/pdf" });
    expect(await storage.head("firm-1/doc_1-a9")).toEqual({ size: PDF.length });
    expect(await readAll(await storage.get("firm-1/doc_1-a9"))).toEqual(PDF);
    expect(await store.names()).toEqual(["firm-1/doc_1-a9"]); // no temp or spool file left

    await storage.delete("firm-1/doc_1-a9");
    expect(await storage.head("firm-1/doc_1-a9")).toBeNull();
    await expectFileError(storage.get("firm-1/doc_1-a9"), "NOT_FOUND");
    await storage.delete("firm-1/doc_1-a9"); // deleting twice is fine
    await storage.delete("never/stored"); // and so is deleting what never was
    expect(await store.names()).toEqual([]);
  });

  it("stores a file of several megabytes from a stream of small chunks, byte for byte", async () => {
    const big = Buffer.concat([JPEG, randomBytes(3 * 1024 * 1024)]);
    await storage.put("big", chunked(big, 64 * 1024), { contentType: "image/jpeg" });
    expect(await storage.head("big")).toEqual({ size: big.length });
    expect(sha256(await readAll(await storage.get("big")))).toBe(sha256(big));
  });

  it("keeps the old file and leaves no temp file when writing fails half-way", async () => {
    await storage.put("doc", PDF, { contentType: "application/pdf" });
    const failing = new PassThrough();
    const written = storage.put("doc", failing, { contentType: "image/png" });
    failing.write(PNG.subarray(0, 10));
    failing.destroy(new Error("client went away"));
    await expect(written).rejects.toThrow("client went away");
    expect(await readAll(await storage.get("doc"))).toEqual(PDF);
    expect(await store.names()).toEqual(["doc"]);
  });

  it("refuses keys that could leave its root or that the app does not generate", async () => {
    const bad = ["../outside", "a/../../outside", "/etc/passwd", "a//b", "a/", ".", "..", "a/.hidden", "A", "a\\b", "a b", "a%2Fb", "a+b", "ä", ""];
    for (const key of bad) {
      await expectFileError(storage.put(key, PNG, { contentType: "image/png" }), "INVALID_KEY");
      await expectFileError(storage.get(key), "INVALID_KEY");
      await expectFileError(storage.head(key), "INVALID_KEY");
      await expectFileError(storage.delete(key), "INVALID_KEY");
    }
    expect(await store.names()).toEqual([]);
  });

  describe("receiveUpload", () => {
    it("stores each accepted type and reports its sniffed type, size and SHA-256", async () => {
      for (const [i, data] of [JPEG, PNG, PDF, HEIC].entries()) {
        const result = await receiveUpload(chunked(data, 5), { maxBytes: 1024, allowed: ALL, storage, key: `up/${i}` });
        expect(result).toEqual({ size: data.length, mime: sniff(data)?.mime, sha256: sha256(data) });
        expect(await readAll(await storage.get(`up/${i}`))).toEqual(data);
      }
      expect(await store.names()).toEqual(["up/0", "up/1", "up/2", "up/3"]);
    });

    it("sniffs across many one-byte chunks and accepts a file of exactly maxBytes", async () => {
      const result = await receiveUpload(chunked(PNG, 1), { maxBytes: PNG.length, allowed: ALL, storage, key: "exact" });
      expect(result.size).toBe(PNG.length);
      expect(await storage.head("exact")).toEqual({ size: PNG.length });
    });

    it("refuses a text file and stores nothing", async () => {
      await expectFileError(receiveUpload(chunked(TEXT, 16), { maxBytes: 1024, allowed: ALL, storage, key: "t" }), "UNSUPPORTED_TYPE");
      expect(await store.names()).toEqual([]);
    });

    it("refuses a PNG declared as PDF where only PDF is allowed", async () => {
      const upload = receiveUpload(chunked(PNG, 16), { maxBytes: 1024, allowed: ["application/pdf"], storage, key: "p" });
      await expectFileError(upload, "UNSUPPORTED_TYPE");
      expect(await store.names()).toEqual([]);
    });

    it("aborts an oversize upload, deletes what was written, and leaves the request stream to its owner", async () => {
      const big = Buffer.concat([PNG, Buffer.alloc(64 * 1024, 7)]);
      const source = chunked(big, 1000);
      await expectFileError(receiveUpload(source, { maxBytes: 10_000, allowed: ALL, storage, key: "big" }), "TOO_LARGE");
      expect(await storage.head("big")).toBeNull();
      expect(await store.names()).toEqual([]);
      // The HTTP layer still has to answer 413 on this connection, so the body stream is not destroyed.
      expect(source.destroyed).toBe(false);
    });

    it("refuses at once when the first bytes already exceed maxBytes", async () => {
      await expectFileError(receiveUpload(chunked(PNG, 64), { maxBytes: 20, allowed: ALL, storage, key: "x" }), "TOO_LARGE");
      expect(await store.names()).toEqual([]);
    });

    it("refuses an empty body", async () => {
      await expectFileError(receiveUpload(Readable.from([]), { maxBytes: 10, allowed: ALL, storage, key: "e" }), "EMPTY");
      expect(await store.names()).toEqual([]);
    });

    it("reports a stream error that happens while storage is busy, without crashing the process", async () => {
      // The store takes its time before reading, like S3 resolving its endpoint.
      const slow: FileStorage = {
        put: async (key, data, opts) => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          await storage.put(key, data, opts);
        },
        get: (key) => storage.get(key),
        head: (key) => storage.head(key),
        delete: (key) => storage.delete(key),
      };
      const source = new PassThrough();
      source.write(PDF);
      const upload = receiveUpload(source, { maxBytes: 1_000_000, allowed: ALL, storage: slow, key: "slow" });
      setTimeout(() => source.destroy(new Error("connection reset")), 10);
      await expect(upload).rejects.toThrow("connection reset");
      expect(await store.names()).toEqual([]);
    });

    it("fails without storing a truncated file when the client goes away", async () => {
      const source = new PassThrough();
      const upload = receiveUpload(source, { maxBytes: 1_000_000, allowed: ALL, storage, key: "cut" });
      source.write(PDF);
      setTimeout(() => source.destroy(), 10);
      await expect(upload).rejects.toThrow();
      expect(await store.names()).toEqual([]);
    });
  });
});

// ---- S3 only, against the real server ------------------------------------------------------------------

describe("S3Storage against an S3-compatible server", () => {
  it("is refused by the server when it signs with another secret: the signing the other tests rely on is checked", async () => {
    const bucket = await s3server.createBucket();
    const wrong = new S3Storage({ ...s3Options(bucket), secretAccessKey: "not-the-secret", retries: 0 });
    await expect(wrong.put("doc", PDF, { contentType: "application/pdf" })).rejects.toThrow("S3 PUT doc failed: HTTP 403 SignatureDoesNotMatch");
    await expect(wrong.put("doc", chunked(PDF, 3), { contentType: "application/pdf" })).rejects.toThrow("HTTP 403 SignatureDoesNotMatch");
    // A refused read is an error, never a missing file (which would become a quiet 404 for the user).
    await expect(wrong.get("doc")).rejects.toThrow("S3 GET doc failed: HTTP 403 SignatureDoesNotMatch");
    await expect(wrong.delete("doc")).rejects.toThrow("HTTP 403 SignatureDoesNotMatch");
    expect(await s3server.keys(bucket)).toEqual([]);
    expect(await listFiles(tmp)).toEqual([]); // the spool files are gone
  });

  it("reports a missing bucket as the error it is, on reads and deletes too, instead of a missing file", async () => {
    const storage = new S3Storage({ ...s3Options("no-such-bucket"), retries: 0 });
    await expect(storage.put("doc", PDF, { contentType: "application/pdf" })).rejects.toThrow("S3 PUT doc failed: HTTP 404 NoSuchBucket");
    await expect(storage.get("doc")).rejects.toThrow("S3 GET doc failed: HTTP 404 NoSuchBucket");
    await expect(storage.delete("doc")).rejects.toThrow("S3 DELETE doc failed: HTTP 404 NoSuchBucket");
  });

  it("stores each object under its key in the bucket, with the sniffed type as its Content-Type", async () => {
    const bucket = await s3server.createBucket();
    const storage = new S3Storage(s3Options(bucket));
    await receiveUpload(chunked(HEIC, 3), { maxBytes: 1024, allowed: ALL, storage, key: "t/firm-1/photo" });
    expect(await s3server.keys(bucket)).toEqual(["t/firm-1/photo"]);
    expect(await s3server.object(bucket, "t/firm-1/photo")).toEqual({ contentType: "image/heic", bytes: HEIC });
  });
});

// ---- signed tokens -------------------------------------------------------------------------------

describe("file tokens", () => {
  const secret = "test-secret-of-at-least-32-bytes!!";
  const now = new Date("2025-03-01T10:00:00.000Z");
  const expiresAt = new Date("2025-03-01T10:05:00.000Z");

  it("round-trips upload and download tokens as URL-safe strings", () => {
    for (const kind of ["upload", "download"] as const) {
      const token = signFileToken(secret, { kind, id: "0195a7c2-7b1e-7cc3-9d4f-1b2c3d4e5f60", expiresAt });
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(encodeURIComponent(token)).toBe(token);
      expect(verifyFileToken(secret, token, now)).toEqual({ kind, id: "0195a7c2-7b1e-7cc3-9d4f-1b2c3d4e5f60", expiresAt });
    }
  });

  it("expires at expiresAt", () => {
    const token = signFileToken(secret, { kind: "download", id: "f1", expiresAt });
    expect(verifyFileToken(secret, token, new Date(expiresAt.getTime() - 1))).not.toBeNull();
    expect(verifyFileToken(secret, token, expiresAt)).toBeNull();
    expect(verifyFileToken(secret, token, new Date(expiresAt.getTime() + 60_000))).toBeNull();
  });

  it("rejects tampered, foreign and malformed tokens", () => {
    const token = signFileToken(secret, { kind: "download", id: "f1", expiresAt });
    const [body, mac] = token.split(".") as [string, string];

    // Same signature over another id, a later expiry, or another kind.
    const forged = (payload: unknown) => `${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${mac}`;
    expect(verifyFileToken(secret, forged(["d", "f2", expiresAt.getTime() / 1000]), now)).toBeNull();
    expect(verifyFileToken(secret, forged(["d", "f1", expiresAt.getTime() / 1000 + 3600]), now)).toBeNull();
    expect(verifyFileToken(secret, forged(["u", "f1", expiresAt.getTime() / 1000]), now)).toBeNull();

    // A changed signature character, including one that decodes to the same bytes.
    const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === "A" ? "B" : "A") + s.slice(at + 1);
    expect(verifyFileToken(secret, `${body}.${flip(mac, 0)}`, now)).toBeNull();
    expect(verifyFileToken(secret, `${body}.${flip(mac, mac.length - 1)}`, now)).toBeNull();

    expect(verifyFileToken("another-secret-of-at-least-32-bytes", token, now)).toBeNull();
    for (const bad of ["", "abc", `${token}.x`, `${body}.`, `.${mac}`, `${body}.${mac}=`, "a+b.c/d", `${body}.${mac.slice(1)}`]) {
      expect(verifyFileToken(secret, bad, now), bad).toBeNull();
    }
  });

  it("refuses a short secret", () => {
    expect(() => signFileToken("short", { kind: "upload", id: "f1", expiresAt })).toThrow(RangeError);
  });
});

// ---- S3, against a small fake on the loopback interface: what the real server cannot show ------------------
// The server above checks signatures but neither the signed payload hash nor how the body is framed, and it
// cannot be made to fail on purpose or to answer a missing key's DELETE with 404 as some stores do.

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

describe("S3Storage against a fake", () => {
  const objects = new Map<string, Buffer>();
  const requests: Recorded[] = [];
  let failNextPuts = 0;
  let server: http.Server;
  let endpoint: string;

  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      const body = await readAll(req);
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const key = req.url ?? "";
      if (req.method === "PUT" && failNextPuts > 0) {
        failNextPuts--;
        res.writeHead(503).end("<Error><Code>SlowDown</Code></Error>");
      } else if (req.method === "PUT") {
        objects.set(key, body);
        res.writeHead(200).end();
      } else if (req.method === "DELETE") {
        // Like some S3-compatible stores: 404 for a key that is not there.
        if (objects.delete(key)) res.writeHead(204).end();
        else res.writeHead(404).end("<Error><Code>NoSuchKey</Code></Error>");
      } else {
        res.writeHead(405).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    objects.clear();
    requests.length = 0;
    failNextPuts = 0;
  });

  const s3 = () =>
    new S3Storage({
      endpoint,
      region: "eu-central-1",
      bucket: "kundenapp-files",
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      forcePathStyle: true,
      spoolDir: tmp,
    });

  it("sends streams and buffers with their length (not chunked) and the SHA-256 of the bytes, signed", async () => {
    const storage = s3();
    await storage.put("firm-1/doc-1", chunked(PNG, 9), { contentType: "image/png" });
    await storage.put("firm-1/doc-2", PDF, { contentType: "application/pdf" });

    for (const [put, data] of [[requests[0], PNG], [requests[1], PDF]] as const) {
      expect(put?.body).toEqual(data);
      expect(put?.headers["content-length"]).toBe(String(data.length));
      expect(put?.headers["transfer-encoding"]).toBeUndefined(); // S3 refuses chunked PUTs
      expect(put?.headers["x-amz-content-sha256"]).toBe(sha256(data));
      expect(put?.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-content-sha256[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
    }
    expect(requests.map((r) => r.url)).toEqual(["/kundenapp-files/firm-1/doc-1", "/kundenapp-files/firm-1/doc-2"]);
    expect(await listFiles(tmp)).toEqual([]); // the spool file is gone
  });

  it("retries a failed streamed PUT with the whole body again", async () => {
    failNextPuts = 1;
    await s3().put("doc", chunked(PDF, 4), { contentType: "application/pdf" });
    expect(requests.map((r) => r.method)).toEqual(["PUT", "PUT"]);
    expect(requests[1]?.body).toEqual(PDF);
    expect(objects.get("/kundenapp-files/doc")).toEqual(PDF);
    expect(await listFiles(tmp)).toEqual([]);
  });

  it("gives up after its retries with an error naming S3's code", async () => {
    failNextPuts = 3;
    await expect(s3().put("doc", PDF, { contentType: "application/pdf" })).rejects.toThrow("S3 PUT doc failed: HTTP 503 SlowDown");
    expect(requests.map((r) => r.method)).toEqual(["PUT", "PUT", "PUT"]);
  });

  it("takes a 404 NoSuchKey for deleting a missing key as done", async () => {
    const storage = s3();
    await storage.put("doc", PDF, { contentType: "application/pdf" });
    await storage.delete("doc");
    await storage.delete("doc");
    expect(requests.map((r) => r.method)).toEqual(["PUT", "DELETE", "DELETE"]);
    expect(objects.size).toBe(0);
  });

  it("addresses objects virtual-host style unless told otherwise, and refuses bad keys", () => {
    const storage = new S3Storage({
      endpoint: "https://s3.eu-central-1.amazonaws.com",
      region: "eu-central-1",
      bucket: "kundenapp-files",
      accessKeyId: "a",
      secretAccessKey: "b",
    });
    expect(storage.objectUrl("firm-1/doc-1").href).toBe("https://kundenapp-files.s3.eu-central-1.amazonaws.com/firm-1/doc-1");
    expect(() => storage.objectUrl("../etc/passwd")).toThrow(FileError);
  });
});
