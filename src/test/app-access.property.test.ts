/**
 * Rule C3 as a property: an app account sees exactly the released documents, visible contracts, the
 * claims (with their photos) and the open chats (with their messages and attachments) of the customers it
 * may access (its own plus rule-D9 grants of its firm), and nothing of any other customer or firm, nor a
 * contract's staff-only notes or a claim's internal notes; staff see their own firm only, its claims only
 * with the CLAIMS permission and its chats only with the CHAT permission (rule B1).
 *
 * One small world is built once (two firms, customers with released and unreleased documents, visible and
 * staff-only contracts, claims with internal notes and photos, a chat per customer with a message or two,
 * one carrying an attachment, and one archived chat, app accounts, some with household grants). A model
 * keeps who may see what. fast-check then draws sequences of steps: checks (actor, object, operation),
 * each compared with the model, and changes (grant, revoke, release or withdraw a document, show or hide a
 * contract) made through the API, after which the model follows. Photo and attachment download URLs an
 * actor was handed are kept and fetched again later: they work exactly while the model lets the actor see
 * the claim or the document. The model always mirrors the server, so shrinking may replay any subsequence.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { startTestServer, expectApiError, type TestServer } from "./harness.js";
import { factories, upload } from "./factories.js";
import { PDF, PNG } from "./fixtures.js";
import { eq } from "drizzle-orm";
import {
  AppViewerDocument,
  ArchiveChatDocument,
  ChatDocument,
  ChatsDocument,
  ClaimDocument,
  ClaimsDocument,
  ContractDocument,
  ContractsDocument,
  CreateContractDocument,
  CustomerClaimsDocument,
  CustomerContractsDocument,
  CustomerDocument,
  DocumentCategoriesDocument,
  DocumentDownloadDocument,
  DocumentsDocument,
  GrantCustomerAccessDocument,
  InsurersDocument,
  NodeDocument,
  ReportClaimDocument,
  RevokeCustomerAccessDocument,
  SendMessageDocument,
  SetDocumentVisibilityDocument,
  UpdateContractDocument,
  UploadDocumentDocument,
  type KundenappClient,
} from "../sdk/client.js";
import { ApiError } from "../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../graphql/relay.js";
import { claimPhotos, claims as claimTable } from "../modules/claim/claim.table.js";

interface MCustomer {
  gid: string;
  firm: number;
}
interface MDocument {
  gid: string;
  customer: number;
  firm: number;
  visible: boolean;
}
interface MContract {
  gid: string;
  customer: number;
  firm: number;
  visible: boolean;
}
/** A claim: no visibility flag (rule C3: the app sees every claim of its customers); perhaps about a contract. */
interface MClaim {
  gid: string;
  customer: number;
  firm: number;
  contract: number | null;
  photos: string[];
}
/** A message of a chat, with the documents (indexes into `documents`) it carries. */
interface MMessage {
  gid: string;
  attachments: number[];
}
/** A chat: the app sees it only while open (rule C3 with F5); messages in the order sent. */
interface MChat {
  gid: string;
  customer: number;
  firm: number;
  open: boolean;
  messages: MMessage[];
}
interface MAccount {
  gid: string;
  firm: number;
  own: number;
  granted: Set<number>;
}
type Actor =
  | { kind: "app"; account: number; client: KundenappClient; firm: number }
  | { kind: "staff"; client: KundenappClient; firm: number; name: string; claimsPermission: boolean; chatPermission: boolean };
/** A claim photo's or a document's (chat attachment's) download URL an actor was handed, kept to be fetched again after later changes. */
type HeldUrl = { url: string; at: number } & ({ claim: number } | { document: number });

const FIRMS = 2;
/** Per firm an admin and an employee, plus the first firm's clerk. */
const STAFF_ACTORS = FIRMS * 2 + 1;
const CUSTOMERS_PER_FIRM = 4;
const ACCOUNTS_PER_FIRM = 2;

let t: TestServer;
const customers: MCustomer[] = [];
const documents: MDocument[] = [];
const contracts: MContract[] = [];
const claims: MClaim[] = [];
const chats: MChat[] = [];
/** Per actor, by "claim index/URL kind" or "document index": the latest photo or attachment URL it was handed. */
const heldUrls = new Map<number, Map<string, HeldUrl>>();
const accounts: MAccount[] = [];
const actors: Actor[] = [];
/** Per firm, a staff client that makes the changes. */
const staffOf: KundenappClient[] = [];

