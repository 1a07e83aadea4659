/**
 * Who may call the claim module's operations, and what of another firm or customer they must not reach: claims, their
 * photos and their events (rules B1, C3, G1-G4; run by src/test/isolation.test.ts). Working with claims needs the
 * CLAIMS permission; app accounts see the claims of the customers they may access.
 */
import crypto from "node:crypto";
import { expect } from "vitest";
import { eq, inArray } from "drizzle-orm";
import {
  ClaimAlertDocument,
  ClaimChangedDocument,
  ClaimDocument,
  ClaimsDocument,
  GrantCustomerAccessDocument,
  NodeDocument,
  ReportClaimDocument,
  RevokeCustomerAccessDocument,
  UpdateClaimDocument,
  UploadDocumentDocument,
  type KundenappClient,
  type ReportClaimInput,
} from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { upload } from "../../test/factories.js";
import { PDF } from "../../test/fixtures.js";
import { uniqueName, type AccessWorld, type Firm, type ForeignEvent, type ModuleAccess, type Subscriber } from "../../test/access-registry.js";
import { nextWithin } from "../../test/realtime.js";
import { claimPhotos, claims } from "./claim.table.js";

const gid = (type: string, id: string) => toGlobalId(type, id);
const lastWeek = () => new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);

/** reportClaim for a customer (global ID) as the app sends it: a fresh idempotency key; returns the claim's global ID. */
async function report(c: KundenappClient, customerId: string, extra: Partial<ReportClaimInput> = {}): Promise<string> {
  const { reportClaim } = await c.request(ReportClaimDocument, {
    input: { idempotencyKey: crypto.randomUUID(), customerId, dateOfLoss: lastWeek(), description: uniqueName("Iso-Schaden"), ...extra },
  });
  return reportClaim.claim.id;
}

