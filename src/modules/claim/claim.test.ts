/**
 * Claims (rules G1–G4, the claim half of C5, C3 and E1's open claims) through the SDK against the real test server:
 * a report with photos of every accepted type and their renditions, bad photos and inputs refused with nothing
 * written, retries that never double a claim, the office's list and edits, alerts over WebSocket and the 5-minute
 * mail, the customer following its claim live, documents at a claim, and what an app account may see.
 *
 * Every describe builds its own firm, so counts (claims, numbers, notifications, events) are the test's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import sharp from "sharp";
import { and, asc, count, eq, inArray } from "drizzle-orm";
import { allPages } from "../../test/pages.js";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories, upload } from "../../test/factories.js";
import { HEIC, HEIC_PHOTO, JPEG, PDF, PNG } from "../../test/fixtures.js";
import { eventOf, nextWithin, nothingWithin } from "../../test/realtime.js";
import {
  ClaimAlertDocument,
  ClaimChangedDocument,
  ClaimDocument,
  ClaimsDocument,
  CreateContractDocument,
  CreateUploadDocument,
  DocumentCategoriesDocument,
  InsurersDocument,
  NodeDocument,
  OverviewWithClaimsDocument,
  ReportClaimDocument,
  RevokeCustomerAccessDocument,
  SetResponsibleStaffDocument,
  UpdateClaimDocument,
  UpdateStaffUserDocument,
  UploadDocumentDocument,
  type ClaimAlertSubscription,
  type ClaimChangedSubscription,
  type ClaimsQueryVariables,
  type KundenappClient,
  type ReportClaimInput,
} from "../../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../../graphql/relay.js";
import { files } from "../../files/file.table.js";
import { RENDITION_MAX_PX, THUMBNAIL_MAX_PX } from "../../files/images.js";
import { events } from "../../realtime/events.table.js";
import { idempotencyKeys } from "../../idempotency/idempotency.table.js";
import { notifications } from "../notification/notification.table.js";
import { EMAIL_AFTER_MS } from "../notification/notification.service.js";
import { documents } from "../document/document.table.js";
import { claimPhotos, claimStatusChanges, claims } from "./claim.table.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
/** Real photos, made once: a 12-MP-like JPEG (larger than the rendition), a 640×480 PNG, and the fixture's real HEIC (64×48). */
let BIG_JPEG: Buffer;
let MID_PNG: Buffer;
beforeAll(async () => {
  t = await startTestServer({ smtp: true });
  f = factories(t);
  BIG_JPEG = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 20, g: 120, b: 200 } } })
    .jpeg()
    .toBuffer();
  MID_PNG = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 240, g: 200, b: 10 } } })
    .png()
    .toBuffer();
});
afterAll(() => t.close());

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
type Customer = Awaited<ReturnType<ReturnType<typeof factories>["buildCustomer"]>>;
type Staff = Awaited<ReturnType<ReturnType<typeof factories>["buildStaff"]>>;