beforeAll(async () => {
  t = await startTestServer();
  const f = factories(t);
  for (let firmNo = 0; firmNo < FIRMS; firmNo++) {
    const firm = await f.buildFirm();
    staffOf.push(firm.employeeClient);
    // The factory's admin holds CLAIMS and CHAT, its employee CHAT only; the first firm's clerk holds neither
    // (one such user suffices: to them the other firm is foreign anyway).
    actors.push(
      { kind: "staff", client: firm.adminClient, firm: firmNo, name: "admin", claimsPermission: true, chatPermission: true },
      { kind: "staff", client: firm.employeeClient, firm: firmNo, name: "employee", claimsPermission: false, chatPermission: true },
    );
    if (firmNo === 0) {
      const clerk = await f.staffClient(await f.buildStaff({ tenant: firm.tenant }));
      actors.push({ kind: "staff", client: clerk, firm: firmNo, name: "clerk", claimsPermission: false, chatPermission: false });
    }
    const { documentCategories } = await firm.adminClient.request(DocumentCategoriesDocument, {});
    const { insurers } = await firm.adminClient.request(InsurersDocument, {});
    const rows = [];
    for (let i = 0; i < CUSTOMERS_PER_FIRM; i++) {
      const row = await f.buildCustomer({ tenant: firm.tenant, lastName: `Kunde ${firmNo}-${i}` });
      rows.push(row);
      customers.push({ gid: toGlobalId("Customer", row.id), firm: firmNo });
      const customer = customers.length - 1;
      // Customer i has i % 3 + 1 documents; every other one released.
      for (let d = 0; d <= i % 3; d++) {
        const visible = (i + d) % 2 === 0;
        const { fileId } = await upload(firm.employeeClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: `dok-${i}-${d}.pdf` });
        const { uploadDocument } = await firm.employeeClient.request(UploadDocumentDocument, {
          input: { customerId: customers[customer]!.gid, categoryId: documentCategories[d]!.id, fileId, visibleToCustomer: visible },
        });
        documents.push({ gid: uploadDocument.document.id, customer, firm: firmNo, visible });
      }
      // Customer i has i % 2 + 1 contracts, with staff-only notes; the first visible for odd i, the second hidden.
      for (let k = 0; k <= i % 2; k++) {
        const visible = (i + k) % 2 === 1;
        const { createContract } = await firm.employeeClient.request(CreateContractDocument, {
          input: { customerId: customers[customer]!.gid, insurerId: insurers[k]!.id, contractNumber: `V-${firmNo}-${i}-${k}`, notes: "nur intern", visibleToCustomer: visible },
        });
        contracts.push({ gid: createContract.contract.id, customer, firm: firmNo, visible });
      }
    }
    const firstCustomer = customers.length - CUSTOMERS_PER_FIRM;
    const accountRows = [];
    for (let a = 0; a < ACCOUNTS_PER_FIRM; a++) {
      const row = await f.buildAppAccount({ customer: rows[a]! });
      accountRows.push(row);
      accounts.push({ gid: toGlobalId("AppAccount", row.id), firm: firmNo, own: firstCustomer + a, granted: new Set() });
      actors.push({ kind: "app", account: accounts.length - 1, client: await f.appClient(row), firm: firmNo });
    }
    // A household: the firm's first account may also see its last customer.
    const household = accounts[accounts.length - ACCOUNTS_PER_FIRM]!;
    await firm.employeeClient.request(GrantCustomerAccessDocument, { input: { appAccountId: household.gid, customerId: customers[firstCustomer + CUSTOMERS_PER_FIRM - 1]!.gid } });
    household.granted.add(firstCustomer + CUSTOMERS_PER_FIRM - 1);
    await reportClaims(firmNo, firstCustomer, firm.employeeClient, accountRows);
    // Staff-only notes on every claim of the firm: they must never reach the app.
    await t.app.deps.database.db.update(claimTable).set({ internalNotes: "nur intern" }).where(eq(claimTable.tenantId, firm.tenant.id));
  }
});

/**
 * Customer i of a firm reports i % 2 + 1 claims from an app account that may access it (for the customer
 * without one, the firm's first account under a grant made and revoked around it); the second is about the
 * customer's first contract, visible at the start. The first claim of each customer has a photo: for the
 * household customer of the first firm reported through the API (rendered once per run), for the others
 * written to the claim tables as the report would (renditions cost time and are not what this file tests).
 * The same account then writes in the customer's chat (see `writeChat`).
 */
