/**
 * Rule C3 as a property: an app account sees exactly the released documents of the customers it may
 * access (its own plus rule-D9 grants of its firm), and nothing of any other customer or firm; staff see
 * their own firm only.
 *
 * One small world is built once (two firms, customers with released and unreleased documents, app
 * accounts, some with household grants). A model keeps who may see what. fast-check then draws
 * sequences of steps: checks (actor, object, operation), each compared with the model, and changes
 * (grant, revoke, release or withdraw a document) made through the API, after which the model follows.
 * The model always mirrors the server, so shrinking may replay any subsequence.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { startTestServer, expectApiError, type TestServer } from "./harness.js";
import { factories, upload } from "./factories.js";
import { PDF } from "./fixtures.js";
import {
  AppViewerDocument,
  CustomerDocument,
  DocumentCategoriesDocument,
  DocumentDownloadDocument,
  DocumentsDocument,
  GrantCustomerAccessDocument,
  NodeDocument,
  RevokeCustomerAccessDocument,
  SetDocumentVisibilityDocument,
  UploadDocumentDocument,
  type KundenappClient,
} from "../sdk/client.js";
import { ApiError } from "../sdk/client.js";
import { toGlobalId } from "../graphql/relay.js";

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
interface MAccount {
  gid: string;
  firm: number;
  own: number;
  granted: Set<number>;
}
type Actor = { kind: "app"; account: number; client: KundenappClient; firm: number } | { kind: "staff"; client: KundenappClient; firm: number; name: string };

const FIRMS = 2;
const CUSTOMERS_PER_FIRM = 4;
const ACCOUNTS_PER_FIRM = 2;

let t: TestServer;
const customers: MCustomer[] = [];
const documents: MDocument[] = [];
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
    actors.push({ kind: "staff", client: firm.adminClient, firm: firmNo, name: "admin" }, { kind: "staff", client: firm.employeeClient, firm: firmNo, name: "employee" });
    const { documentCategories } = await firm.adminClient.request(DocumentCategoriesDocument, {});
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
    }
    const firstCustomer = customers.length - CUSTOMERS_PER_FIRM;
    for (let a = 0; a < ACCOUNTS_PER_FIRM; a++) {
      const row = await f.buildAppAccount({ customer: rows[a]! });
      accounts.push({ gid: toGlobalId("AppAccount", row.id), firm: firmNo, own: firstCustomer + a, granted: new Set() });
      actors.push({ kind: "app", account: accounts.length - 1, client: await f.appClient(row), firm: firmNo });
    }
    // A household: the firm's first account may also see its last customer.
    const household = accounts[accounts.length - ACCOUNTS_PER_FIRM]!;
    await firm.employeeClient.request(GrantCustomerAccessDocument, { input: { appAccountId: household.gid, customerId: customers[firstCustomer + CUSTOMERS_PER_FIRM - 1]!.gid } });
    household.granted.add(firstCustomer + CUSTOMERS_PER_FIRM - 1);
  }
});
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

/** The customers an account may access as the API lists them: its own first, then the granted ones by name. */
function accessList(account: MAccount): string[] {
  return [account.own, ...[...account.granted].sort((x, y) => x - y)].map((c) => customers[c]!.gid);
}

const sorted = (ids: string[]) => [...ids].sort();

// ---- Steps ----

type Check = { type: "check"; actor: number; op: "nodeCustomer" | "customer" | "documentsOf" | "documents" | "nodeDocument" | "download" | "viewer" | "nodeAccount"; object: number };
type Change =
  | { type: "grant" | "revoke"; staff: number; account: number; customer: number }
  | { type: "visibility"; staff: number; document: number; visible: boolean };
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
    case "viewer": {
      const { viewer } = await c.request(AppViewerDocument);
      if (actor.kind === "app") expect(viewer?.customers.map((x) => x.id), label).toEqual(accessList(accounts[actor.account]!));
      else expect(viewer?.customers, label).toEqual([]);
      return;
    }
  }
}

async function runChange(step: Change): Promise<void> {
  const staffFirm = step.staff % FIRMS;
  const client = staffOf[staffFirm]!;
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

const ops = ["nodeCustomer", "customer", "documentsOf", "documents", "nodeDocument", "download", "viewer", "nodeAccount"] as const;
const index = fc.nat({ max: 1_000 });

const check: fc.Arbitrary<Step> = fc.record({
  type: fc.constant("check" as const),
  actor: fc.nat({ max: FIRMS * (2 + ACCOUNTS_PER_FIRM) - 1 }),
  op: fc.constantFrom(...ops),
  object: index,
});
const change: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ type: fc.constantFrom("grant" as const, "revoke" as const), staff: fc.nat({ max: FIRMS - 1 }), account: index, customer: index }),
  fc.record({ type: fc.constant("visibility" as const), staff: fc.nat({ max: FIRMS - 1 }), document: index, visible: fc.boolean() }),
);
const steps = fc.array(fc.oneof({ arbitrary: check, weight: 4 }, { arbitrary: change, weight: 1 }), { minLength: 1, maxLength: 10 });

describe("rule C3: an app account sees exactly what the model allows", () => {
  it("the world is as the model says before any change", async () => {
    expect(actors).toHaveLength(FIRMS * (2 + ACCOUNTS_PER_FIRM));
    expect(documents.some((d) => d.visible) && documents.some((d) => !d.visible)).toBe(true);
    // Every actor against every operation on a fixed spread of objects.
    for (let actor = 0; actor < actors.length; actor++) {
      for (const op of ops) await runCheck({ type: "check", actor, op, object: actor * 7 });
    }
  });

  it("holds for random (actor, object, operation) checks between random grants, revocations and releases", async () => {
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
      for (let customer = 0; customer < customers.length; customer++) await runCheck({ type: "check", actor, op: "customer", object: customer });
      for (let document = 0; document < documents.length; document++) await runCheck({ type: "check", actor, op: "nodeDocument", object: document });
    }
  });
});