const MB = 1024 * 1024;
const DAY_MS = 86_400_000;
const db = () => t.app.deps.database.db;
const gid = (type: string, id: string) => toGlobalId(type, id);
const dbId = (globalId: string) => fromGlobalId(globalId)!.id;
const unique = () => crypto.randomBytes(4).toString("hex");
const customerId = (c: { id: string }) => gid("Customer", c.id);
const staffId = (s: { id: string }) => gid("StaffUser", s.id);
/** A date `n` days before the server's today (its clock, which tests move). */
const daysAgo = (n: number) => new Date(t.clock.now().getTime() - n * DAY_MS).toISOString().slice(0, 10);
const HTML = Buffer.from("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "utf8");

/** The photos a phone sends, by kind. */
const PHOTOS = {
  jpeg: () => ({ bytes: BIG_JPEG, contentType: "image/jpeg", fileName: "keller.jpg" }),
  png: () => ({ bytes: MID_PNG, contentType: "image/png", fileName: "bildschirmfoto.png" }),
  heic: () => ({ bytes: HEIC_PHOTO, contentType: "image/heic", fileName: "IMG_0815.HEIC" }),
  tiny: () => ({ bytes: PNG, contentType: "image/png", fileName: "punkt.png" }),
} as const;

/** createUpload (CLAIM_PHOTO) + PUT; returns the file ID of a stored photo. */
async function photo(app: KundenappClient, kind: keyof typeof PHOTOS = "tiny"): Promise<string> {
  const put = await upload(app, { purpose: "CLAIM_PHOTO", ...PHOTOS[kind]() });
  expect(put.status).toBe(200);
  return put.fileId;
}

/** reportClaim as the app sends it: a fresh idempotency key, a date of loss two days ago, unless given. */
async function report(app: KundenappClient, customer: { id: string }, input: Partial<ReportClaimInput> = {}) {
  const { reportClaim } = await app.request(ReportClaimDocument, { input: reportInput(customer, input) });
  return reportClaim;
}
function reportInput(customer: { id: string }, input: Partial<ReportClaimInput> = {}): ReportClaimInput {
  return { idempotencyKey: crypto.randomUUID(), customerId: customerId(customer), dateOfLoss: daysAgo(2), description: `Wasserschaden ${unique()}`, ...input };
}

async function download(url: string) {
  const res = await fetch(url);
  return { status: res.status, contentType: res.headers.get("content-type"), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** What a report writes, counted per firm: a refused one must leave every figure as it was. */
async function written(tenantId: string) {
  const n = async (table: typeof claims | typeof claimPhotos | typeof claimStatusChanges | typeof notifications | typeof events | typeof idempotencyKeys) =>
    (await db().select({ n: count() }).from(table).where(eq(table.tenantId, tenantId)))[0]!.n;
  return {
    claims: await n(claims),
    claimPhotos: await n(claimPhotos),
    timeline: await n(claimStatusChanges),
    notifications: await n(notifications),
    events: await n(events),
    idempotencyKeys: await n(idempotencyKeys),
    // Every file row as it is: no rendition stored, no upload attached.
    files: await db().select().from(files).where(eq(files.tenantId, tenantId)).orderBy(files.id),
  };
}


const changed = (r: IteratorResult<ClaimChangedSubscription>) => eventOf(r, "claimChanged");
const alerted = (r: IteratorResult<ClaimAlertSubscription>) => eventOf(r, "claimAlert");

function setResponsible(firm: Firm, customer: { id: string }, staff: Array<{ id: string }>) {
  return firm.adminClient.request(SetResponsibleStaffDocument, { input: { customerId: customerId(customer), staffUserIds: staff.map(staffId) } });
}

/** A contract of the customer, made by the firm's admin (visible to the customer unless told). */
async function addContract(firm: Firm, customer: { id: string }, visibleToCustomer = true) {
  const { insurers } = await firm.adminClient.request(InsurersDocument, {});
  const { createContract } = await firm.adminClient.request(CreateContractDocument, {
    input: { customerId: customerId(customer), insurerId: insurers[0]!.id, contractNumber: `V-${unique()}`, visibleToCustomer, status: "AKTIV" },
  });
  return createContract.contract;
}

/** A staff user of the firm with the given permissions, logged in. */
async function staffWith(firm: Firm, permissions: Array<"CHAT" | "CLAIMS">, role: "ADMIN" | "EMPLOYEE" = "EMPLOYEE") {
  const staff = await f.buildStaff({ tenant: firm.tenant, permissions, role });
  return { staff, client: await f.staffClient(staff) };
}

/** A customer with an ACTIVE app account (logged in), and a second customer granted to it (rule D9). */
const household = (firm: Firm) => f.buildHousehold(firm.tenant);

/** Every claim a client lists, page by page, with the pages' sizes. */
function listAll(client: KundenappClient, vars: Omit<ClaimsQueryVariables, "first" | "after"> = {}, first = 100) {
  return allPages(async (after) => (await client.request(ClaimsDocument, { ...vars, first, after })).claims);
}

// First in the file: before any test opens a WebSocket (the server re-checks the sessions of open sockets each second).
describe("listing claims in a constant number of SQL statements", () => {
  /** A firm whose customer has `n` claims (written straight to the tables), each with a contract, two photos and a two-step timeline. */
  async function firmWithClaims(n: number) {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const contract = await addContract(firm, customer);
    const account = await f.buildAppAccount({ customer });
    const tenantId = firm.tenant.id;
    const base = t.clock.now().getTime();
    const claimRows = Array.from({ length: n }, (_, i) => ({
      id: crypto.randomUUID(),
      tenantId,
      customerId: customer.id,
      contractId: i % 2 ? dbId(contract.id) : null,
      number: `S-2026-${String(i + 1).padStart(5, "0")}`,
      status: "IN_PROGRESS" as const,
      dateOfLoss: "2026-01-15",
      description: `Schaden ${i}`,
      reportedAt: new Date(base - (n - i) * 60_000),
      reportedByAccountId: account.id,
    }));
    await db().insert(claims).values(claimRows);
    const fileRow = (name: string) => ({
      id: crypto.randomUUID(),
      tenantId,
      purpose: "CLAIM_PHOTO" as const,
      status: "ATTACHED" as const,
      fileName: name,
      declaredType: "image/jpeg",
      declaredSize: 100,
      mimeType: "image/jpeg",
      size: 100,
      storageKey: `t/${tenantId}/seed-${crypto.randomUUID()}`,
      createdByAccountId: account.id,
    });
    const fileRows = [];
    const photoRows = [];
    for (const c of claimRows) {
      for (let p = 0; p < 2; p++) {
        const [original, jpeg, thumbnail] = [fileRow("o.jpg"), fileRow("j.jpg"), fileRow("t.jpg")];
        fileRows.push(original, jpeg, thumbnail);
        photoRows.push({ tenantId, claimId: c.id, position: p, originalFileId: original.id, jpegFileId: jpeg.id, thumbnailFileId: thumbnail.id, width: 800, height: 600 });
      }
    }
    await db().insert(files).values(fileRows);
    await db().insert(claimPhotos).values(photoRows);
    await db()
      .insert(claimStatusChanges)
      .values(
        claimRows.flatMap((c) => [
          { tenantId, claimId: c.id, fromStatus: null, toStatus: "REPORTED" as const, changedByAccountId: account.id, changedAt: c.reportedAt },
          { tenantId, claimId: c.id, fromStatus: "REPORTED" as const, toStatus: "IN_PROGRESS" as const, changedByStaffId: firm.admin.id, changedAt: new Date(c.reportedAt.getTime() + 1000) },
        ]),
      );
    return { firm, app: await f.appClient(account) };
  }

  it("G2/G4: 5 and 50 claims with customers, contracts, photos and timelines cost the same, for staff and for the app", async () => {
    // Nothing runs in the background (no open WebSocket whose session the server re-checks each second): every statement counted is the list's.
    expect(await t.countStatements(() => new Promise((resolve) => setTimeout(resolve, 1_100)))).toBe(0);
    const small = await firmWithClaims(5);
    const large = await firmWithClaims(50);
    async function cost(client: KundenappClient, expected: number): Promise<number> {
      return t.countStatements(async () => {
        const { claims: page } = await client.request(ClaimsDocument, { first: 50 });
        expect(page.edges).toHaveLength(expected);
        expect(page.totalCount).toBe(expected);
        expect(page.edges.every((e) => e.node.customer.name && e.node.photos.length === 2 && e.node.photos[1]!.url && e.node.timeline.length === 2)).toBe(true);
        expect(page.edges.filter((e) => e.node.contract).length).toBe(Math.floor(expected / 2));
      });
    }
    const staffSmall = await cost(small.firm.adminClient, 5);
    const staffLarge = await cost(large.firm.adminClient, 50);
    expect(staffLarge).toBe(staffSmall);
    const appSmall = await cost(small.app, 5);
    const appLarge = await cost(large.app, 50);
    expect(appLarge).toBe(appSmall);
    expect(staffSmall).toBeLessThan(15);
  });
});

describe("G1: reporting a claim with photos", () => {
  let firm: Firm;
  let h: Awaited<ReturnType<typeof household>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    h = await household(firm);
  });

  it("G1: three photos (JPEG, PNG, real HEIC) each get a JPEG rendition and a thumbnail; the server sets the report date and the claim number", async () => {
    const contract = await addContract(firm, h.own);
    const ids = [await photo(h.app, "jpeg"), await photo(h.app, "png"), await photo(h.app, "heic")];
    // The server's clock decides the report date, not the phone's: an hour ahead of the wall clock here.
    t.clock.advance(3_600_000);
    const started = t.clock.now();
    const dateOfLoss = daysAgo(3);
    const result = await report(h.app, h.own, { dateOfLoss, description: "  Rohrbruch im Keller, Waschmaschine nass  ", contractId: contract.id, photoFileIds: ids });
    const ended = t.clock.now();
    expect(result.replayed).toBe(false);
    const claim = result.claim;
    expect(claim).toMatchObject({
      status: "REPORTED",
      dateOfLoss,
      description: "Rohrbruch im Keller, Waschmaschine nass",
      insurerClaimNumber: null,
      amountClaimed: null,
      amountPaid: null,
      internalNotes: null,
      amountClaimedInternal: null,
      customer: { id: customerId(h.own) },
      contract: { id: contract.id, contractNumber: contract.contractNumber },
    });
    // The firm's first claim of the year.
    expect(claim.number).toBe(`S-${started.getUTCFullYear()}-00001`);
    const reportedAt = Date.parse(claim.reportedAt);
    expect(reportedAt).toBeGreaterThanOrEqual(started.getTime());
    expect(reportedAt).toBeLessThanOrEqual(ended.getTime());
    expect(reportedAt - Date.now()).toBeGreaterThan(3_000_000);
    expect(claim.timeline).toEqual([{ from: null, to: "REPORTED", changedAt: claim.reportedAt, changedBy: "CUSTOMER" }]);

    // In the order sent; the JPEG scaled down to the rendition's size, the others kept as they are.
    expect(claim.photos.map((p) => [p.width, p.height])).toEqual([
      [RENDITION_MAX_PX, Math.round((RENDITION_MAX_PX * 2000) / 3000)],
      [640, 480],
      [64, 48],
    ]);
    const originals = [
      { bytes: BIG_JPEG, type: "image/jpeg", format: "jpeg" },
      { bytes: MID_PNG, type: "image/png", format: "png" },
      { bytes: HEIC_PHOTO, type: "image/heic", format: "heif" },
    ];
    for (const [i, p] of claim.photos.entries()) {
      const jpeg = await download(p.url);
      expect(jpeg).toMatchObject({ status: 200, contentType: "image/jpeg" });
      const jpegMeta = await sharp(jpeg.bytes).metadata();
      expect(jpegMeta).toMatchObject({ format: "jpeg", width: p.width, height: p.height });
      const thumb = await download(p.thumbnailUrl);
      expect(thumb).toMatchObject({ status: 200, contentType: "image/jpeg" });
      const thumbMeta = await sharp(thumb.bytes).metadata();
      expect(thumbMeta.format).toBe("jpeg");
      expect(Math.max(thumbMeta.width, thumbMeta.height)).toBe(Math.min(THUMBNAIL_MAX_PX, Math.max(p.width, p.height)));
      // The original, byte for byte, as the phone sent it.
      const original = await download(p.originalUrl);
      expect(original).toMatchObject({ status: 200, contentType: originals[i]!.type });
      expect(original.bytes.equals(originals[i]!.bytes)).toBe(true);
    }
    // A HEIC the office's browsers cannot show became a real JPEG of its pixels (red, as the fixture was made).
    const heicJpeg = await download(claim.photos[2]!.url);
    const [r, g, b] = (await sharp(heicJpeg.bytes).stats()).channels.map((c) => c.mean);
    expect(r).toBeGreaterThan(180);
    expect(Math.max(g!, b!)).toBeLessThan(70);

    // In the database: one claim, three photos, nine attached files of purpose CLAIM_PHOTO.
    const photoRows = await db().select().from(claimPhotos).where(eq(claimPhotos.claimId, dbId(claim.id))).orderBy(asc(claimPhotos.position));
    expect(photoRows.map((r) => r.position)).toEqual([0, 1, 2]);
    const fileIds = photoRows.flatMap((r) => [r.originalFileId, r.jpegFileId, r.thumbnailFileId]);
    const fileRows = await db().select().from(files).where(inArray(files.id, fileIds));
    expect(fileRows).toHaveLength(9);
    expect(fileRows.every((r) => r.status === "ATTACHED" && r.purpose === "CLAIM_PHOTO" && r.expiresAt === null)).toBe(true);
    expect(photoRows.map((r) => r.originalFileId)).toEqual(ids.map(dbId));
    const [row] = await db().select().from(claims).where(eq(claims.id, dbId(claim.id)));
    expect(row).toMatchObject({ reportedByAccountId: h.account.id, customerId: h.own.id, contractId: dbId(contract.id) });

    // Staff with CLAIMS see the same claim and photos; the numbers go on.
    const { claim: staffView } = await firm.adminClient.request(ClaimDocument, { id: claim.id });
    expect(staffView.photos.map((p) => p.id)).toEqual(claim.photos.map((p) => p.id));
    expect((await download(staffView.photos[2]!.url)).status).toBe(200);
    const second = await report(h.app, h.granted);
    expect(second.claim.number).toBe(`S-${started.getUTCFullYear()}-00002`);
    expect(second.claim.photos).toEqual([]);
    // Another firm counts its own claims from 1.
    const other = await f.buildFirm();
    const stranger = await household(other);
    expect((await report(stranger.app, stranger.own)).claim.number).toBe(`S-${started.getUTCFullYear()}-00001`);
  });

  it("G1: a photo is turned upright by its EXIF orientation, and no metadata (GPS, names) reaches the rendition", async () => {
    const sideways = await sharp({ create: { width: 40, height: 20, channels: 3, background: { r: 10, g: 200, b: 10 } } })
      .jpeg()
      .withExif({ IFD0: { Artist: "Kim Eigen", Copyright: "Kim Eigen" } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(sideways).metadata()).exif).toBeDefined();
    const put = await upload(h.app, { purpose: "CLAIM_PHOTO", bytes: sideways, contentType: "image/jpeg", fileName: "hochkant.jpg" });
    const { claim } = await report(h.app, h.own, { photoFileIds: [put.fileId] });
    expect(claim.photos.map((p) => [p.width, p.height])).toEqual([[20, 40]]);
    for (const url of [claim.photos[0]!.url, claim.photos[0]!.thumbnailUrl]) {
      const meta = await sharp((await download(url)).bytes).metadata();
      expect(meta).toMatchObject({ width: 20, height: 40 });
      expect(meta.exif).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
    }
  });

  it("G1: bad photos are refused with a clear error, and a report naming one writes nothing (no claim, no photo, no file)", async () => {
    const good = [await photo(h.app, "png"), await photo(h.app, "heic")];

    // A PDF named .jpg: the bytes decide, 415 at the PUT; the file never becomes usable.
    const pdfAsJpeg = await upload(h.app, { purpose: "CLAIM_PHOTO", bytes: PDF, contentType: "image/jpeg", fileName: "schaden.jpg" });
    expect(pdfAsJpeg.status).toBe(415);
    expect(pdfAsJpeg.body).toMatchObject({ errors: [{ extensions: { code: "FILE_TYPE" } }] });
    // The same PDF uploaded as a document goes through, but is no claim photo.
    const pdfAsDocument = await upload(h.app, { purpose: "DOCUMENT", bytes: PDF, contentType: "image/jpeg", fileName: "schaden.jpg" });
    expect(pdfAsDocument.status).toBe(200);
    // An HTML page sent as image/png.
    const html = await upload(h.app, { purpose: "CLAIM_PHOTO", bytes: HTML, contentType: "image/png", fileName: "foto.png" });
    expect(html.status).toBe(415);
    expect(html.body).toMatchObject({ errors: [{ extensions: { code: "FILE_TYPE" } }] });
    // 16 MB: refused when announced, and when sent after announcing less (413).
    const announced = await expectApiError(
      h.app.request(CreateUploadDocument, { input: { purpose: "CLAIM_PHOTO", contentType: "image/jpeg", size: 16 * MB, fileName: "riesig.jpg" } }),
      "BAD_USER_INPUT",
    );
    expect(announced.fields).toEqual([expect.objectContaining({ field: "input.size", rule: "FILE_SIZE" })]);
    const huge = Buffer.concat([BIG_JPEG, Buffer.alloc(16 * MB - BIG_JPEG.length)]);
    const tooLarge = await upload(h.app, { purpose: "CLAIM_PHOTO", bytes: huge, contentType: "image/jpeg", fileName: "riesig.jpg", declaredSize: 15 * MB });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ errors: [{ extensions: { code: "FILE_TOO_LARGE" } }] });
    // Looks like a JPEG (its first bytes), but holds no image; and a HEIC header without a picture.
    const brokenJpeg = await upload(h.app, { purpose: "CLAIM_PHOTO", bytes: JPEG, contentType: "image/jpeg", fileName: "kaputt.jpg" });
    const brokenHeic = await upload(h.app, { purpose: "CLAIM_PHOTO", bytes: HEIC, contentType: "image/heic", fileName: "kaputt.heic" });
    expect([brokenJpeg.status, brokenHeic.status]).toEqual([200, 200]);

    const cases: Array<[string, string, string]> = [
      ["a PDF named .jpg (never stored)", pdfAsJpeg.fileId, "FILE_UPLOADED"],
      ["a PDF uploaded as a document", pdfAsDocument.fileId, "FILE_PURPOSE"],
      ["an HTML file sent as image/png", html.fileId, "FILE_UPLOADED"],
      ["16 MB sent after announcing 15", tooLarge.fileId, "FILE_UPLOADED"],
      ["a JPEG without an image", brokenJpeg.fileId, "FILE_UNREADABLE"],
      ["a HEIC without an image", brokenHeic.fileId, "FILE_UNREADABLE"],
    ];
    const before = await written(firm.tenant.id);
    for (const [what, bad, rule] of cases) {
      // The bad photo last, after two good ones: those are neither attached nor rendered for nothing.
      const err = await expectApiError(report(h.app, h.own, { photoFileIds: [...good, bad] }), "BAD_USER_INPUT");
      expect(err.fields, what).toEqual([expect.objectContaining({ field: "input.photoFileIds.2", rule })]);
      expect(err.message).toMatch(/photoFileIds\.2/);
      expect(await written(firm.tenant.id), what).toEqual(before);
    }
    // The good photos are still the account's to use: the same report without the bad one goes through.
    const { claim } = await report(h.app, h.own, { photoFileIds: good });
    expect(claim.photos.map((p) => [p.width, p.height])).toEqual([
      [640, 480],
      [64, 48],
    ]);
  });

  it("G1: an 11th photo, a date of loss in the future, another customer's contract, an inaccessible customer: refused, nothing written", async () => {
    const eleven: string[] = [];
    for (let i = 0; i < 11; i++) eleven.push(await photo(h.app, "tiny"));
    const neighbour = await f.buildCustomer({ tenant: firm.tenant });
    const grantedContract = await addContract(firm, h.granted);
    const hiddenContract = await addContract(firm, h.own, false);
    const other = await f.buildFirm();
    const stranger = await f.buildCustomer({ tenant: other.tenant });
    const foreignContract = await addContract(other, stranger);
    const tomorrow = new Date(t.clock.now().getTime() + DAY_MS).toISOString().slice(0, 10);

    const before = await written(firm.tenant.id);
    const refused: Array<[string, Partial<ReportClaimInput>, string, string?, string?]> = [
      ["an 11th photo", { photoFileIds: eleven }, "BAD_USER_INPUT", "input.photoFileIds", "LENGTH"],
      ["a date of loss tomorrow", { dateOfLoss: tomorrow }, "BAD_USER_INPUT", "input.dateOfLoss", "RANGE"],
      ["a contract of another customer", { contractId: grantedContract.id }, "BAD_USER_INPUT", "input.contractId", "SAME_CUSTOMER"],
      ["a contract hidden from the customer", { contractId: hiddenContract.id }, "NOT_FOUND"],
      ["another firm's contract", { contractId: foreignContract.id }, "NOT_FOUND"],
      ["a customer the account may not access", { customerId: customerId(neighbour) }, "NOT_FOUND"],
      ["another firm's customer", { customerId: customerId(stranger) }, "NOT_FOUND"],
      ["a description of blanks", { description: "   " }, "BAD_USER_INPUT", "input.description", "REQUIRED"],
      ["the same photo twice", { photoFileIds: [eleven[0]!, eleven[0]!] }, "BAD_USER_INPUT", "input.photoFileIds", "UNIQUE"],
    ];
    for (const [what, input, code, field, rule] of refused) {
      const err = await expectApiError(report(h.app, h.own, input), code);
      if (field) expect(err.fields, what).toEqual([expect.objectContaining({ field, rule })]);
      expect(await written(firm.tenant.id), what).toEqual(before);
    }
    // Staff do not report claims.
    await expectApiError(firm.adminClient.request(ReportClaimDocument, { input: reportInput(h.own) }), "FORBIDDEN");
    expect(await written(firm.tenant.id)).toEqual(before);

    // The limits are exact: ten photos, today's date.
    const { claim } = await report(h.app, h.own, { photoFileIds: eleven.slice(0, 10), dateOfLoss: daysAgo(0) });
    expect(claim.photos).toHaveLength(10);
    expect(claim.dateOfLoss).toBe(daysAgo(0));
  });
});