async function reportClaims(firmNo: number, firstCustomer: number, staff: KundenappClient, accountRows: { id: string; tenantId: string }[]): Promise<void> {
  const dateOfLoss = new Date(t.clock.now().getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
  const firmActors = actors.flatMap((a) => (a.kind === "app" && a.firm === firmNo ? [a] : []));
  for (let i = 0; i < CUSTOMERS_PER_FIRM; i++) {
    const customer = firstCustomer + i;
    const customerId = customers[customer]!.gid;
    let reporter = firmActors.find((a) => accounts[a.account]!.own === customer || accounts[a.account]!.granted.has(customer));
    const temporary = reporter ? null : { appAccountId: accounts[firmActors[0]!.account]!.gid, customerId };
    if (temporary) {
      await staff.request(GrantCustomerAccessDocument, { input: temporary });
      reporter = firmActors[0]!;
    }
    const viaApi = firmNo === 0 && i === CUSTOMERS_PER_FIRM - 1;
    for (let k = 0; k <= i % 2; k++) {
      const contract = k === 1 ? contracts.findIndex((x) => x.customer === customer && x.visible) : -1;
      const photoFileIds = viaApi && k === 0 ? [(await upload(reporter!.client, { purpose: "CLAIM_PHOTO", bytes: PNG, contentType: "image/png", fileName: "schaden.png" })).fileId] : [];
      const { reportClaim } = await reporter!.client.request(ReportClaimDocument, {
        input: {
          idempotencyKey: randomUUID(),
          customerId,
          dateOfLoss,
          description: `Schaden ${firmNo}-${i}-${k}`,
          photoFileIds,
          ...(contract >= 0 ? { contractId: contracts[contract]!.gid } : {}),
        },
      });
      const photos = reportClaim.claim.photos.map((p) => p.id);
      if (k === 0 && !viaApi) photos.push(await writePhoto(reportClaim.claim.id, accountRows[reporter!.account % ACCOUNTS_PER_FIRM]!));
      claims.push({ gid: reportClaim.claim.id, customer, firm: firmNo, contract: contract >= 0 ? contract : null, photos });
    }
    await writeChat(firmNo, i, customer, reporter!.client, staff);
    if (temporary) await staff.request(RevokeCustomerAccessDocument, { input: temporary });
  }
}

/**
 * Customer i's open chat, opened by a message from the app (the household customer's with a PDF attachment,
 * which becomes a released document of the customer); for odd i the staff (with CHAT) reply. The first
 * customer of the first firm also has an older chat, archived without a transcript: staff still see it, the
 * app does not.
 */
async function writeChat(firmNo: number, i: number, customer: number, app: KundenappClient, staff: KundenappClient): Promise<void> {
  const customerId = customers[customer]!.gid;
  const say = async (client: KundenappClient, input: { customerId?: string; chatId?: string; body: string; attachmentFileIds?: string[] }) =>
    (await client.request(SendMessageDocument, { input: { clientMessageId: randomUUID(), ...input } })).sendMessage;
  if (firmNo === 0 && i === 0) {
    const old = await say(app, { customerId, body: "Alte Frage" });
    await staff.request(ArchiveChatDocument, { input: { chatId: old.chat.id, storeTranscript: false } });
    chats.push({ gid: old.chat.id, customer, firm: firmNo, open: false, messages: [{ gid: old.message.id, attachments: [] }] });
  }
  const attachmentFileIds = i === CUSTOMERS_PER_FIRM - 1 ? [(await upload(app, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: `anhang-${firmNo}.pdf` })).fileId] : [];
  const sent = await say(app, { customerId, body: `Frage ${firmNo}-${i}`, attachmentFileIds });
  const attachments = sent.message.attachments.map((a) => documents.push({ gid: a.id, customer, firm: firmNo, visible: true }) - 1);
  const chat: MChat = { gid: sent.chat.id, customer, firm: firmNo, open: true, messages: [{ gid: sent.message.id, attachments }] };
  chats.push(chat);
  if (i % 2 === 1) chat.messages.push({ gid: (await say(staff, { chatId: chat.gid, body: `Antwort ${firmNo}-${i}` })).message.id, attachments: [] });
}

/** A claim photo straight in the tables: original, JPEG and thumbnail stored and attached as a report would. */
async function writePhoto(claimGid: string, account: { id: string; tenantId: string }): Promise<string> {
  const store = (fileName: string) =>
    t.app.services.file.storeGenerated({ tenantId: account.tenantId, purpose: "CLAIM_PHOTO", fileName, bytes: PNG, createdByAccountId: account.id });
  const { db } = t.app.deps.database;
  const [original, jpeg, thumbnail] = [await store("foto.png"), await store("foto.jpg"), await store("foto-klein.jpg")];
  for (const file of [original, jpeg, thumbnail]) await t.app.services.file.attachGenerated(db, file);
  const [row] = await db
    .insert(claimPhotos)
    .values({ tenantId: account.tenantId, claimId: fromGlobalId(claimGid)!.id, position: 0, originalFileId: original.id, jpegFileId: jpeg.id, thumbnailFileId: thumbnail.id, width: 1, height: 1 })
    .returning();
  return toGlobalId("ClaimPhoto", row!.id);
}
afterAll(() => t.close());

// ---- The model ----

function maySeeCustomer(actor: Actor, customer: number): boolean {
  const c = customers[customer]!;
  if (actor.kind === "staff") return c.firm === actor.firm;
  const account = accounts[actor.account]!;
  return c.firm === account.firm && (customer === account.own || account.granted.has(customer));
}

function maySeeDocument(actor: Actor, document: number): boolean {
  const d = documents[document]!;
  if (actor.kind === "staff") return d.firm === actor.firm;
  return d.visible && maySeeCustomer(actor, d.customer);
}

function maySeeContract(actor: Actor, contract: number): boolean {
  const c = contracts[contract]!;
  if (actor.kind === "staff") return c.firm === actor.firm;
  return c.visible && maySeeCustomer(actor, c.customer);
}

