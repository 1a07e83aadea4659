/**
 * The file pipeline through HTTP, end to end: createUpload → PUT /uploads/<token> → attach in a mutation
 * → GET /files/<token>. Also the broker logo (rule A3). Tests that move the clock run last. All of it runs
 * once with files on disk and once in an S3-compatible server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../test/harness.js";
import { factories, upload } from "../test/factories.js";
import { JPEG, PDF, PNG, HEIC } from "../test/fixtures.js";
import {
  BrokerProfileDocument,
  CreateUploadDocument,
  DocumentCategoriesDocument,
  DocumentDownloadDocument,
  ReportClaimDocument,
  UpdateBrokerProfileDocument,
  UploadDocumentDocument,
  type KundenappClient,
} from "../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../graphql/relay.js";
import { files } from "./file.table.js";
import { DiskStorage } from "./storage.js";
import { S3Storage } from "./s3-storage.js";
import { startS3Server, type S3TestServer } from "../test/s3.js";
import { documents } from "../modules/document/document.table.js";
import { sniff } from "./sniff.js";
import { ABANDONED_AFTER_MS, DOWNLOAD_TTL_MS, UPLOAD_TTL_MS } from "./file.service.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
/** The S3-compatible server and bucket of the "s3" run. */
let s3: { server: S3TestServer; bucket: string } | undefined;

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
type Purpose = "LOGO" | "DOCUMENT" | "CLAIM_PHOTO";

const MB = 1024 * 1024;
const TEXT = Buffer.from("Sehr geehrte Damen und Herren,\nanbei die Unterlagen, wie besprochen.\nMit freundlichen Grüßen\n", "utf8");
const profile = { name: "Makler Logo GmbH", phone: "030 1234567", street: "Hauptstraße 1", postalCode: "10115", city: "Berlin" };

const db = () => t.app.deps.database.db;
const dbId = (globalId: string) => fromGlobalId(globalId)!.id;
const fileRow = async (fileId: string) => (await db().select().from(files).where(eq(files.id, dbId(fileId))))[0];
const filesOf = (tenantId: string) => db().select().from(files).where(eq(files.tenantId, tenantId));
const stored = (key: string) => t.app.deps.storage.head(key);
/**
 * Every name in the storage that belongs to a file (its key, other PUT attempts, temp files on disk), as the
 * store lists it (a directory, or the bucket's keys under the firm's prefix): none after a refusal.
 */
async function bytesOf(file: { tenantId: string; id: string }): Promise<string[]> {
  const storage = t.app.deps.storage;
  const prefix = `t/${file.tenantId}/`;
  const names = s3
    ? (await s3.server.keys(s3.bucket, prefix)).map((key) => key.slice(prefix.length))
    : await fs.readdir(path.join((storage as DiskStorage).root, prefix)).catch(() => [] as string[]);
  return names.filter((n) => n.includes(file.id));
}
/** A file with the given head, padded with zero bytes to `size`. */
const padded = (head: Buffer, size: number) => Buffer.concat([head, Buffer.alloc(size - head.length)]);

async function createUpload(client: KundenappClient, purpose: Purpose, contentType: string, size: number, fileName = "datei.bin") {
  const { createUpload: created } = await client.request(CreateUploadDocument, { input: { purpose, contentType, size, fileName } });
  return created;
}

/** PUT bytes to an upload URL; the status and the JSON answer. */
async function put(url: string, bytes: Buffer, contentType = "application/octet-stream") {
  const res = await fetch(url, { method: "PUT", body: bytes, headers: { "content-type": contentType } });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get("content-type"), body: JSON.parse(text) as { ok?: boolean; size?: number; mimeType?: string; errors?: Array<{ message: string; extensions: { code: string } }> } };
}