describe("G1: never doubled (idempotency key)", () => {
  let firm: Firm;
  let h: Awaited<ReturnType<typeof household>>;
  const claimsOf = async (customer: { id: string }) => db().select().from(claims).where(eq(claims.customerId, customer.id));
  beforeAll(async () => {
    firm = await f.buildFirm();
    h = await household(firm);
  });

  it("G1: the same key with the same input returns the first claim (replayed), even a day later; one claim, one notification, one alert", async () => {
    const ids = [await photo(h.app, "png")];
    const input = reportInput(h.own, { photoFileIds: ids });
    const alerts = firm.adminClient.subscribe(ClaimAlertDocument, { after: await t.headCursor(firm.tenant.id) });
    const first = (await h.app.request(ReportClaimDocument, { input })).reportClaim;
    expect(first.replayed).toBe(false);
    const before = await written(firm.tenant.id);

    const retry = (await h.app.request(ReportClaimDocument, { input })).reportClaim;
    expect(retry.replayed).toBe(true);
    // The same claim; only the signed download URLs are issued anew (their expiry counts from this request).
    const withoutUrls = (c: typeof first.claim) => ({ ...c, photos: c.photos.map(({ url: _u, thumbnailUrl: _t, originalUrl: _o, ...p }) => p) });
    expect(withoutUrls(retry.claim)).toEqual(withoutUrls(first.claim));
    expect(retry.claim.photos.map((p) => p.url.length > 0)).toEqual(first.claim.photos.map(() => true));
    // Nothing more written, nothing announced twice.
    expect(await written(firm.tenant.id)).toEqual(before);
    expect(alerted(await nextWithin(alerts)).claim.id).toBe(first.claim.id);
    await nothingWithin(alerts, 300);
    await alerts.return?.();

    // Kept at least 24 hours, through the worker's clean-up.
    t.clock.advance(24 * 3_600_000 - 60_000);
    await t.app.worker.runOnce();
    const later = (await h.app.request(ReportClaimDocument, { input })).reportClaim;
    expect(later).toMatchObject({ replayed: true, claim: { id: first.claim.id } });
    expect(await claimsOf(h.own)).toHaveLength(1);
    expect(await db().select().from(notifications).where(eq(notifications.subjectId, dbId(first.claim.id)))).toHaveLength(1);

    // A key is the account's own: another account's report with the same key is its own claim.
    const neighbour = await household(firm);
    const theirs = await report(neighbour.app, neighbour.own, { idempotencyKey: input.idempotencyKey });
    expect(theirs.replayed).toBe(false);
    expect(theirs.claim.id).not.toBe(first.claim.id);
  });

  it("G1: two requests with the same key at once (a retry while the first is still running) make one claim", async () => {
    const ids = [await photo(h.app, "jpeg"), await photo(h.app, "heic")];
    const input = reportInput(h.own, { photoFileIds: ids });
    const before = (await claimsOf(h.own)).length;
    const results = await Promise.all([h.app.request(ReportClaimDocument, { input }), h.app.request(ReportClaimDocument, { input })]);
    const [a, b] = results.map((r) => r.reportClaim);
    expect(a!.claim.id).toBe(b!.claim.id);
    expect([a!.replayed, b!.replayed].sort()).toEqual([false, true]);
    expect(await claimsOf(h.own)).toHaveLength(before + 1);
    expect(await db().select().from(claimPhotos).where(eq(claimPhotos.claimId, dbId(a!.claim.id)))).toHaveLength(2);
    // One notice (the firm's admin: nobody is responsible for the customer), one alert.
    expect((await db().select().from(notifications).where(eq(notifications.subjectId, dbId(a!.claim.id)))).map((n) => n.staffUserId)).toEqual([firm.admin.id]);
    expect(await db().select().from(events).where(and(eq(events.entityId, dbId(a!.claim.id)), eq(events.topic, "claim.alert")))).toHaveLength(1);
  });

  it("G1: the same key with other input is CONFLICT (IDEMPOTENCY_KEY_REUSED) and changes nothing", async () => {
    const input = reportInput(h.own, { description: "Sturmschaden am Dach" });
    const first = (await h.app.request(ReportClaimDocument, { input })).reportClaim;
    const before = await written(firm.tenant.id);
    const variants: Array<Partial<ReportClaimInput>> = [
      { description: "Sturmschaden am Carport" },
      { dateOfLoss: daysAgo(10) },
      { customerId: customerId(h.granted) },
      { photoFileIds: [await photo(h.app, "tiny")] },
    ];
    const afterUpload = await written(firm.tenant.id);
    for (const change of variants) {
      const err = await expectApiError(h.app.request(ReportClaimDocument, { input: { ...input, ...change } }), "CONFLICT");
      expect(err.fields).toEqual([expect.objectContaining({ field: "input.idempotencyKey", rule: "IDEMPOTENCY_KEY_REUSED" })]);
      expect(await written(firm.tenant.id)).toEqual(afterUpload);
    }
    expect(before.claims).toBe(afterUpload.claims);
    // The first request still answers as it did.
    expect((await h.app.request(ReportClaimDocument, { input })).reportClaim).toMatchObject({ replayed: true, claim: { id: first.claim.id } });
  });
});