/** Rules C3 and B1: claims have no visibility flag; staff need the CLAIMS permission. */
function maySeeClaim(actor: Actor, claim: number): boolean {
  const x = claims[claim]!;
  if (actor.kind === "staff") return actor.claimsPermission && x.firm === actor.firm;
  return maySeeCustomer(actor, x.customer);
}

/** A claim as the model expects the actor to read it: its contract only where that is visible, internal notes to staff only. */
function expectClaim(actor: Actor, claim: number, found: { id: string; internalNotes?: string | null; contract?: { id: string } | null; photos: { id: string }[] }, label: string): void {
  const x = claims[claim]!;
  expect(found.id, label).toBe(x.gid);
  expect(found.internalNotes, label).toBe(actor.kind === "app" ? null : "nur intern");
  expect(found.contract?.id ?? null, label).toBe(x.contract !== null && maySeeContract(actor, x.contract) ? contracts[x.contract]!.gid : null);
  expect(found.photos.map((p) => p.id), label).toEqual(x.photos);
}

const claimIndex = (gid: string): number => claims.findIndex((x) => x.gid === gid);

/** Rules C3, F5 and B1: the app sees the open chats of its customers; staff the firm's chats, with the CHAT permission. */
function maySeeChat(actor: Actor, chat: number): boolean {
  const x = chats[chat]!;
  if (actor.kind === "staff") return actor.chatPermission && x.firm === actor.firm;
  return x.open && maySeeCustomer(actor, x.customer);
}

/** Every message, with its chat. */
const allMessages = (): { chat: number; gid: string }[] => chats.flatMap((x, chat) => x.messages.map((m) => ({ chat, gid: m.gid })));

/** A message as the model expects the actor to read it: only the attachments (documents) the actor may see. */
function expectMessage(actor: Actor, chat: number, found: { id: string; attachments: { id: string }[] } | null, label: string): void {
  const m = chats[chat]!.messages.find((x) => x.gid === found?.id);
  expect(m, `${label}: message ${found?.id}`).toBeDefined();
  expect(found!.attachments.map((a) => a.id), label).toEqual(m!.attachments.filter((d) => maySeeDocument(actor, d)).map((d) => documents[d]!.gid));
}

/** Whether a held URL should still download: exactly while the actor may see its claim or document. */
const mayFetch = (actor: Actor, held: HeldUrl): boolean => ("claim" in held ? maySeeClaim(actor, held.claim) : maySeeDocument(actor, held.document));

/** The customers an account may access as the API lists them: its own first, then the granted ones by name. */
function accessList(account: MAccount): string[] {
  return [account.own, ...[...account.granted].sort((x, y) => x - y)].map((c) => customers[c]!.gid);
}

const sorted = (ids: string[]) => [...ids].sort();

// ---- Steps ----

type Check = { type: "check"; actor: number; op: (typeof ops)[number]; object: number };
type Change =
  | { type: "grant" | "revoke"; staff: number; account: number; customer: number }
  | { type: "visibility"; staff: number; document: number; visible: boolean }
  | { type: "contractVisibility"; staff: number; contract: number; visible: boolean };
type Step = Check | Change;