/** GET a download URL as a client would; the status, type, announced length and the bytes. */
async function download(url: string) {
  const res = await fetch(url);
  return { status: res.status, contentType: res.headers.get("content-type"), contentLength: res.headers.get("content-length"), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The firm's category ids by key. */
async function categoryIds(client: KundenappClient): Promise<Record<string, string>> {
  const { documentCategories } = await client.request(DocumentCategoriesDocument, {});
  return Object.fromEntries(documentCategories.filter((c) => c.key).map((c) => [c.key!, c.id]));
}

let firm: Firm;
let cat: Record<string, string>;
let customerId: string;
let app: KundenappClient;

const attachAsDocument = (client: KundenappClient, fileId: string) => client.request(UploadDocumentDocument, { input: { fileId, customerId, categoryId: cat.OTHER! } });

/**
 * Every test below runs twice, on the same terms: with files on the local disk (the embedded default) and in an
 * S3-compatible server on the loopback interface (@20minutes/s3rver, see src/test/s3.ts), configured through the
 * environment as in production.
 */
const STORES = ["disk", "s3"] as const;

describe.each(STORES)("files on %s storage", (kind) => {
  beforeAll(async () => {
    if (kind === "s3") {
      const server = await startS3Server();
      s3 = { server, bucket: await server.createBucket() };
    }
    t = await startTestServer({ env: s3 ? s3.server.env(s3.bucket) : {} });
    f = factories(t);
    expect(t.app.deps.storage).toBeInstanceOf(kind === "s3" ? S3Storage : DiskStorage);
    firm = await f.buildFirm();
    cat = await categoryIds(firm.adminClient);
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    customerId = toGlobalId("Customer", customer.id);
    app = await f.appClient(await f.buildAppAccount({ customer }));
  });
  afterAll(async () => {
    await t.close();
    await s3?.server.close();
    s3 = undefined;
  });

  describe("the real type is checked from the bytes", () => {
    it("a PNG declared as application/pdf is stored, served and listed as image/png", async () => {
      const up = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: PNG, contentType: "application/pdf", fileName: "scan.pdf" });
      expect(up.status).toBe(200);
      expect(up.body).toEqual({ ok: true, size: PNG.length, mimeType: "image/png" });
      const row = await fileRow(up.fileId);
      expect(row).toMatchObject({ status: "STORED", declaredType: "application/pdf", mimeType: "image/png", size: PNG.length, sha256: crypto.createHash("sha256").update(PNG).digest("hex") });
      expect(await stored(row!.storageKey)).toEqual({ size: PNG.length });

      const { uploadDocument } = await attachAsDocument(firm.employeeClient, up.fileId);
      expect(uploadDocument.document).toMatchObject({ mimeType: "image/png", size: PNG.length, fileName: "scan.pdf" });
      // The stored bytes are under the file's key in the store under test, and nothing else of the file is.
      expect(await bytesOf(row!)).toEqual([path.posix.basename(row!.storageKey)]);
      const got = await download(uploadDocument.document.downloadUrl);
      expect(got).toMatchObject({ status: 200, contentType: "image/png", contentLength: String(PNG.length) });
      expect(got.bytes.equals(PNG)).toBe(true);
    });

    it("a text file declared as image/png is refused with 415 and a JSON error; nothing is stored and it cannot be attached", async () => {
      const up = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: TEXT, contentType: "image/png", fileName: "brief.png" });
      expect(up.status).toBe(415);
      expect(up.body).toMatchObject({ errors: [{ extensions: { code: "FILE_TYPE" } }] });
      const row = await fileRow(up.fileId);
      expect(row).toMatchObject({ status: "PENDING", mimeType: null, size: null });
      expect(await bytesOf(row!)).toEqual([]);

      const before = (await db().select().from(documents).where(eq(documents.tenantId, firm.tenant.id))).length;
      const err = await expectApiError(attachAsDocument(firm.employeeClient, up.fileId), "BAD_USER_INPUT");
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.fileId", rule: "FILE_UPLOADED" })]);
      expect(await db().select().from(documents).where(eq(documents.tenantId, firm.tenant.id))).toHaveLength(before);
    });

    it("a PDF is not a logo, nor a claim photo (415)", async () => {
      const logo = await upload(firm.adminClient, { purpose: "LOGO", bytes: PDF, contentType: "image/png" });
      expect(logo.status).toBe(415);
      const photo = await upload(app, { purpose: "CLAIM_PHOTO", bytes: PDF, contentType: "image/jpeg" });
      expect(photo.status).toBe(415);
      for (const id of [logo.fileId, photo.fileId]) expect(await bytesOf((await fileRow(id))!)).toEqual([]);
      // HEIC is a fine claim photo.
      const heic = await upload(app, { purpose: "CLAIM_PHOTO", bytes: HEIC, contentType: "image/heic" });
      expect(heic).toMatchObject({ status: 200, body: { mimeType: "image/heic" } });
    });

    it("an empty body is refused (400)", async () => {
      const created = await createUpload(firm.employeeClient, "DOCUMENT", "application/pdf", 100);
      const res = await put(created.uploadUrl, Buffer.alloc(0));
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions.code).toBe("FILE_EMPTY");
    });
  });

  describe("sizes and reuse of an upload URL", () => {
    it("more bytes than declared: 413, nothing stored, not attachable", async () => {
      const up = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: padded(PDF, 4096), contentType: "application/pdf", declaredSize: 4000 });
      expect(up.status).toBe(413);
      expect(up.body).toMatchObject({ errors: [{ extensions: { code: "FILE_TOO_LARGE" } }] });
      expect(up.body).toMatchObject({ errors: [{ extensions: { code: "FILE_TOO_LARGE" } }] });
      const row = await fileRow(up.fileId);
      expect(row!.status).toBe("PENDING");
      expect(await bytesOf(row!)).toEqual([]);
      const err = await expectApiError(attachAsDocument(firm.employeeClient, up.fileId), "BAD_USER_INPUT");
      expect(err.fields[0]!.rule).toBe("FILE_UPLOADED");
    });

    it("more bytes than the purpose allows (a logo over 2 MB): 413, nothing stored", async () => {
      const up = await upload(firm.adminClient, { purpose: "LOGO", bytes: padded(PNG, 2 * MB + 1), contentType: "image/png", declaredSize: 2 * MB });
      expect(up.status).toBe(413);
      expect(up.body).toMatchObject({ errors: [{ extensions: { code: "FILE_TOO_LARGE" } }] });
      const row = await fileRow(up.fileId);
      expect(row!.status).toBe("PENDING");
      expect(await bytesOf(row!)).toEqual([]);
    });

    it("exactly the declared size is fine, and fewer bytes too", async () => {
      const exact = await upload(firm.adminClient, { purpose: "LOGO", bytes: padded(PNG, 2 * MB), contentType: "image/png" });
      expect(exact).toMatchObject({ status: 200, body: { size: 2 * MB, mimeType: "image/png" } });
      const fewer = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", declaredSize: PDF.length + 1000 });
      expect(fewer).toMatchObject({ status: 200, body: { size: PDF.length } });
    });

    it("a second PUT to the same URL is 409 and keeps the first bytes", async () => {
      const created = await createUpload(firm.employeeClient, "DOCUMENT", "image/jpeg", 1000);
      expect((await put(created.uploadUrl, JPEG)).status).toBe(200);
      const second = await put(created.uploadUrl, PNG);
      expect(second.status).toBe(409);
      expect(second.body.errors?.[0]?.extensions.code).toBe("CONFLICT");
      const row = await fileRow(created.fileId);
      expect(row).toMatchObject({ status: "STORED", mimeType: "image/jpeg", size: JPEG.length });
      // Also once attached.
      await attachAsDocument(firm.employeeClient, created.fileId);
      expect((await put(created.uploadUrl, JPEG)).status).toBe(409);
    });

    it("two PUTs at once to the same URL: one is stored (200), the other is 409, and the stored bytes are the winner's", async () => {
      for (let round = 0; round < 3; round++) {
        const created = await createUpload(firm.employeeClient, "DOCUMENT", "image/png", 300_000);
        const [a, b] = [padded(PNG, 200_000), padded(JPEG, 250_000)];
        const [ra, rb] = await Promise.all([put(created.uploadUrl, a), put(created.uploadUrl, b)]);
        expect([ra.status, rb.status].sort()).toEqual([200, 409]);
        const winner = ra.status === 200 ? a : b;
        const row = await fileRow(created.fileId);
        expect(row).toMatchObject({ status: "STORED", size: winner.length, sha256: crypto.createHash("sha256").update(winner).digest("hex") });
        expect(await stored(row!.storageKey)).toEqual({ size: winner.length });
        // The loser's bytes are gone; only the winner's key is left.
        expect(await bytesOf(row!)).toEqual([path.basename(row!.storageKey)]);
        const { uploadDocument } = await attachAsDocument(firm.employeeClient, created.fileId);
        const got = await download(uploadDocument.document.downloadUrl);
        expect(got.status).toBe(200);
        expect(got.bytes.equals(winner)).toBe(true);
      }
    });

    it("a forged or malformed upload URL is 403", async () => {
      const created = await createUpload(firm.employeeClient, "DOCUMENT", "image/jpeg", 1000);
      const [body, sig] = created.uploadUrl.split("/uploads/")[1]!.split(".");
      const forgedSig = `${created.uploadUrl.split("/uploads/")[0]}/uploads/${body}.${sig!.slice(0, -2)}${sig!.endsWith("AA") ? "BB" : "AA"}`;
      expect((await put(forgedSig, JPEG)).status).toBe(403);
      expect((await put(`${created.uploadUrl.split("/uploads/")[0]}/uploads/nonsense`, JPEG)).status).toBe(403);
      expect(await bytesOf((await fileRow(created.fileId))!)).toEqual([]);
    });
  });

  describe("createUpload checks what is announced", () => {
    const tooBig: Array<[Purpose, string, number]> = [
      ["LOGO", "image/png", 2 * MB],
      ["DOCUMENT", "application/pdf", 25 * MB],
      ["CLAIM_PHOTO", "image/jpeg", 15 * MB],
    ];
    const clientFor = (purpose: Purpose) => (purpose === "CLAIM_PHOTO" ? app : firm.adminClient);

    it.each(tooBig)("%s: over the limit (%s, %d bytes + 1) is BAD_USER_INPUT FILE_SIZE; exactly the limit is fine", async (purpose, type, limit) => {
      const before = (await filesOf(firm.tenant.id)).length;
      const err = await expectApiError(createUpload(clientFor(purpose), purpose, type, limit + 1), "BAD_USER_INPUT");
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.size", rule: "FILE_SIZE" })]);
      expect(await filesOf(firm.tenant.id)).toHaveLength(before);
      const ok = await createUpload(clientFor(purpose), purpose, type, limit);
      expect(ok.maxBytes).toBe(limit);
      expect(new Date(ok.expiresAt).getTime() - t.clock.now().getTime()).toBeLessThanOrEqual(UPLOAD_TTL_MS);
    });

    it("refuses undeclared types, size 0 or negative, and an empty file name, naming each field; nothing is written", async () => {
      const before = (await filesOf(firm.tenant.id)).length;
      const plain = await expectApiError(createUpload(firm.employeeClient, "DOCUMENT", "text/plain", 100), "BAD_USER_INPUT");
      expect(plain.fields).toEqual([expect.objectContaining({ field: "input.contentType", rule: "FILE_TYPE" })]);
      const zero = await expectApiError(createUpload(firm.employeeClient, "DOCUMENT", "application/pdf", 0), "BAD_USER_INPUT");
      expect(zero.fields).toEqual([expect.objectContaining({ field: "input.size", rule: "FILE_SIZE" })]);
      await expectApiError(createUpload(firm.employeeClient, "DOCUMENT", "application/pdf", -5), "BAD_USER_INPUT");
      const both = await expectApiError(createUpload(firm.employeeClient, "DOCUMENT", "text/html", 0), "BAD_USER_INPUT");
      expect(both.fields.map((p) => p.field).sort()).toEqual(["input.contentType", "input.size"]);
      const noName = await expectApiError(createUpload(firm.employeeClient, "DOCUMENT", "application/pdf", 10, "   "), "BAD_USER_INPUT");
      expect(noName.fields[0]!.field).toBe("input.fileName");
      // Types a purpose does not take.
      await expectApiError(createUpload(firm.adminClient, "LOGO", "application/pdf", 10), "BAD_USER_INPUT");
      await expectApiError(createUpload(firm.adminClient, "LOGO", "image/heic", 10), "BAD_USER_INPUT");
      await expectApiError(createUpload(app, "CLAIM_PHOTO", "application/pdf", 10), "BAD_USER_INPUT");
      expect(await filesOf(firm.tenant.id)).toHaveLength(before);
    });

    it("LOGO is for admins only (employees and app accounts FORBIDDEN); CLAIM_PHOTO for app accounts only", async () => {
      const before = (await filesOf(firm.tenant.id)).length;
      await expectApiError(createUpload(firm.employeeClient, "LOGO", "image/png", 100), "FORBIDDEN");
      await expectApiError(createUpload(app, "LOGO", "image/png", 100), "FORBIDDEN");
      await expectApiError(createUpload(firm.adminClient, "CLAIM_PHOTO", "image/jpeg", 100), "FORBIDDEN");
      await expectApiError(createUpload(firm.employeeClient, "CLAIM_PHOTO", "image/jpeg", 100), "FORBIDDEN");
      await expectApiError(createUpload(t.client(), "DOCUMENT", "image/jpeg", 100), "UNAUTHENTICATED");
      expect(await filesOf(firm.tenant.id)).toHaveLength(before);
      await createUpload(firm.adminClient, "LOGO", "image/png", 100);
      await createUpload(app, "CLAIM_PHOTO", "image/jpeg", 100);
      await createUpload(app, "DOCUMENT", "application/pdf", 100);
    });
  });

  describe("attaching an upload", () => {
    it("only the user who uploaded a file can attach it (NOT_FOUND for anyone else)", async () => {
      const up = await upload(firm.adminClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
      expect(up.status).toBe(200);
      await expectApiError(attachAsDocument(firm.employeeClient, up.fileId), "NOT_FOUND");
      await expectApiError(app.request(UploadDocumentDocument, { input: { fileId: up.fileId, customerId } }), "NOT_FOUND");
      const other = await f.buildFirm();
      const otherCustomer = await f.buildCustomer({ tenant: other.tenant });
      const otherCat = await categoryIds(other.adminClient);
      await expectApiError(
        other.adminClient.request(UploadDocumentDocument, { input: { fileId: up.fileId, customerId: toGlobalId("Customer", otherCustomer.id), categoryId: otherCat.OTHER! } }),
        "NOT_FOUND",
      );
      await expectApiError(attachAsDocument(firm.employeeClient, toGlobalId("File", crypto.randomUUID())), "NOT_FOUND");
      expect((await fileRow(up.fileId))!.status).toBe("STORED");
      // The uploader still can.
      const { uploadDocument } = await attachAsDocument(firm.adminClient, up.fileId);
      expect(uploadDocument.document.size).toBe(PDF.length);
    });

    it("an upload is attached once (FILE_UNUSED), and only for its purpose (FILE_PURPOSE)", async () => {
      const up = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: JPEG, contentType: "image/jpeg" });
      await attachAsDocument(firm.employeeClient, up.fileId);
      const twice = await expectApiError(attachAsDocument(firm.employeeClient, up.fileId), "BAD_USER_INPUT");
      expect(twice.fields[0]).toMatchObject({ field: "input.fileId", rule: "FILE_UNUSED" });
      const photo = await upload(app, { purpose: "CLAIM_PHOTO", bytes: JPEG, contentType: "image/jpeg" });
      const wrong = await expectApiError(app.request(UploadDocumentDocument, { input: { fileId: photo.fileId, customerId } }), "BAD_USER_INPUT");
      expect(wrong.fields[0]).toMatchObject({ field: "input.fileId", rule: "FILE_PURPOSE" });
      // Before the bytes arrived.
      const pending = await createUpload(firm.employeeClient, "DOCUMENT", "application/pdf", 100);
      const early = await expectApiError(attachAsDocument(firm.employeeClient, pending.fileId), "BAD_USER_INPUT");
      expect(early.fields[0]).toMatchObject({ field: "input.fileId", rule: "FILE_UPLOADED" });
    });
  });

  describe("the broker logo (rule A3)", () => {
    let logoFirm: Firm;
    let logoApp: KundenappClient;
    beforeAll(async () => {
      logoFirm = await f.buildFirm();
      logoApp = await f.appClient(await f.buildAppAccount({ tenant: logoFirm.tenant }));
    });

    async function logoUpload(bytes: Buffer, contentType: string) {
      const up = await upload(logoFirm.adminClient, { purpose: "LOGO", bytes, contentType, fileName: "logo" });
      expect(up.status).toBe(200);
      return up.fileId;
    }

    it("A3: an admin sets a PNG logo; staff and app accounts see logoUrl and download the PNG", async () => {
      const fileId = await logoUpload(PNG, "image/png");
      const { updateBrokerProfile } = await logoFirm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, logoFileId: fileId } });
      expect(updateBrokerProfile.brokerProfile).toMatchObject({ name: profile.name, city: "Berlin" });
      expect(updateBrokerProfile.brokerProfile.logoUrl).toMatch(/\/files\//);
      expect((await fileRow(fileId))!.status).toBe("ATTACHED");
      for (const client of [logoFirm.employeeClient, logoApp]) {
        const { brokerProfile } = await client.request(BrokerProfileDocument);
        expect(brokerProfile.logoUrl).toBeTruthy();
        const got = await download(brokerProfile.logoUrl!);
        expect(got).toMatchObject({ status: 200, contentType: "image/png" });
        expect(got.bytes.equals(PNG)).toBe(true);
      }
      // Saving the profile without logoFileId keeps the logo.
      const kept = await logoFirm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, city: "Potsdam" } });
      expect(kept.updateBrokerProfile.brokerProfile.logoUrl).toBeTruthy();
      expect((await fileRow(fileId))!.status).toBe("ATTACHED");
    });

    it("A3: replacing the logo removes the old file, row and bytes; null removes the logo", async () => {
      const first = await logoUpload(PNG, "image/png");
      await logoFirm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, logoFileId: first } });
      const firstKey = (await fileRow(first))!.storageKey;
      expect(await stored(firstKey)).not.toBeNull();

      const second = await logoUpload(JPEG, "image/jpeg");
      const replaced = await logoFirm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, logoFileId: second } });
      expect(await fileRow(first)).toBeUndefined();
      expect(await stored(firstKey)).toBeNull();
      const got = await download(replaced.updateBrokerProfile.brokerProfile.logoUrl!);
      expect(got).toMatchObject({ status: 200, contentType: "image/jpeg" });
      expect(got.bytes.equals(JPEG)).toBe(true);

      const secondKey = (await fileRow(second))!.storageKey;
      const removed = await logoFirm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, logoFileId: null } });
      expect(removed.updateBrokerProfile.brokerProfile.logoUrl).toBeNull();
      expect(await fileRow(second)).toBeUndefined();
      expect(await stored(secondKey)).toBeNull();
      expect((await logoApp.request(BrokerProfileDocument)).brokerProfile.logoUrl).toBeNull();
      // The old download URL no longer works.
      expect((await download(replaced.updateBrokerProfile.brokerProfile.logoUrl!)).status).toBe(404);
    });

    it("A3: a file of another purpose (a DOCUMENT upload) as logo is BAD_USER_INPUT FILE_PURPOSE, and the profile stays", async () => {
      const current = await logoUpload(PNG, "image/png");
      await logoFirm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, logoFileId: current } });
      const doc = await upload(logoFirm.adminClient, { purpose: "DOCUMENT", bytes: JPEG, contentType: "image/jpeg" });
      expect(doc.status).toBe(200);
      const err = await expectApiError(
        logoFirm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, name: "Nicht übernommen", logoFileId: doc.fileId } }),
        "BAD_USER_INPUT",
      );
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.logoFileId", rule: "FILE_PURPOSE" })]);
      const { brokerProfile } = await logoFirm.employeeClient.request(BrokerProfileDocument);
      expect(brokerProfile.name).toBe(profile.name);
      expect((await download(brokerProfile.logoUrl!)).bytes.equals(PNG)).toBe(true);
      expect((await fileRow(current))!.status).toBe("ATTACHED");
      expect((await fileRow(doc.fileId))!.status).toBe("STORED");
    });

    it("A3: an employee cannot set the logo (FORBIDDEN), nor use another user's upload", async () => {
      const fileId = await logoUpload(PNG, "image/png");
      await expectApiError(logoFirm.employeeClient.request(UpdateBrokerProfileDocument, { input: { ...profile, logoFileId: fileId } }), "FORBIDDEN");
      const otherAdmin = await f.buildStaff({ tenant: logoFirm.tenant, role: "ADMIN" });
      await expectApiError((await f.staffClient(otherAdmin)).request(UpdateBrokerProfileDocument, { input: { ...profile, logoFileId: fileId } }), "NOT_FOUND");
      expect((await fileRow(fileId))!.status).toBe("STORED");
    });
  });

  describe("download URLs", () => {
    it("a tampered, malformed or upload token is 404", async () => {
      const up = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
      const { uploadDocument } = await attachAsDocument(firm.employeeClient, up.fileId);
      const url = uploadDocument.document.downloadUrl;
      expect((await download(url)).status).toBe(200);
      const [base, token] = url.split("/files/") as [string, string];
      const [body, sig] = token.split(".") as [string, string];
      const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === "A" ? "B" : "A"}${s.slice(i + 1)}`;
      for (const bad of [`${flip(body, 3)}.${sig}`, `${body}.${flip(sig, 5)}`, `${body}.${sig}x`, body, "nonsense", `${body}.`]) {
        const res = await download(`${base}/files/${bad}`);
        expect(res.status, bad).toBe(404);
        expect(JSON.parse(res.bytes.toString("utf8")), bad).toMatchObject({ errors: [{ extensions: { code: "NOT_FOUND" } }] });
      }
      // A token naming another file (signed for a different id) cannot be made without the secret: the body of one with the signature of another fails.
      const other = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: JPEG, contentType: "image/jpeg" });
      const otherUrl = (await attachAsDocument(firm.employeeClient, other.fileId)).uploadDocument.document.downloadUrl;
      const otherSig = otherUrl.split("/files/")[1]!.split(".")[1]!;
      expect((await download(`${base}/files/${body}.${otherSig}`)).status).toBe(404);
      // An upload URL's token is no download token.
      const created = await createUpload(firm.employeeClient, "DOCUMENT", "application/pdf", 100);
      expect((await download(`${base}/files/${created.uploadUrl.split("/uploads/")[1]}`)).status).toBe(404);
    });

    it("a stored but unattached file has no download", async () => {
      const up = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
      // Sign a download URL for it directly, as if a resolver had handed one out.
      const session = await t.app.services.session.issue({ tenantId: firm.tenant.id, staffUserId: firm.employee.id });
      const viewer = await t.app.services.session.authenticate(session.token);
      const url = t.app.services.file.downloadUrl(dbId(up.fileId), new URL(t.url).origin, viewer)!;
      expect((await download(url)).status).toBe(404);
    });
  });

  describe("files the server reads back and writes itself (claim photos, rule G1)", () => {
    it("G1: a reported photo is read back from storage, its renditions are stored, and each URL downloads its bytes", async () => {
      const up = await upload(app, { purpose: "CLAIM_PHOTO", bytes: PNG, contentType: "image/png", fileName: "keller.png" });
      expect(up.status).toBe(200);
      const { reportClaim } = await app.request(ReportClaimDocument, {
        input: { idempotencyKey: crypto.randomUUID(), customerId, dateOfLoss: t.clock.now().toISOString().slice(0, 10), description: "Wasser im Keller", photoFileIds: [up.fileId] },
      });
      const [photo] = reportClaim.claim.photos;
      const original = await download(photo!.originalUrl);
      expect(original).toMatchObject({ status: 200, contentType: "image/png", contentLength: String(PNG.length) });
      expect(original.bytes.equals(PNG)).toBe(true);
      for (const url of [photo!.url, photo!.thumbnailUrl]) {
        const got = await download(url);
        expect(got).toMatchObject({ status: 200, contentType: "image/jpeg", contentLength: String(got.bytes.length) });
        expect(sniff(got.bytes)).toEqual({ mime: "image/jpeg" });
      }
      // The original and its two renditions, each under its own key in the store.
      const rows = (await filesOf(firm.tenant.id)).filter((r) => r.purpose === "CLAIM_PHOTO" && r.status === "ATTACHED");
      for (const row of rows) expect(await stored(row.storageKey)).toEqual({ size: row.size });
      expect(rows.map((r) => r.id)).toContain(dbId(up.fileId));
      expect(rows).toHaveLength(3);
    });
  });

  // These move the shared clock forward; every test before them is done with its URLs, and each test below makes its own.
  describe("time limits (the clock moves)", () => {
    it("an upload URL expires after 15 minutes (403); nothing is stored", async () => {
      const late = await createUpload(firm.employeeClient, "DOCUMENT", "image/png", 1000);
      const inTime = await createUpload(firm.employeeClient, "DOCUMENT", "image/png", 1000);
      t.clock.advance(UPLOAD_TTL_MS - 60_000);
      expect((await put(inTime.uploadUrl, PNG)).status).toBe(200);
      t.clock.advance(2 * 60_000);
      const res = await put(late.uploadUrl, PNG);
      expect(res.status).toBe(403);
      expect(res.body.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
      expect(await bytesOf((await fileRow(late.fileId))!)).toEqual([]);
    });

    it("a download URL works for 5 minutes, then 404", async () => {
      const up = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
      const { uploadDocument } = await attachAsDocument(firm.employeeClient, up.fileId);
      const url = uploadDocument.document.downloadUrl;
      t.clock.advance(DOWNLOAD_TTL_MS - 60_000);
      expect((await download(url)).status).toBe(200);
      t.clock.advance(2 * 60_000);
      expect((await download(url)).status).toBe(404);
      // A fresh URL works again.
      const { node } = await firm.employeeClient.request(DocumentDownloadDocument, { id: uploadDocument.document.id });
      expect((await download((node as { downloadUrl: string }).downloadUrl)).status).toBe(200);
    });

    it("an abandoned upload (stored, never attached) is removed with its bytes after an hour; attached files stay", async () => {
      const abandoned = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
      const neverPut = await createUpload(firm.employeeClient, "DOCUMENT", "application/pdf", 100);
      const kept = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: JPEG, contentType: "image/jpeg" });
      await attachAsDocument(firm.employeeClient, kept.fileId);
      const [abandonedRow, keptRow] = [(await fileRow(abandoned.fileId))!, (await fileRow(kept.fileId))!];
      expect(await stored(abandonedRow.storageKey)).not.toBeNull();

      // Not yet after 59 minutes.
      t.clock.advance(ABANDONED_AFTER_MS - 60_000);
      await t.app.worker.runOnce();
      expect(await fileRow(abandoned.fileId)).toBeDefined();
      expect(await stored(abandonedRow.storageKey)).not.toBeNull();

      // Cleaning runs at most once a minute: move on past the hour and past the minute.
      t.clock.advance(61_000);
      await t.app.worker.runOnce();
      t.clock.advance(61_000);
      await t.app.worker.runOnce();
      expect(await fileRow(abandoned.fileId)).toBeUndefined();
      expect(await stored(abandonedRow.storageKey)).toBeNull();
      expect(await bytesOf(abandonedRow)).toEqual([]);
      expect(await fileRow(neverPut.fileId)).toBeUndefined();
      expect(await fileRow(kept.fileId)).toMatchObject({ status: "ATTACHED" });
      expect(await stored(keptRow.storageKey)).toEqual({ size: JPEG.length });
      // And its fileId can no longer be attached.
      await expectApiError(attachAsDocument(firm.employeeClient, abandoned.fileId), "NOT_FOUND");
    });
  });
});