describe("G2: the office lists and works on claims", () => {
  let firm: Firm;
  let h: Awaited<ReturnType<typeof household>>;
  let claimsStaff: { staff: Staff; client: KundenappClient };
  let reported: Array<{ id: string; number: string; customer: Customer; contract: string | null }>;
  let contract: { id: string };
  beforeAll(async () => {
    firm = await f.buildFirm();
    h = await household(firm);
    claimsStaff = await staffWith(firm, ["CLAIMS"]);
    contract = await addContract(firm, h.own);
    const neighbour = await household(firm);
    await setResponsible(firm, neighbour.own, [claimsStaff.staff]);
    // Reported one after another, a minute apart, by two accounts for three customers.
    reported = [];
    const plan: Array<[KundenappClient, Customer, string | null]> = [
      [h.app, h.own, contract.id],
      [neighbour.app, neighbour.own, null],
      [h.app, h.granted, null],
      [h.app, h.own, null],
      [neighbour.app, neighbour.own, null],
    ];
    for (const [app, customer, contractId] of plan) {
      t.clock.advance(60_000);
      const { claim } = await report(app, customer, { contractId });
      reported.push({ id: claim.id, number: claim.number, customer, contract: contractId });
    }
  });

  it("G2: staff without CLAIMS get FORBIDDEN on claims, claim, updateClaim and claimAlert; nothing changes", async () => {
    const rowBefore = (await db().select().from(claims).where(eq(claims.id, dbId(reported[0]!.id))))[0];
    const withoutClaims = [firm.employeeClient, (await staffWith(firm, [], "ADMIN")).client];
    for (const client of withoutClaims) {
      await expectApiError(client.request(ClaimsDocument, { first: 10 }), "FORBIDDEN");
      await expectApiError(client.request(ClaimDocument, { id: reported[0]!.id }), "FORBIDDEN");
      await expectApiError(client.request(UpdateClaimDocument, { input: { id: reported[0]!.id, status: "IN_PROGRESS", internalNotes: "x" } }), "FORBIDDEN");
      await expectApiError(nextWithin(client.subscribe(ClaimAlertDocument, {})), "FORBIDDEN");
      await expectApiError(nextWithin(client.subscribe(ClaimChangedDocument, {})), "FORBIDDEN");
    }
    expect((await db().select().from(claims).where(eq(claims.id, dbId(reported[0]!.id))))[0]).toEqual(rowBefore);
    // An employee with CLAIMS may, like an admin holding it.
    expect((await claimsStaff.client.request(ClaimsDocument, { first: 10 })).claims.totalCount).toBe(5);
  });

  it("G2: newest report first, page by page; filters by status, customer, contract and responsible staff; search by claim number", async () => {
    const newestFirst = [...reported].reverse().map((c) => c.id);
    const all = await listAll(claimsStaff.client);
    expect(all).toMatchObject({ ids: newestFirst, totalCount: 5 });
    for (const size of [1, 2, 3]) {
      const paged = await listAll(claimsStaff.client, {}, size);
      expect(paged.ids).toEqual(newestFirst);
      expect(paged.pages.slice(0, -1).every((n) => n === size)).toBe(true);
    }
    const ids = (pick: (c: (typeof reported)[number]) => boolean) => newestFirst.filter((id) => pick(reported.find((c) => c.id === id)!));

    expect((await listAll(claimsStaff.client, { customerId: customerId(h.own) })).ids).toEqual(ids((c) => c.customer.id === h.own.id));
    expect((await listAll(claimsStaff.client, { contractId: contract.id })).ids).toEqual([reported[0]!.id]);
    expect((await listAll(claimsStaff.client, { responsibleStaffId: staffId(claimsStaff.staff) })).ids).toEqual([reported[4]!.id, reported[1]!.id]);
    expect((await listAll(claimsStaff.client, { responsibleStaffId: staffId(firm.admin) })).ids).toEqual([]);

    await firm.adminClient.request(UpdateClaimDocument, { input: { id: reported[1]!.id, status: "IN_PROGRESS" } });
    await firm.adminClient.request(UpdateClaimDocument, { input: { id: reported[3]!.id, status: "SETTLED" } });
    expect((await listAll(claimsStaff.client, { status: ["REPORTED"] })).ids).toEqual([reported[4]!.id, reported[2]!.id, reported[0]!.id]);
    expect((await listAll(claimsStaff.client, { status: ["IN_PROGRESS", "SETTLED"] })).ids).toEqual([reported[3]!.id, reported[1]!.id]);
    expect((await listAll(claimsStaff.client, { status: ["REPORTED"], customerId: customerId(h.own) })).ids).toEqual([reported[0]!.id]);

    // By claim number: whole, or a part of it (as typed, any case).
    expect((await listAll(claimsStaff.client, { search: reported[2]!.number })).ids).toEqual([reported[2]!.id]);
    expect((await listAll(claimsStaff.client, { search: reported[2]!.number.slice(-3).toLowerCase() })).ids).toEqual([reported[2]!.id]);
    expect((await listAll(claimsStaff.client, { search: ` ${reported[2]!.number.toLowerCase()} ` })).ids).toEqual([reported[2]!.id]);
    expect((await listAll(claimsStaff.client, { search: "S-1999" })).ids).toEqual([]);
    // Also by the insurer's claim number, once staff entered it.
    await firm.adminClient.request(UpdateClaimDocument, { input: { id: reported[0]!.id, insurerClaimNumber: "AZ-77-1234" } });
    expect((await listAll(claimsStaff.client, { search: "77-12" })).ids).toEqual([reported[0]!.id]);

    // Another firm's claims never appear, nor its staff's filters.
    const other = await f.buildFirm();
    expect((await listAll(other.adminClient)).ids).toEqual([]);
    await expectApiError(other.adminClient.request(ClaimsDocument, { customerId: customerId(h.own) }), "NOT_FOUND");
  });

  it("G2: staff edit status, insurer claim number, amounts (exact cents) and internal notes; the timeline records each status with its date", async () => {
    const target = reported[2]!;
    const started = t.clock.now();
    const { updateClaim } = await claimsStaff.client.request(UpdateClaimDocument, {
      input: {
        id: target.id,
        status: "WITH_INSURER",
        insurerClaimNumber: "  HUK-2026-4711  ",
        amountClaimedCents: 1_234_567,
        amountPaidCents: 99_999_999,
        internalNotes: "Gutachter beauftragt",
      },
    });
    expect(updateClaim.claim).toMatchObject({
      status: "WITH_INSURER",
      insurerClaimNumber: "HUK-2026-4711",
      amountClaimed: { cents: 1_234_567, formatted: expect.stringMatching(/^12\.345,67\s€$/) },
      amountPaid: { cents: 99_999_999, formatted: expect.stringMatching(/^999\.999,99\s€$/) },
      amountClaimedInternal: false,
      amountPaidInternal: false,
      internalNotes: "Gutachter beauftragt",
    });
    expect(updateClaim.claim.timeline.map((s) => [s.from, s.to, s.changedBy])).toEqual([
      [null, "REPORTED", "CUSTOMER"],
      ["REPORTED", "WITH_INSURER", "STAFF"],
    ]);
    expect(Date.parse(updateClaim.claim.timeline[1]!.changedAt)).toBeGreaterThanOrEqual(started.getTime());
    const [row] = await db().select().from(claims).where(eq(claims.id, dbId(target.id)));
    expect(row).toMatchObject({ amountClaimedCents: 1_234_567, amountPaidCents: 99_999_999, internalNotes: "Gutachter beauftragt", status: "WITH_INSURER" });
    const history = await db()
      .select()
      .from(claimStatusChanges)
      .where(eq(claimStatusChanges.claimId, dbId(target.id)))
      .orderBy(asc(claimStatusChanges.changedAt), asc(claimStatusChanges.id));
    expect(history.map((r) => [r.toStatus, r.changedByStaffId, r.changedByAccountId])).toEqual([
      ["REPORTED", null, h.account.id],
      ["WITH_INSURER", claimsStaff.staff.id, null],
    ]);

    // Fields left out stay; null clears; the same status again adds no timeline entry.
    const { updateClaim: cleared } = await firm.adminClient.request(UpdateClaimDocument, {
      input: { id: target.id, status: "WITH_INSURER", amountPaidCents: null, internalNotes: null },
    });
    expect(cleared.claim).toMatchObject({ insurerClaimNumber: "HUK-2026-4711", amountClaimed: { cents: 1_234_567 }, amountPaid: null, internalNotes: null });
    expect(cleared.claim.timeline).toHaveLength(2);
    // The exact maximum and zero are fine.
    const { updateClaim: edge } = await firm.adminClient.request(UpdateClaimDocument, { input: { id: target.id, amountClaimedCents: 100_000_000, amountPaidCents: 0 } });
    expect(edge.claim).toMatchObject({ amountClaimed: { cents: 100_000_000 }, amountPaid: { cents: 0 } });

    // Negative or absurd amounts, too long notes: RANGE / LENGTH, nothing changes.
    const rowBefore = (await db().select().from(claims).where(eq(claims.id, dbId(target.id))))[0];
    const bad: Array<[Record<string, unknown>, string, string]> = [
      [{ amountClaimedCents: -1 }, "input.amountClaimedCents", "RANGE"],
      [{ amountPaidCents: 100_000_001 }, "input.amountPaidCents", "RANGE"],
      [{ amountPaidCents: 3_000_000_000 }, "input.amountPaidCents", "TYPE"],
      [{ internalNotes: "x".repeat(5001) }, "input.internalNotes", "LENGTH"],
      [{ status: null }, "input.status", "REQUIRED"],
    ];
    for (const [change, field] of bad) {
      const err = await expectApiError(firm.adminClient.request(UpdateClaimDocument, { input: { id: target.id, status: "SETTLED", internalNotes: "neu", ...change } }), "BAD_USER_INPUT");
      expect(err.fields.map((p) => p.field)).toContain(field);
    }
    expect((await db().select().from(claims).where(eq(claims.id, dbId(target.id))))[0]).toEqual(rowBefore);
    expect(await db().select().from(claimStatusChanges).where(eq(claimStatusChanges.claimId, dbId(target.id)))).toHaveLength(2);
    // The app cannot edit claims.
    await expectApiError(h.app.request(UpdateClaimDocument, { input: { id: target.id, status: "CLOSED" } }), "FORBIDDEN");
  });

  it("G2/G4: internal notes and amounts marked internal never reach the app; staff read them", async () => {
    const target = reported[0]!;
    await firm.adminClient.request(UpdateClaimDocument, {
      input: { id: target.id, internalNotes: "Kunde übertreibt", amountClaimedCents: 50_000, amountClaimedInternal: true, amountPaidCents: 42_000 },
    });
    const { claim: inApp } = await h.app.request(ClaimDocument, { id: target.id });
    expect(inApp).toMatchObject({ internalNotes: null, amountClaimed: null, amountClaimedInternal: null, amountPaid: { cents: 42_000 }, amountPaidInternal: null });
    const listed = (await h.app.request(ClaimsDocument, { first: 100 })).claims.edges.find((e) => e.node.id === target.id)!.node;
    expect(listed).toMatchObject({ internalNotes: null, amountClaimed: null });
    const { claim: staffView } = await claimsStaff.client.request(ClaimDocument, { id: target.id });
    expect(staffView).toMatchObject({ internalNotes: "Kunde übertreibt", amountClaimed: { cents: 50_000 }, amountClaimedInternal: true, amountPaidInternal: false });
  });
});