async function runCheck(step: Check): Promise<void> {
  const actor = actors[step.actor]!;
  const c = actor.client;
  const label = `${actor.kind === "app" ? `app account ${actor.account} (firm ${actor.firm})` : `${actor.name} of firm ${actor.firm}`} ${step.op} #${step.object}`;
  switch (step.op) {
    case "nodeCustomer":
    case "customer": {
      const customer = step.object % customers.length;
      const { gid } = customers[customer]!;
      const call = step.op === "customer" ? c.request(CustomerDocument, { id: gid }).then((r) => r.customer.id) : c.request(NodeDocument, { id: gid }).then((r) => r.node.id);
      if (maySeeCustomer(actor, customer)) expect(await call, label).toBe(gid);
      else await expectApiError(call, "NOT_FOUND");
      return;
    }
    case "nodeDocument":
    case "download": {
      const document = step.object % documents.length;
      const { gid } = documents[document]!;
      const call = c.request(DocumentDownloadDocument, { id: gid });
      if (!maySeeDocument(actor, document)) {
        await expectApiError(call, "NOT_FOUND");
        return;
      }
      const { node } = await call;
      expect(node, label).toMatchObject({ id: gid, downloadUrl: expect.any(String) });
      if (step.op === "download" && "downloadUrl" in node) {
        const res = await fetch(node.downloadUrl);
        expect(res.status, label).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(PDF), label).toBe(true);
      }
      return;
    }
    case "documentsOf": {
      const customer = step.object % customers.length;
      const call = c.request(DocumentsDocument, { customerId: customers[customer]!.gid, first: 100 });
      const expected = documents.flatMap((d, i) => (d.customer === customer && maySeeDocument(actor, i) ? [d.gid] : []));
      if (maySeeCustomer(actor, customer)) {
        const { documents: page } = await call;
        expect(sorted(page.edges.map((e) => e.node.id)), label).toEqual(sorted(expected));
        expect(page.totalCount, label).toBe(expected.length);
      } else {
        // Not accessible: NOT_FOUND, or (staff naming another firm's customer) nothing listed.
        const outcome = await call.then(
          (r) => r.documents.edges.map((e) => e.node.id),
          (err: unknown) => (err instanceof ApiError ? err.code : err),
        );
        if (actor.kind === "app") expect(outcome, label).toBe("NOT_FOUND");
        else expect(outcome === "NOT_FOUND" || (Array.isArray(outcome) && outcome.length === 0), `${label}: ${JSON.stringify(outcome)}`).toBe(true);
      }
      return;
    }
    case "documents": {
      const { documents: page } = await c.request(DocumentsDocument, { first: 100 });
      const expected = documents.flatMap((d, i) => (maySeeDocument(actor, i) ? [d.gid] : []));
      expect(sorted(page.edges.map((e) => e.node.id)), label).toEqual(sorted(expected));
      expect(page.totalCount, label).toBe(expected.length);
      if (actor.kind === "app") {
        // Never an unreleased document, never another firm's.
        for (const e of page.edges) {
          expect(e.node.visibleToCustomer, label).toBe(true);
          expect(maySeeCustomer(actor, customers.findIndex((x) => x.gid === e.node.customer.id)), label).toBe(true);
        }
      }
      return;
    }
    case "nodeAccount": {
      // An app account reaches only itself; staff reach their firm's accounts.
      const account = step.object % accounts.length;
      const { gid } = accounts[account]!;
      const call = c.request(NodeDocument, { id: gid }).then((r) => r.node.id);
      const allowed = actor.kind === "app" ? actor.account === account : accounts[account]!.firm === actor.firm;
      if (allowed) expect(await call, label).toBe(gid);
      else await expectApiError(call, "NOT_FOUND");
      return;
    }
    case "contract":
    case "nodeContract": {
      const contract = step.object % contracts.length;
      const { gid } = contracts[contract]!;
      const call = step.op === "contract" ? c.request(ContractDocument, { id: gid }).then((r) => r.contract) : c.request(NodeDocument, { id: gid }).then((r) => r.node);
      if (!maySeeContract(actor, contract)) {
        await expectApiError(call, "NOT_FOUND");
        return;
      }
      const found = await call;
      expect(found.id, label).toBe(gid);
      // Staff-only notes never reach the app.
      if (step.op === "contract" && "notes" in found) expect(found.notes, label).toBe(actor.kind === "app" ? null : "nur intern");
      return;
    }
    case "contracts": {
      const { contracts: page } = await c.request(ContractsDocument, { first: 100 });
      const expected = contracts.flatMap((x, i) => (maySeeContract(actor, i) ? [x.gid] : []));
      expect(sorted(page.edges.map((e) => e.node.id)), label).toEqual(sorted(expected));
      expect(page.totalCount, label).toBe(expected.length);
      if (actor.kind === "app") {
        for (const e of page.edges) expect([e.node.visibleToCustomer, e.node.notes], label).toEqual([true, null]);
      }
      return;
    }
    case "customerContracts": {
      const customer = step.object % customers.length;
      const call = c.request(CustomerContractsDocument, { id: customers[customer]!.gid });
      if (!maySeeCustomer(actor, customer)) {
        await expectApiError(call, "NOT_FOUND");
        return;
      }
      const { customer: found } = await call;
      const expected = contracts.flatMap((x, i) => (x.customer === customer && maySeeContract(actor, i) ? [x.gid] : []));
      expect(sorted(found.contracts.map((x) => x.id)), label).toEqual(sorted(expected));
      if (actor.kind === "app") for (const x of found.contracts) expect(x.notes, label).toBeNull();
      return;
    }
    case "claims": {
      const call = c.request(ClaimsDocument, { first: 100 });
      // Rule B1: staff without CLAIMS are told so, not shown an empty list.
      if (actor.kind === "staff" && !actor.claimsPermission) {
        await expectApiError(call, "FORBIDDEN");
        return;
      }
      const { claims: page } = await call;
      const expected = claims.flatMap((x, i) => (maySeeClaim(actor, i) ? [x.gid] : []));
      expect(sorted(page.edges.map((e) => e.node.id)), label).toEqual(sorted(expected));
      expect(page.totalCount, label).toBe(expected.length);
      for (const e of page.edges) expectClaim(actor, claimIndex(e.node.id), e.node, label);
      return;
    }
    case "claim":
    case "nodeClaim": {
      const claim = step.object % claims.length;
      const { gid } = claims[claim]!;
      if (step.op === "nodeClaim") {
        const call = c.request(NodeDocument, { id: gid }).then((r) => r.node.id);
        // node(id) hides a type the viewer may not read: NOT_FOUND, also for staff without CLAIMS.
        if (maySeeClaim(actor, claim)) expect(await call, label).toBe(gid);
        else await expectApiError(call, "NOT_FOUND");
        return;
      }
      const call = c.request(ClaimDocument, { id: gid });
      if (!maySeeClaim(actor, claim)) {
        await expectApiError(call, actor.kind === "staff" && !actor.claimsPermission ? "FORBIDDEN" : "NOT_FOUND");
        return;
      }
      const { claim: found } = await call;
      expectClaim(actor, claim, found, label);
      // A photo URL handed out now works now, and is kept to be fetched again after later changes.
      const photo = found.photos[0];
      if (photo) {
        const kind = (["url", "thumbnailUrl", "originalUrl"] as const)[Math.floor(step.object / claims.length) % 3]!;
        const res = await fetch(photo[kind]);
        expect(res.status, `${label} ${kind}`).toBe(200);
        expect((await res.arrayBuffer()).byteLength, `${label} ${kind}`).toBeGreaterThan(0);
        hold(step.actor, `${claim}/${kind}`, { claim, url: photo[kind], at: Date.now() });
      }
      return;
    }
    case "customerClaims": {
      const customer = step.object % customers.length;
      const call = c.request(CustomerClaimsDocument, { id: customers[customer]!.gid });
      if (!maySeeCustomer(actor, customer)) {
        await expectApiError(call, "NOT_FOUND");
        return;
      }
      const { customer: found } = await call;
      // Staff without CLAIMS see the customer but none of its claims.
      const expected = claims.flatMap((x, i) => (x.customer === customer && maySeeClaim(actor, i) ? [x.gid] : []));
      expect(sorted(found.claims.map((x) => x.id)), label).toEqual(sorted(expected));
      for (const x of found.claims) expectClaim(actor, claimIndex(x.id), x, label);
      return;
    }
    case "chats": {
      // Staff ask for the open inbox or the archive; the app gets its open chats whatever it asks for.
      const archive = step.object % 2 === 1;
      const call = c.request(ChatsDocument, { first: 100, ...(archive ? { status: "ARCHIVED" as const } : {}) });
      // Rule B1: staff without CHAT are told so, not shown an empty list.
      if (actor.kind === "staff" && !actor.chatPermission) {
        await expectApiError(call, "FORBIDDEN");
        return;
      }
      const { chats: page } = await call;
      const expected = chats.flatMap((x, i) => (maySeeChat(actor, i) && x.open === (actor.kind === "app" || !archive) ? [x.gid] : []));
      expect(sorted(page.edges.map((e) => e.node.id)), label).toEqual(sorted(expected));
      expect(page.totalCount, label).toBe(expected.length);
      for (const { node } of page.edges) {
        const chat = chats.findIndex((x) => x.gid === node.id);
        expect([node.status, node.customer.id], label).toEqual([chats[chat]!.open ? "OPEN" : "ARCHIVED", customers[chats[chat]!.customer]!.gid]);
        expect(node.lastMessage?.id, label).toBe(chats[chat]!.messages.at(-1)!.gid);
        expectMessage(actor, chat, node.lastMessage, label);
      }
      return;
    }
    case "chat": {
      const chat = step.object % chats.length;
      const x = chats[chat]!;
      const call = c.request(ChatDocument, { id: x.gid, first: 20 });
      if (!maySeeChat(actor, chat)) {
        await expectApiError(call, actor.kind === "staff" && !actor.chatPermission ? "FORBIDDEN" : "NOT_FOUND");
        return;
      }
      const { chat: found } = await call;
      expect([found.id, found.status, found.customer.id], label).toEqual([x.gid, x.open ? "OPEN" : "ARCHIVED", customers[x.customer]!.gid]);
      expect(sorted(found.messages.edges.map((e) => e.node.id)), label).toEqual(sorted(x.messages.map((m) => m.gid)));
      for (const e of found.messages.edges) expectMessage(actor, chat, e.node, label);
      // An attachment URL handed out now downloads now, and is kept to be fetched again after later changes.
      for (const e of found.messages.edges) {
        for (const a of e.node.attachments) {
          const res = await fetch(a.downloadUrl);
          expect(res.status, `${label} attachment`).toBe(200);
          expect(Buffer.from(await res.arrayBuffer()).equals(PDF), `${label} attachment`).toBe(true);
          const document = documents.findIndex((d) => d.gid === a.id);
          hold(step.actor, `document ${document}`, { document, url: a.downloadUrl, at: Date.now() });
        }
      }
      return;
    }
    case "nodeChat":
    case "nodeMessage": {
      // node(id) hides a type the viewer may not read: NOT_FOUND, also for staff without CHAT.
      const messages = allMessages();
      const { chat, gid } = step.op === "nodeChat" ? { chat: step.object % chats.length, gid: chats[step.object % chats.length]!.gid } : messages[step.object % messages.length]!;
      const call = c.request(NodeDocument, { id: gid }).then((r) => r.node.id);
      if (maySeeChat(actor, chat)) expect(await call, label).toBe(gid);
      else await expectApiError(call, "NOT_FOUND");
      return;
    }
    case "heldUrls": {
      // Bound to the session and checked again at each download: a URL works exactly while the claim or the
      // document is in the actor's sight (a revoked grant ends it at once: 404, like any unknown link).
      for (const [key, held] of heldUrls.get(step.actor) ?? []) {
        // Past most of its 5 minutes a URL would expire on its own: not what this checks.
        if (Date.now() - held.at > 4 * 60_000) continue;
        const res = await fetch(held.url);
        await res.arrayBuffer();
        expect(res.status, `${label}: ${key}`).toBe(mayFetch(actor, held) ? 200 : 404);
      }
      return;
    }
    case "viewer": {
      const { viewer } = await c.request(AppViewerDocument);
      if (actor.kind === "app") expect(viewer?.customers.map((x) => x.id), label).toEqual(accessList(accounts[actor.account]!));
      else expect(viewer?.customers, label).toEqual([]);
      return;
    }
  }
}