/** Uploads a PDF with the caller and files it at a claim of firm `own`'s `customer` (rule C5). */
async function uploadToClaim(c: KundenappClient, own: Firm, w: AccessWorld, claimId: string) {
  const { fileId } = await upload(c, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
  return c.request(UploadDocumentDocument, {
    input: { fileId, customerId: gid("Customer", w.of(own).customer), categoryId: gid("DocumentCategory", w.of(own).category), claimId },
  });
}

/** Global IDs of claims, or of their photos: all of a firm's, or those of some customers (what their app account may see). */
async function claimsOfFirm(firmId: string, w: AccessWorld): Promise<string[]> {
  return (await w.db().select({ id: claims.id }).from(claims).where(eq(claims.tenantId, firmId))).map((r) => gid("Claim", r.id));
}
async function claimsOfCustomers(customerIds: string[], w: AccessWorld): Promise<string[]> {
  if (!customerIds.length) return [];
  return (await w.db().select({ id: claims.id }).from(claims).where(inArray(claims.customerId, customerIds))).map((r) => gid("Claim", r.id));
}
async function photosOfFirm(firmId: string, w: AccessWorld): Promise<string[]> {
  return (await w.db().select({ id: claimPhotos.id }).from(claimPhotos).where(eq(claimPhotos.tenantId, firmId))).map((r) => gid("ClaimPhoto", r.id));
}
async function photosOfCustomers(customerIds: string[], w: AccessWorld): Promise<string[]> {
  if (!customerIds.length) return [];
  const rows = await w
    .db()
    .select({ id: claimPhotos.id })
    .from(claimPhotos)
    .innerJoin(claims, eq(claims.id, claimPhotos.claimId))
    .where(inArray(claims.customerId, customerIds));
  return rows.map((r) => gid("ClaimPhoto", r.id));
}

/** A fresh customer of the firm with a logged-in app account of its own. */
async function customerWithApp(w: AccessWorld, firm: Firm) {
  const customer = await w.f.buildCustomer({ tenant: firm.tenant });
  const account = await w.f.appClient(await w.f.buildAppAccount({ customer }));
  return { customer, account, customerId: gid("Customer", customer.id) };
}

/** Opens a claim stream from the start of the log with the given login; each event reads as its claim's global ID. */
function claimStream(client: KundenappClient, topic: "claimAlert" | "claimChanged", raiseOwn: () => Promise<string>): Subscriber {
  const stream: AsyncIterator<{ claimAlert?: { claim: { id: string } }; claimChanged?: { claim: { id: string } } }> =
    topic === "claimAlert" ? client.subscribe(ClaimAlertDocument, { after: "0" }) : client.subscribe(ClaimChangedDocument, { after: "0" });
  return {
    next: async () => {
      const r = await nextWithin(stream);
      return r.done ? "(stream ended)" : (r.value.claimAlert ?? r.value.claimChanged)!.claim.id;
    },
    raiseOwn,
    close: async () => {
      await stream.return?.();
      await client.close();
    },
  };
}

/** A new claim of firm B (a fresh customer of B reports it): the foreign event of every stream. */
async function foreignClaim(w: AccessWorld): Promise<void> {
  const stranger = await customerWithApp(w, w.b);
  await report(stranger.account, stranger.customerId);
}

/**
 * Rules G3 and B1 for staff: a fresh firm's staff user holding CLAIMS hears of the firm's claims (a new one for the
 * alert; any change for claimChanged), never of another firm's.
 */
function openForStaff(topic: "claimAlert" | "claimChanged") {
  return async (w: AccessWorld) => {
    const firm = await w.f.buildFirm();
    const reporter = await customerWithApp(w, firm);
    const staff = await w.f.staffClient(await w.f.buildStaff({ tenant: firm.tenant, permissions: ["CLAIMS"] }));
    const subscriber = claimStream(staff, topic, () => report(reporter.account, reporter.customerId));
    return { subscriber, raiseForeign: () => foreignClaim(w) };
  };
}

/**
 * Rules C3/G4: an app account hears of its customers' claims only. A fresh account of a fresh customer of firm A
 * subscribes (no history); its own event is a claim it reports.
 */
async function openForApp(w: AccessWorld, foreign: ForeignEvent) {
  const { a } = w;
  const own = await w.f.buildCustomer({ tenant: a.tenant });
  const account = await w.f.buildAppAccount({ customer: own });
  const client = await w.f.appClient(account);
  const subscriber = claimStream(client, "claimChanged", () => report(client, gid("Customer", own.id)));
  const household = async (grant: boolean, customerId: string) => {
    const input = { appAccountId: gid("AppAccount", account.id), customerId: gid("Customer", customerId) };
    if (grant) await a.employeeClient.request(GrantCustomerAccessDocument, { input });
    else await a.employeeClient.request(RevokeCustomerAccessDocument, { input });
  };
  const raiseForeign = async () => {
    if (foreign === "another firm") return foreignClaim(w);
    // The office works on another customer's claim.
    if (foreign === "another customer") return void (await a.adminClient.request(UpdateClaimDocument, { input: { id: gid("Claim", w.of(a).otherClaim), internalNotes: uniqueName("Notiz") } }));
    // Revoked household grant: while granted, the household's claim reaches it (its own event); once revoked, its changes no more.
    const member = await w.f.buildCustomer({ tenant: a.tenant });
    await household(true, member.id);
    const whileGranted = await report(client, gid("Customer", member.id));
    expect(await subscriber.next()).toBe(whileGranted);
    await household(false, member.id);
    await a.adminClient.request(UpdateClaimDocument, { input: { id: whileGranted, status: "IN_PROGRESS" } });
  };
  return { subscriber, raiseForeign };
}

export const claimAccess: ModuleAccess = {
  operations: [
    { name: "claims", access: "staff", permission: "CLAIMS", app: "ok", call: (c) => c.request(ClaimsDocument, { first: 10 }) },
    { name: "claim", access: "staff", permission: "CLAIMS", app: "ok", call: (c, own, w) => c.request(ClaimDocument, { id: gid("Claim", w.of(own).claim) }) },
    {
      name: "claim(another customer)",
      access: "staff",
      permission: "CLAIMS",
      app: "hidden",
      call: (c, own, w) => c.request(ClaimDocument, { id: gid("Claim", w.of(own).otherClaim) }),
    },
    // node(id) answers NOT_FOUND, not FORBIDDEN, for a type the viewer may not read: no permission row.
    { name: "node(Claim)", access: "staff", app: "ok", call: (c, own, w) => c.request(NodeDocument, { id: gid("Claim", w.of(own).claim) }) },
    { name: "node(Claim of another customer)", access: "staff", app: "hidden", call: (c, own, w) => c.request(NodeDocument, { id: gid("Claim", w.of(own).otherClaim) }) },
    { name: "reportClaim", access: "app", app: "ok", call: (c, own, w) => report(c, gid("Customer", w.of(own).customer)) },
    { name: "reportClaim(another customer)", access: "app", app: "hidden", call: (c, own, w) => report(c, gid("Customer", w.of(own).other)) },
    {
      name: "updateClaim",
      access: "staff",
      permission: "CLAIMS",
      call: (c, own, w) => c.request(UpdateClaimDocument, { input: { id: gid("Claim", w.of(own).claim), internalNotes: uniqueName("Notiz") } }),
    },
    // Rule C5: documents at a claim the uploader sees (staff without CLAIMS see none: NOT_FOUND).
    { name: "uploadDocument(claim)", access: "staff", app: "ok", call: (c, own, w) => uploadToClaim(c, own, w, gid("Claim", w.of(own).claim)) },
    { name: "uploadDocument(another customer's claim)", access: "staff", app: "hidden", call: (c, own, w) => uploadToClaim(c, own, w, gid("Claim", w.of(own).otherClaim)) },
  ],
  byId: [
    { name: "node(id) of a Claim", argument: "node.id", type: "Claim", objectOf: (firm, w) => w.of(firm).claim, call: (c, id) => c.request(NodeDocument, { id }) },
    { name: "claim", argument: "claim.id", type: "Claim", objectOf: (firm, w) => w.of(firm).claim, call: (c, id) => c.request(ClaimDocument, { id }) },
    {
      name: "claims (customer)",
      argument: "claims.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).customer,
      call: (c, id) => c.request(ClaimsDocument, { first: 100, customerId: id }),
    },
    {
      name: "claims (contract)",
      argument: "claims.contractId",
      type: "Contract",
      objectOf: (firm, w) => w.of(firm).contract,
      call: (c, id) => c.request(ClaimsDocument, { first: 100, contractId: id }),
    },
    {
      // The admin is responsible for the firm's `other` customer (which no row changes), who reported `otherClaim`.
      name: "claims (responsible staff filter)",
      argument: "claims.responsibleStaffId",
      type: "StaffUser",
      objectOf: (firm) => firm.admin.id,
      call: async (c, id) => (await c.request(ClaimsDocument, { first: 100, responsibleStaffId: id })).claims.edges.map((e) => e.node.id),
      filter: true,
    },
    {
      name: "updateClaim",
      argument: "updateClaim.input.id",
      type: "Claim",
      objectOf: (firm, w) => w.of(firm).claim,
      call: (c, id) => c.request(UpdateClaimDocument, { input: { id, insurerClaimNumber: "ISO-1" } }),
    },
    // Only app accounts report claims: firm A's app account asks, for firm B's object, none, and one of its own.
    { name: "reportClaim (customer)", argument: "reportClaim.input.customerId", type: "Customer", objectOf: (firm, w) => w.of(firm).customer, call: (c, id) => report(c, id), as: "app" },
    {
      name: "reportClaim (contract)",
      argument: "reportClaim.input.contractId",
      type: "Contract",
      objectOf: (firm, w) => w.of(firm).contract,
      call: (c, id, w) => report(c, gid("Customer", w.of(w.a).customer), { contractId: id }),
      as: "app",
    },
    {
      name: "reportClaim (photo)",
      argument: "reportClaim.input.photoFileIds",
      type: "File",
      objectOf: (firm, w) => w.of(firm).claimPhoto,
      call: (c, id, w) => report(c, gid("Customer", w.of(w.a).customer), { photoFileIds: [id] }),
      as: "app",
    },
  ],
  lists: [
    {
      name: "claims",
      permission: "CLAIMS",
      listed: async (c) => (await c.request(ClaimsDocument, { first: 100 })).claims.edges.map((e) => e.node.id),
      rowsOf: claimsOfFirm,
      app: { rowsOfCustomers: claimsOfCustomers },
    },
    {
      name: "Claim.photos",
      permission: "CLAIMS",
      listed: async (c) => (await c.request(ClaimsDocument, { first: 100 })).claims.edges.flatMap((e) => e.node.photos.map((p) => p.id)),
      rowsOf: photosOfFirm,
      app: { rowsOfCustomers: photosOfCustomers },
    },
  ],
  subscriptions: [
    {
      name: "claimAlert",
      audience: "staff",
      cases: ["another firm"],
      subscribeOnce: (c) => nextWithin(c.subscribe(ClaimAlertDocument, {})),
      open: openForStaff("claimAlert"),
    },
    {
      name: "claimChanged(app)",
      audience: "app",
      cases: ["another firm", "another customer", "a revoked household grant"],
      subscribeOnce: (c) => nextWithin(c.subscribe(ClaimChangedDocument, {})),
      open: openForApp,
    },
    {
      name: "claimChanged(staff)",
      audience: "staff",
      cases: ["another firm"],
      subscribeOnce: (c) => nextWithin(c.subscribe(ClaimChangedDocument, {})),
      open: openForStaff("claimChanged"),
    },
  ],
  open: [],
  pending: [],
};