describe("G3: a new claim alerts the office", () => {
  let firm: Firm;
  beforeAll(async () => {
    firm = await f.buildFirm();
  });

  const notified = async (claimId: string) =>
    (await db().select().from(notifications).where(and(eq(notifications.subjectId, dbId(claimId)), eq(notifications.kind, "CLAIM_REPORTED")))).map((r) => r.staffUserId).sort();

  it("G3: the customer's responsible staff are notified, or every admin when there are none; the notice is emailed after five minutes", async () => {
    const responsible = await staffWith(firm, ["CLAIMS"]);
    const alsoResponsible = await staffWith(firm, ["CHAT", "CLAIMS"]);
    const secondAdmin = await staffWith(firm, [], "ADMIN");
    const withStaff = await household(firm);
    await setResponsible(firm, withStaff.own, [responsible.staff, alsoResponsible.staff]);
    const { claim } = await report(withStaff.app, withStaff.own, { dateOfLoss: "2026-03-07" });
    expect(await notified(claim.id)).toEqual([responsible.staff.id, alsoResponsible.staff.id].sort());

    // Nobody responsible: every admin of the firm (and nobody else).
    const { claim: unassigned } = await report(withStaff.app, withStaff.granted);
    expect(await notified(unassigned.id)).toEqual([firm.admin.id, secondAdmin.staff.id].sort());

    // F4: unread for five minutes, emailed once, to its own user.
    const mailsTo = (email: string) => t.smtp.received.filter((m) => m.to.includes(email.toLowerCase()));
    const before = t.smtp.received.length;
    t.clock.advance(EMAIL_AFTER_MS - 30_000);
    await t.app.worker.runOnce();
    expect(mailsTo(responsible.staff.email)).toHaveLength(0);
    t.clock.advance(31_000);
    const run = await t.app.worker.runOnce();
    expect(run.sent).toBeGreaterThanOrEqual(4);
    await t.smtp.waitFor(before + 4);
    const customerName = `${withStaff.own.firstName} ${withStaff.own.lastName}`;
    for (const staff of [responsible.staff, alsoResponsible.staff]) {
      const mails = mailsTo(staff.email);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe(`Ungelesene Benachrichtigung: Neuer Schaden von ${customerName}`);
      expect(mails[0]!.text).toContain(claim.number);
      expect(mails[0]!.text).toContain("07.03.2026");
    }
    for (const staff of [firm.admin, secondAdmin.staff]) expect(mailsTo(staff.email)).toHaveLength(1);
    t.clock.advance(EMAIL_AFTER_MS);
    await t.app.worker.runOnce();
    expect(mailsTo(responsible.staff.email)).toHaveLength(1);
  });

  it("G3: claimAlert reaches staff with CLAIMS over WebSocket at once, never staff without it nor another firm's", async () => {
    const h = await household(firm);
    const head = await t.headCursor(firm.tenant.id);
    const admin = firm.adminClient.subscribe(ClaimAlertDocument, { after: head });
    const colleague = await staffWith(firm, ["CLAIMS"]);
    const colleagueAlerts = colleague.client.subscribe(ClaimAlertDocument, { after: head });
    const other = await f.buildFirm();
    const foreign = other.adminClient.subscribe(ClaimAlertDocument, { after: await t.headCursor(other.tenant.id) });
    await expectApiError(nextWithin(firm.employeeClient.subscribe(ClaimAlertDocument, {})), "FORBIDDEN");
    await expectApiError(nextWithin(h.app.subscribe(ClaimAlertDocument, {})), "FORBIDDEN");

    const { claim } = await report(h.app, h.own);
    for (const stream of [admin, colleagueAlerts]) {
      const alert = alerted(await nextWithin(stream));
      expect(alert.claim).toEqual({ id: claim.id, number: claim.number, customer: { id: customerId(h.own), name: claim.customer.name } });
      expect(alert.cursor).toEqual(expect.any(String));
    }
    // A staff edit is no new claim: no alert.
    await firm.adminClient.request(UpdateClaimDocument, { input: { id: claim.id, status: "IN_PROGRESS" } });
    await nothingWithin(admin, 300);
    await nothingWithin(foreign, 300);

    // CLAIMS taken from a subscribed user: from the next claim on, it hears nothing (its colleague does);
    // given back, it hears the claims after that, on the same subscription.
    const subscribed = await staffWith(firm, ["CHAT", "CLAIMS"]);
    const stream = subscribed.client.subscribe(ClaimAlertDocument, { after: await t.headCursor(firm.tenant.id) });
    const { claim: seen } = await report(h.app, h.own);
    expect(alerted(await nextWithin(stream)).claim.id).toBe(seen.id);
    expect(alerted(await nextWithin(colleagueAlerts)).claim.id).toBe(seen.id);
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: staffId(subscribed.staff), permissions: ["CHAT"] } });
    const { claim: missed } = await report(h.app, h.granted);
    expect(alerted(await nextWithin(colleagueAlerts)).claim.id).toBe(missed.id);
    await nothingWithin(stream, 300);
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: staffId(subscribed.staff), permissions: ["CHAT", "CLAIMS"] } });
    const { claim: again } = await report(h.app, h.own);
    expect(alerted(await nextWithin(stream)).claim.id).toBe(again.id);
    await nothingWithin(stream, 300);
    await Promise.all([admin.return?.(), colleagueAlerts.return?.(), foreign.return?.(), stream.return?.()]);
  });
});