function hold(actor: number, key: string, held: HeldUrl): void {
  const urls = heldUrls.get(actor) ?? new Map<string, HeldUrl>();
  urls.set(key, held);
  heldUrls.set(actor, urls);
}

async function runChange(step: Change): Promise<void> {
  const staffFirm = step.staff % FIRMS;
  const client = staffOf[staffFirm]!;
  if (step.type === "contractVisibility") {
    const x = contracts[step.contract % contracts.length]!;
    const call = client.request(UpdateContractDocument, { input: { id: x.gid, visibleToCustomer: step.visible } });
    if (x.firm !== staffFirm) {
      await expectApiError(call, "NOT_FOUND");
      return;
    }
    expect((await call).updateContract.contract.visibleToCustomer).toBe(step.visible);
    x.visible = step.visible;
    return;
  }
  if (step.type === "visibility") {
    const document = step.document % documents.length;
    const d = documents[document]!;
    const call = client.request(SetDocumentVisibilityDocument, { input: { documentIds: [d.gid], visible: step.visible } });
    if (d.firm !== staffFirm) {
      await expectApiError(call, "NOT_FOUND");
      return;
    }
    await call;
    d.visible = step.visible;
    return;
  }
  const account = accounts[step.account % accounts.length]!;
  const customer = step.customer % customers.length;
  const input = { appAccountId: account.gid, customerId: customers[customer]!.gid };
  const call =
    step.type === "grant"
      ? client.request(GrantCustomerAccessDocument, { input }).then((r) => r.grantCustomerAccess.appAccount)
      : client.request(RevokeCustomerAccessDocument, { input }).then((r) => r.revokeCustomerAccess.appAccount);
  if (account.firm !== staffFirm || customers[customer]!.firm !== staffFirm) {
    await expectApiError(call, "NOT_FOUND");
    return;
  }
  if (customer === account.own) {
    await expectApiError(call, "CONFLICT");
    return;
  }
  const result = await call;
  if (step.type === "grant") account.granted.add(customer);
  else account.granted.delete(customer);
  expect(result.accessibleCustomers.map((x) => x.id)).toEqual(accessList(account));
}

const ops = [
  "nodeCustomer",
  "customer",
  "documentsOf",
  "documents",
  "nodeDocument",
  "download",
  "viewer",
  "nodeAccount",
  "contracts",
  "contract",
  "nodeContract",
  "customerContracts",
  "claims",
  "claim",
  "nodeClaim",
  "customerClaims",
  "chats",
  "chat",
  "nodeChat",
  "nodeMessage",
  "heldUrls",
] as const;
const index = fc.nat({ max: 1_000 });

const check: fc.Arbitrary<Step> = fc.record({
  type: fc.constant("check" as const),
  actor: fc.nat({ max: STAFF_ACTORS + FIRMS * ACCOUNTS_PER_FIRM - 1 }),
  op: fc.constantFrom(...ops),
  object: index,
});
const change: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ type: fc.constantFrom("grant" as const, "revoke" as const), staff: fc.nat({ max: FIRMS - 1 }), account: index, customer: index }),
  fc.record({ type: fc.constant("visibility" as const), staff: fc.nat({ max: FIRMS - 1 }), document: index, visible: fc.boolean() }),
  fc.record({ type: fc.constant("contractVisibility" as const), staff: fc.nat({ max: FIRMS - 1 }), contract: index, visible: fc.boolean() }),
);
const steps = fc.array(fc.oneof({ arbitrary: check, weight: 4 }, { arbitrary: change, weight: 1 }), { minLength: 1, maxLength: 10 });