describe("G4: the customer follows its claim", () => {
  let firm: Firm;
  let h: Awaited<ReturnType<typeof household>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    h = await household(firm);
  });

  it("G4: a status change reaches the connected app at once, with the timeline's dates and without internal notes or amounts", async () => {
    const { claim } = await report(h.app, h.own, { photoFileIds: [await photo(h.app, "png")] });
    const sub = h.app.subscribe(ClaimChangedDocument, { after: await t.headCursor(firm.tenant.id) });
    t.clock.advance(3_600_000);
    const changedAt = t.clock.now();
    await firm.adminClient.request(UpdateClaimDocument, {
      input: { id: claim.id, status: "WITH_INSURER", internalNotes: "Regress prüfen", amountClaimedCents: 250_000, amountClaimedInternal: true, insurerClaimNumber: "AZ-1" },
    });
    const event = changed(await nextWithin(sub));
    expect(event.claim).toMatchObject({
      id: claim.id,
      status: "WITH_INSURER",
      insurerClaimNumber: "AZ-1",
      internalNotes: null,
      amountClaimed: null,
      amountClaimedInternal: null,
    });
    expect(event.claim.timeline.map((s) => [s.from, s.to])).toEqual([
      [null, "REPORTED"],
      ["REPORTED", "WITH_INSURER"],
    ]);
    expect(Date.parse(event.claim.timeline[1]!.changedAt)).toBeGreaterThanOrEqual(changedAt.getTime());
    expect(Date.parse(event.claim.timeline[1]!.changedAt) - Date.parse(event.claim.timeline[0]!.changedAt)).toBeGreaterThanOrEqual(3_600_000);
    // Its photos come along, downloadable with the app's own session.
    expect(event.claim.photos).toHaveLength(1);
    expect((await download(event.claim.photos[0]!.thumbnailUrl)).status).toBe(200);
    expect(JSON.stringify(event)).not.toContain("Regress");

    // A neighbour's claim, another firm's: not for this app.
    const neighbour = await household(firm);
    const { claim: theirs } = await report(neighbour.app, neighbour.own);
    await firm.adminClient.request(UpdateClaimDocument, { input: { id: theirs.id, status: "IN_PROGRESS" } });
    const other = await household(await f.buildFirm());
    await report(other.app, other.own);
    await nothingWithin(sub, 300);
    await sub.return?.();
  });

  it("G4: resuming with `after:` replays the missed changes in order, then goes live; the timeline shows when the insurer got it and when it was settled", async () => {
    const { claim } = await report(h.app, h.granted);
    const sub = h.app.subscribe(ClaimChangedDocument, { after: await t.headCursor(firm.tenant.id) });
    await firm.adminClient.request(UpdateClaimDocument, { input: { id: claim.id, status: "IN_PROGRESS" } });
    const seen = changed(await nextWithin(sub));
    expect(seen.claim.status).toBe("IN_PROGRESS");
    await sub.return?.();
    await h.app.close();

    // While the app is away.
    t.clock.advance(2 * DAY_MS);
    const toInsurer = t.clock.now();
    await firm.adminClient.request(UpdateClaimDocument, { input: { id: claim.id, status: "WITH_INSURER" } });
    await firm.adminClient.request(UpdateClaimDocument, { input: { id: claim.id, internalNotes: "nur intern" } });
    t.clock.advance(10 * DAY_MS);
    const settled = t.clock.now();
    await firm.adminClient.request(UpdateClaimDocument, { input: { id: claim.id, status: "SETTLED", amountPaidCents: 180_050 } });

    const resumed = h.app.subscribe(ClaimChangedDocument, { after: seen.cursor });
    const replayed = [];
    for (let i = 0; i < 3; i++) replayed.push(changed(await nextWithin(resumed)));
    // One event per change, each with the claim as it is now.
    expect(replayed.map((e) => [e.claim.id, e.claim.status, e.claim.internalNotes])).toEqual([
      [claim.id, "SETTLED", null],
      [claim.id, "SETTLED", null],
      [claim.id, "SETTLED", null],
    ]);
    expect(new Set([seen.cursor, ...replayed.map((e) => e.cursor)]).size).toBe(4);
    const timeline = replayed[2]!.claim.timeline;
    expect(timeline.map((s) => s.to)).toEqual(["REPORTED", "IN_PROGRESS", "WITH_INSURER", "SETTLED"]);
    const at = (status: string) => Date.parse(timeline.find((s) => s.to === status)!.changedAt);
    expect(at("WITH_INSURER")).toBeGreaterThanOrEqual(toInsurer.getTime());
    expect(at("WITH_INSURER")).toBeLessThan(toInsurer.getTime() + 60_000);
    expect(at("SETTLED")).toBeGreaterThanOrEqual(settled.getTime());
    expect(replayed[2]!.claim.amountPaid).toMatchObject({ cents: 180_050 });
    await nothingWithin(resumed, 300);

    // Live again.
    await firm.adminClient.request(UpdateClaimDocument, { input: { id: claim.id, status: "CLOSED" } });
    const live = changed(await nextWithin(resumed));
    expect(live.claim.status).toBe("CLOSED");
    await nothingWithin(resumed, 300);
    await resumed.return?.();
  });
});