describe("rule C3: an app account sees exactly what the model allows", () => {
  it("the world is as the model says before any change", async () => {
    expect(actors).toHaveLength(STAFF_ACTORS + FIRMS * ACCOUNTS_PER_FIRM);
    expect(documents.some((d) => d.visible) && documents.some((d) => !d.visible)).toBe(true);
    expect(contracts.some((x) => x.visible) && contracts.some((x) => !x.visible)).toBe(true);
    // Every customer has a claim, the first of each with a photo; some claims are about a contract.
    expect(new Set(claims.map((x) => x.customer)).size).toBe(customers.length);
    expect(claims.filter((x) => x.photos.length)).toHaveLength(customers.length);
    expect(claims.some((x) => x.contract !== null)).toBe(true);
    // Every customer has an open chat, some with a staff reply; one chat is archived; some messages carry an attachment.
    expect(new Set(chats.filter((x) => x.open).map((x) => x.customer)).size).toBe(customers.length);
    expect(chats.filter((x) => !x.open)).toHaveLength(1);
    expect(chats.some((x) => x.messages.length > 1)).toBe(true);
    expect(chats.filter((x) => x.messages.some((m) => m.attachments.length > 0))).toHaveLength(FIRMS);
    // Every actor against every operation on a fixed spread of objects.
    for (let actor = 0; actor < actors.length; actor++) {
      for (const op of ops) await runCheck({ type: "check", actor, op, object: actor * 7 });
    }
  });

  it("a claim photo's and a chat attachment's URLs handed out under a household grant stop working (404) once the grant is revoked", async () => {
    // The first firm's household: its first account, granted its last customer, whose first claim has the
    // photo made through the API and whose chat has a message with an attachment.
    const account = 0;
    const customer = CUSTOMERS_PER_FIRM - 1;
    const claim = claims.findIndex((x) => x.customer === customer && x.photos.length > 0);
    const actor = actors.findIndex((a) => a.kind === "app" && a.account === account);
    const change = (type: "grant" | "revoke") => runChange({ type, staff: 0, account, customer });
    await change("grant");
    // Each of the three URLs (JPEG, thumbnail, original), handed out while the grant holds, downloads.
    for (let kind = 0; kind < 3; kind++) await runCheck({ type: "check", actor, op: "claim", object: claim + kind * claims.length });
    const held = [...heldUrls.get(actor)!.values()].filter((h) => "claim" in h && h.claim === claim);
    expect(held).toHaveLength(3);
    // The chat's attachment URL, handed out while the grant holds, downloads (runCheck fetches it).
    const chat = chats.findIndex((x) => x.customer === customer && x.open);
    const attachment = chats[chat]!.messages.flatMap((m) => m.attachments)[0]!;
    await runCheck({ type: "check", actor, op: "chat", object: chat });
    const heldAttachment = heldUrls.get(actor)!.get(`document ${attachment}`)!;
    expect(heldAttachment).toBeDefined();
    await change("revoke");
    expect(maySeeClaim(actors[actor]!, claim) || maySeeChat(actors[actor]!, chat) || maySeeDocument(actors[actor]!, attachment)).toBe(false);
    for (const h of [...held, heldAttachment]) expect((await fetch(h.url)).status).toBe(404);
    await runCheck({ type: "check", actor, op: "claim", object: claim });
    await runCheck({ type: "check", actor, op: "customerClaims", object: customer });
    await runCheck({ type: "check", actor, op: "chat", object: chat });
    await runCheck({ type: "check", actor, op: "chats", object: 0 });
    await runCheck({ type: "check", actor, op: "nodeChat", object: chat });
    // Granted again, the same URLs (still within their lifetime) follow the grant.
    await change("grant");
    await runCheck({ type: "check", actor, op: "heldUrls", object: 0 });
  });

  it("holds for random (actor, object, operation) checks, chats and messages included, between random grants, revocations, releases and contracts shown or hidden", async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (drawn) => {
        for (const step of drawn) {
          if (step.type === "check") await runCheck(step);
          else await runChange(step);
        }
      }),
      { numRuns: 100 },
    );
    // Afterwards, a full sweep: every actor, every customer and document, against the final model.
    for (let actor = 0; actor < actors.length; actor++) {
      await runCheck({ type: "check", actor, op: "documents", object: 0 });
      await runCheck({ type: "check", actor, op: "viewer", object: 0 });
      await runCheck({ type: "check", actor, op: "contracts", object: 0 });
      await runCheck({ type: "check", actor, op: "claims", object: 0 });
      await runCheck({ type: "check", actor, op: "heldUrls", object: 0 });
      await runCheck({ type: "check", actor, op: "chats", object: 0 });
      await runCheck({ type: "check", actor, op: "chats", object: 1 });
      for (let customer = 0; customer < customers.length; customer++) await runCheck({ type: "check", actor, op: "customer", object: customer });
      for (let document = 0; document < documents.length; document++) await runCheck({ type: "check", actor, op: "nodeDocument", object: document });
      for (let contract = 0; contract < contracts.length; contract++) await runCheck({ type: "check", actor, op: "contract", object: contract });
      for (let claim = 0; claim < claims.length; claim++) await runCheck({ type: "check", actor, op: "claim", object: claim });
      // What staff may read of chats no step changes; the app's chats follow its grants and released attachments.
      if (actors[actor]!.kind === "app") for (let chat = 0; chat < chats.length; chat++) await runCheck({ type: "check", actor, op: "chat", object: chat });
    }
  });
});