describe("C5: documents at a claim", () => {
  let firm: Firm;
  let h: Awaited<ReturnType<typeof household>>;
  let responsible: { staff: Staff; client: KundenappClient };
  let cats: Record<string, string>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    h = await household(firm);
    responsible = await staffWith(firm, ["CLAIMS"]);
    await setResponsible(firm, h.own, [responsible.staff]);
    const { documentCategories } = await firm.adminClient.request(DocumentCategoriesDocument, {});
    cats = Object.fromEntries(documentCategories.filter((c) => c.key).map((c) => [c.key!, c.id]));
  });

  async function uploadTo(client: KundenappClient, input: { customerId: string; claimId: string; categoryId?: string; visibleToCustomer?: boolean }, bytes: Buffer = PDF, contentType = "application/pdf") {
    const put = await upload(client, { purpose: "DOCUMENT", bytes, contentType, fileName: "rechnung.pdf" });
    expect(put.status).toBe(200);
    return (await client.request(UploadDocumentDocument, { input: { ...input, fileId: put.fileId } })).uploadDocument.document;
  }

  it("C5: the customer files a document at its claim (Claim.documents), which notifies the customer's responsible staff; staff file one too", async () => {
    const { claim } = await report(h.app, h.own);
    const fromApp = await uploadTo(h.app, { customerId: customerId(h.own), claimId: claim.id });
    expect(fromApp).toMatchObject({ visibleToCustomer: true, source: "CUSTOMER", title: "rechnung.pdf" });
    const [row] = await db().select().from(documents).where(eq(documents.id, dbId(fromApp.id)));
    expect(row).toMatchObject({ claimId: dbId(claim.id), customerId: h.own.id, uploadedByAccountId: h.account.id });
    const notices = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.subjectId, dbId(fromApp.id)), eq(notifications.kind, "DOCUMENT_UPLOADED")));
    expect(notices.map((n) => n.staffUserId)).toEqual([responsible.staff.id]);

    // Staff with CLAIMS file one (a settlement letter), released to the customer, and one they keep.
    const letter = await uploadTo(responsible.client, { customerId: customerId(h.own), claimId: claim.id, categoryId: cats.CLAIM!, visibleToCustomer: true });
    const kept = await uploadTo(responsible.client, { customerId: customerId(h.own), claimId: claim.id, categoryId: cats.CLAIM!, visibleToCustomer: false });
    const { claim: staffView } = await responsible.client.request(ClaimDocument, { id: claim.id });
    expect(staffView.documents.map((d) => d.id)).toEqual([kept.id, letter.id, fromApp.id]);
    const { claim: appView } = await h.app.request(ClaimDocument, { id: claim.id });
    expect(appView.documents.map((d) => d.id)).toEqual([letter.id, fromApp.id]);
    // Served through the signed, session-bound download URLs.
    const got = await download(appView.documents[1]!.downloadUrl);
    expect(got).toMatchObject({ status: 200, contentType: "application/pdf" });
    expect(got.bytes.equals(PDF)).toBe(true);
    // A granted customer without responsible staff: nobody is notified.
    const { claim: grantedClaim } = await report(h.app, h.granted);
    const before = (await db().select().from(notifications).where(eq(notifications.tenantId, firm.tenant.id)).orderBy(notifications.id)).length;
    await uploadTo(h.app, { customerId: customerId(h.granted), claimId: grantedClaim.id }, PNG, "image/png");
    expect(await db().select().from(notifications).where(eq(notifications.tenantId, firm.tenant.id)).orderBy(notifications.id)).toHaveLength(before);
  });

  it("C5: another customer's claim is SAME_CUSTOMER; a neighbour's, another firm's or one staff without CLAIMS may not see is NOT_FOUND; nothing is written", async () => {
    const { claim: grantedClaim } = await report(h.app, h.granted);
    const neighbour = await household(firm);
    const { claim: neighbourClaim } = await report(neighbour.app, neighbour.own);
    const other = await household(await f.buildFirm());
    const { claim: foreignClaim } = await report(other.app, other.own);
    const { claim: ownClaim } = await report(h.app, h.own);
    const put = await upload(h.app, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
    const docsBefore = await db().select().from(documents).where(eq(documents.tenantId, firm.tenant.id)).orderBy(documents.id);
    const noticesBefore = await db().select().from(notifications).where(eq(notifications.tenantId, firm.tenant.id)).orderBy(notifications.id);
    const attempt = (claimId: string) => h.app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: customerId(h.own), claimId } });

    const err = await expectApiError(attempt(grantedClaim.id), "BAD_USER_INPUT");
    expect(err.fields).toEqual([expect.objectContaining({ field: "input.claimId", rule: "SAME_CUSTOMER" })]);
    await expectApiError(attempt(neighbourClaim.id), "NOT_FOUND");
    await expectApiError(attempt(foreignClaim.id), "NOT_FOUND");
    await expectApiError(attempt(gid("Claim", crypto.randomUUID())), "NOT_FOUND");
    // Staff: another firm's claim, and (without CLAIMS) their own firm's.
    const staffPut = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
    await expectApiError(
      firm.employeeClient.request(UploadDocumentDocument, { input: { fileId: staffPut.fileId, customerId: customerId(h.own), claimId: ownClaim.id, categoryId: cats.CLAIM! } }),
      "NOT_FOUND",
    );
    const adminPut = await upload(firm.adminClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
    await expectApiError(
      firm.adminClient.request(UploadDocumentDocument, { input: { fileId: adminPut.fileId, customerId: customerId(h.own), claimId: foreignClaim.id, categoryId: cats.CLAIM! } }),
      "NOT_FOUND",
    );
    expect(await db().select().from(documents).where(eq(documents.tenantId, firm.tenant.id)).orderBy(documents.id)).toEqual(docsBefore);
    expect(await db().select().from(notifications).where(eq(notifications.tenantId, firm.tenant.id)).orderBy(notifications.id)).toEqual(noticesBefore);
    // The right customer with the same file works.
    const ok = await h.app.request(UploadDocumentDocument, { input: { fileId: put.fileId, customerId: customerId(h.granted), claimId: grantedClaim.id } });
    expect(ok.uploadDocument.document.customer.id).toBe(customerId(h.granted));
  });
});

describe("E1: the overview's open claims", () => {
  it("E1: openClaimCount counts the reported, in-progress and with-insurer claims of the customers the account may access", async () => {
    const firm = await f.buildFirm();
    const h = await household(firm);
    const overview = async () => (await h.app.request(OverviewWithClaimsDocument, {})).overview.openClaimCount;
    expect(await overview()).toBe(0);
    const own = [await report(h.app, h.own), await report(h.app, h.own), await report(h.app, h.own), await report(h.app, h.own)].map((r) => r.claim.id);
    const granted = (await report(h.app, h.granted)).claim.id;
    // Not counted: a neighbour's, another firm's.
    const neighbour = await household(firm);
    await report(neighbour.app, neighbour.own);
    const other = await household(await f.buildFirm());
    await report(other.app, other.own);
    expect(await overview()).toBe(5);

    const move = (id: string, status: "IN_PROGRESS" | "WITH_INSURER" | "SETTLED" | "REJECTED" | "CLOSED") => firm.adminClient.request(UpdateClaimDocument, { input: { id, status } });
    await move(own[0]!, "IN_PROGRESS");
    await move(own[1]!, "WITH_INSURER");
    expect(await overview()).toBe(5);
    await move(own[2]!, "SETTLED");
    await move(own[3]!, "REJECTED");
    await move(granted, "CLOSED");
    expect(await overview()).toBe(2);
    // The figure leads to its list.
    expect((await listAll(h.app, { status: ["REPORTED", "IN_PROGRESS", "WITH_INSURER"] })).ids.sort()).toEqual([own[0]!, own[1]!].sort());
    expect((await neighbour.app.request(OverviewWithClaimsDocument, {})).overview.openClaimCount).toBe(1);
    // Staff have no overview.
    await expectApiError(firm.adminClient.request(OverviewWithClaimsDocument, {}), "FORBIDDEN");
  });
});

describe("C3: what an app account sees of claims", () => {
  it("C3: only claims of the customers it may access; after a revoked grant the granted customer's claims, photos and URLs are gone", async () => {
    const firm = await f.buildFirm();
    const h = await household(firm);
    const grantedOwn = await f.appClient(await f.buildAppAccount({ customer: h.granted }));
    const neighbour = await household(firm);
    const other = await household(await f.buildFirm());
    const own = (await report(h.app, h.own)).claim;
    const granted = (await report(h.app, h.granted, { photoFileIds: [await photo(h.app, "heic")] })).claim;
    const byGrantedSelf = (await report(grantedOwn, h.granted)).claim;
    const neighbours = (await report(neighbour.app, neighbour.own, { photoFileIds: [await photo(neighbour.app, "png")] })).claim;
    const foreign = (await report(other.app, other.own)).claim;

    expect((await listAll(h.app)).ids.sort()).toEqual([own.id, granted.id, byGrantedSelf.id].sort());
    // The granted customer's own account sees its claims, including the one reported for it by the household.
    expect((await listAll(grantedOwn)).ids.sort()).toEqual([granted.id, byGrantedSelf.id].sort());
    for (const id of [neighbours.id, foreign.id]) {
      await expectApiError(h.app.request(ClaimDocument, { id }), "NOT_FOUND");
      await expectApiError(h.app.request(NodeDocument, { id }), "NOT_FOUND");
    }
    await expectApiError(h.app.request(ClaimsDocument, { customerId: customerId(neighbour.own) }), "NOT_FOUND");
    expect(neighbours.photos).toHaveLength(1);

    // The photos of the granted customer's claim, as the app got them.
    const urls = [granted.photos[0]!.url, granted.photos[0]!.thumbnailUrl, granted.photos[0]!.originalUrl];
    for (const url of urls) expect((await download(url)).status).toBe(200);
    expect((await h.app.request(OverviewWithClaimsDocument, {})).overview.openClaimCount).toBe(3);

    await firm.employeeClient.request(RevokeCustomerAccessDocument, { input: { appAccountId: gid("AppAccount", h.account.id), customerId: customerId(h.granted) } });
    expect((await listAll(h.app)).ids).toEqual([own.id]);
    for (const id of [granted.id, byGrantedSelf.id]) {
      await expectApiError(h.app.request(ClaimDocument, { id }), "NOT_FOUND");
      await expectApiError(h.app.request(NodeDocument, { id }), "NOT_FOUND");
    }
    for (const url of urls) expect((await download(url)).status).toBe(404);
    expect((await h.app.request(OverviewWithClaimsDocument, {})).overview.openClaimCount).toBe(1);
    await expectApiError(report(h.app, h.granted), "NOT_FOUND");
    // The granted customer's own account is not touched.
    const { claim: still } = await grantedOwn.request(ClaimDocument, { id: granted.id });
    expect((await download(still.photos[0]!.url)).status).toBe(200);
    // Staff with CLAIMS see every claim of the firm, and none of the other.
    expect((await listAll(firm.adminClient)).ids.sort()).toEqual([own.id, granted.id, byGrantedSelf.id, neighbours.id].sort());
  });
});
