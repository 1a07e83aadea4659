/**
 * Who may call the contract module's operations, and what of another firm or customer they must not reach, nor an
 * app account a contract hidden from its customer (rules C3, E0-E5; run by src/test/isolation.test.ts).
 */
import { expect } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import {
  AcceptOfferDocument,
  ContractChangedDocument,
  ContractDocument,
  ContractsDocument,
  CreateContractDocument,
  CreateInsurerDocument,
  CreateRiskDocument,
  CustomerContractsDocument,
  GrantCustomerAccessDocument,
  InsurersDocument,
  NodeDocument,
  OverviewDocument,
  RevokeCustomerAccessDocument,
  UpdateContractDocument,
  UploadDocumentDocument,
  type KundenappClient,
} from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { upload } from "../../test/factories.js";
import { PDF } from "../../test/fixtures.js";
import { uniqueName, type AccessWorld, type Firm, type ForeignEvent, type ModuleAccess, type Subscriber } from "../../test/access-registry.js";
import { nextWithin } from "../../test/realtime.js";
import { contracts, insurers, risks } from "./contract.table.js";

const gid = (type: string, id: string) => toGlobalId(type, id);

/** A new contract of a customer of firm `own` (ids as global IDs), made by the caller: what the app may send, and no more. */
function addContract(c: KundenappClient, own: Firm, w: AccessWorld, customerId: string, extra: { documentFileId?: string } = {}) {
  return c.request(CreateContractDocument, {
    input: { customerId, insurerId: gid("Insurer", w.of(own).insurer), contractNumber: uniqueName("ISO"), ...extra },
  });
}

/** Uploads a PDF with the caller and files it at a contract of firm `own`'s customer (rule C5). */
async function uploadToContract(c: KundenappClient, own: Firm, w: AccessWorld, contractId: string) {
  const { fileId } = await upload(c, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" });
  return c.request(UploadDocumentDocument, {
    input: { fileId, customerId: gid("Customer", w.of(own).customer), categoryId: gid("DocumentCategory", w.of(own).category), contractId },
  });
}

/** Global IDs of contracts: all of a firm's, or the visible ones of some customers (what an app account of theirs may list). */
async function contractsOfFirm(firmId: string, w: AccessWorld): Promise<string[]> {
  return (await w.db().select({ id: contracts.id }).from(contracts).where(eq(contracts.tenantId, firmId))).map((r) => gid("Contract", r.id));
}
async function visibleContractsOf(customerIds: string[], w: AccessWorld): Promise<string[]> {
  if (!customerIds.length) return [];
  const rows = await w
    .db()
    .select({ id: contracts.id })
    .from(contracts)
    .where(and(inArray(contracts.customerId, customerIds), eq(contracts.visibleToCustomer, true)));
  return rows.map((r) => gid("Contract", r.id));
}

/** Opens `contractChanged` from the start of the log with a fresh login; each event reads as its contract's number. */
function contractStream(client: KundenappClient, raiseOwn: () => Promise<string>): Subscriber {
  const stream = client.subscribe(ContractChangedDocument, { after: "0" });
  return {
    next: async () => {
      const r = await nextWithin(stream);
      return r.done ? "(stream ended)" : r.value.contractChanged.contract.contractNumber;
    },
    raiseOwn,
    close: async () => {
      await stream.return?.();
      await client.close();
    },
  };
}

/** A contract made by `firm`'s admin for one of its customers (raw id); returns its number, what the subscriber reads. */
async function staffAdds(w: AccessWorld, firm: Firm, customerId: string, visibleToCustomer: boolean) {
  const contractNumber = uniqueName("LIVE");
  await firm.adminClient.request(CreateContractDocument, {
    input: { customerId: gid("Customer", customerId), insurerId: gid("Insurer", w.of(firm).insurer), contractNumber, visibleToCustomer },
  });
  return contractNumber;
}

/**
 * Rules C3/E4: an app account hears of its customers' visible contracts only. A fresh account of a fresh customer of
 * firm A subscribes (no history); its own event is a visible contract the firm adds for its customer.
 */
async function openForApp(w: AccessWorld, foreign: ForeignEvent) {
  const { a, b, f } = w;
  const own = await f.buildCustomer({ tenant: a.tenant });
  const account = await f.buildAppAccount({ customer: own });
  const subscriber = contractStream(await f.appClient(account), () => staffAdds(w, a, own.id, true));
  const household = async (grant: boolean, customerId: string) => {
    const input = { appAccountId: gid("AppAccount", account.id), customerId: gid("Customer", customerId) };
    if (grant) await a.employeeClient.request(GrantCustomerAccessDocument, { input });
    else await a.employeeClient.request(RevokeCustomerAccessDocument, { input });
  };
  const raiseForeign = async () => {
    if (foreign === "another firm") return void (await staffAdds(w, b, w.of(b).customer, true));
    if (foreign === "another customer") return void (await staffAdds(w, a, w.of(a).other, true));
    // Rule C3: a contract of its own customer that staff keep to themselves.
    if (foreign === "an object hidden from the customer") return void (await staffAdds(w, a, own.id, false));
    // Revoked household grant: while granted, the household's contract reaches it (its own event); once revoked, no more.
    const member = await f.buildCustomer({ tenant: a.tenant });
    await household(true, member.id);
    const whileGranted = await staffAdds(w, a, member.id, true);
    expect(await subscriber.next()).toBe(whileGranted);
    await household(false, member.id);
    await staffAdds(w, a, member.id, true);
  };
  return { subscriber, raiseForeign };
}

/** Rule E4 for staff: every change of the firm's contracts, none of another firm's. A fresh firm subscribes (no history). */
async function openForStaff(w: AccessWorld) {
  const firm = await w.f.buildFirm();
  const customer = await w.f.buildCustomer({ tenant: firm.tenant });
  const { insurers: list } = await firm.adminClient.request(InsurersDocument, {});
  const subscriber = contractStream(await w.f.staffClient(firm.employee), async () => {
    const contractNumber = uniqueName("LIVE");
    await firm.adminClient.request(CreateContractDocument, { input: { customerId: gid("Customer", customer.id), insurerId: list[0]!.id, contractNumber } });
    return contractNumber;
  });
  return { subscriber, raiseForeign: async () => void (await staffAdds(w, w.b, w.of(w.b).customer, true)) };
}

export const contractAccess: ModuleAccess = {
  operations: [
    { name: "contracts", access: "staff", app: "ok", call: (c) => c.request(ContractsDocument, { first: 10 }) },
    { name: "contract", access: "staff", app: "ok", call: (c, own, w) => c.request(ContractDocument, { id: gid("Contract", w.of(own).contract) }) },
    { name: "contract(hidden)", access: "staff", app: "hidden", call: (c, own, w) => c.request(ContractDocument, { id: gid("Contract", w.of(own).hiddenContract) }) },
    { name: "contract(another customer)", access: "staff", app: "hidden", call: (c, own, w) => c.request(ContractDocument, { id: gid("Contract", w.of(own).otherContract) }) },
    { name: "node(Contract)", access: "staff", app: "ok", call: (c, own, w) => c.request(NodeDocument, { id: gid("Contract", w.of(own).contract) }) },
    { name: "node(Contract, hidden)", access: "staff", app: "hidden", call: (c, own, w) => c.request(NodeDocument, { id: gid("Contract", w.of(own).hiddenContract) }) },
    { name: "node(Contract of another customer)", access: "staff", app: "hidden", call: (c, own, w) => c.request(NodeDocument, { id: gid("Contract", w.of(own).otherContract) }) },
    { name: "node(Insurer)", access: "staff", app: "ok", call: (c, own, w) => c.request(NodeDocument, { id: gid("Insurer", w.of(own).insurer) }) },
    { name: "node(Risk)", access: "staff", app: "ok", call: (c, own, w) => c.request(NodeDocument, { id: gid("Risk", w.of(own).risk) }) },
    { name: "node(Risk of another customer)", access: "staff", app: "hidden", call: (c, own, w) => c.request(NodeDocument, { id: gid("Risk", w.of(own).otherRisk) }) },
    { name: "insurers", access: "staff", app: "ok", call: (c) => c.request(InsurersDocument, {}) },
    { name: "overview", access: "app", app: "ok", call: (c) => c.request(OverviewDocument, {}) },
    { name: "createContract", access: "staff", app: "ok", call: (c, own, w) => addContract(c, own, w, gid("Customer", w.of(own).customer)) },
    { name: "createContract(another customer)", access: "staff", app: "hidden", call: (c, own, w) => addContract(c, own, w, gid("Customer", w.of(own).other)) },
    {
      name: "updateContract",
      access: "staff",
      call: (c, own, w) => c.request(UpdateContractDocument, { input: { id: gid("Contract", w.of(own).contract), notes: uniqueName("Notiz") } }),
    },
    { name: "acceptOffer", access: "app", app: "ok", call: (c, own, w) => c.request(AcceptOfferDocument, { input: { contractId: gid("Contract", w.of(own).offers[1]) } }) },
    { name: "acceptOffer(hidden)", access: "app", app: "hidden", call: (c, own, w) => c.request(AcceptOfferDocument, { input: { contractId: gid("Contract", w.of(own).hiddenContract) } }) },
    {
      name: "acceptOffer(another customer)",
      access: "app",
      app: "hidden",
      call: (c, own, w) => c.request(AcceptOfferDocument, { input: { contractId: gid("Contract", w.of(own).otherContract) } }),
    },
    { name: "createInsurer", access: "admin", call: (c) => c.request(CreateInsurerDocument, { input: { name: uniqueName("Iso Versicherung") } }) },
    {
      name: "createRisk",
      access: "staff",
      call: (c, own, w) => c.request(CreateRiskDocument, { input: { customerId: gid("Customer", w.of(own).customer), kind: "OTHER", description: "Fahrrad" } }),
    },
    // Rule C5: the app files a document at a contract it sees; one hidden from its customer is NOT_FOUND.
    { name: "uploadDocument(contract)", access: "staff", app: "ok", call: (c, own, w) => uploadToContract(c, own, w, gid("Contract", w.of(own).contract)) },
    { name: "uploadDocument(hidden contract)", access: "staff", app: "hidden", call: (c, own, w) => uploadToContract(c, own, w, gid("Contract", w.of(own).hiddenContract)) },
  ],
  byId: [
    { name: "node(id) of a Contract", argument: "node.id", type: "Contract", objectOf: (firm, w) => w.of(firm).contract, call: (c, id) => c.request(NodeDocument, { id }) },
    { name: "node(id) of an Insurer", argument: "node.id", type: "Insurer", objectOf: (firm, w) => w.of(firm).insurer, call: (c, id) => c.request(NodeDocument, { id }) },
    { name: "node(id) of a Risk", argument: "node.id", type: "Risk", objectOf: (firm, w) => w.of(firm).risk, call: (c, id) => c.request(NodeDocument, { id }) },
    { name: "contract", argument: "contract.id", type: "Contract", objectOf: (firm, w) => w.of(firm).contract, call: (c, id) => c.request(ContractDocument, { id }) },
    {
      name: "contracts (customer)",
      argument: "contracts.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).customer,
      call: (c, id) => c.request(ContractsDocument, { first: 100, customerId: id }),
    },
    {
      name: "contracts (insurer filter)",
      argument: "contracts.insurerId",
      type: "Insurer",
      objectOf: (firm, w) => w.of(firm).insurer,
      call: async (c, id) => (await c.request(ContractsDocument, { first: 100, insurerId: id })).contracts.edges.map((e) => e.node.id),
      filter: true,
    },
    {
      // The admin is responsible for the firm's `contract`; no row hands it to anyone else.
      name: "contracts (responsible staff filter)",
      argument: "contracts.responsibleStaffId",
      type: "StaffUser",
      objectOf: (firm) => firm.admin.id,
      call: async (c, id) => (await c.request(ContractsDocument, { first: 100, responsibleStaffId: id })).contracts.edges.map((e) => e.node.id),
      filter: true,
    },
    {
      name: "createContract (customer)",
      argument: "createContract.input.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).customer,
      call: (c, id, w) => addContract(c, w.a, w, id),
    },
    {
      name: "createContract (insurer)",
      argument: "createContract.input.insurerId",
      type: "Insurer",
      objectOf: (firm, w) => w.of(firm).insurer,
      call: (c, id, w) => c.request(CreateContractDocument, { input: { customerId: gid("Customer", w.of(w.a).customer), insurerId: id, contractNumber: uniqueName("ISO") } }),
    },
    {
      name: "createContract (risk)",
      argument: "createContract.input.riskId",
      type: "Risk",
      objectOf: (firm, w) => w.of(firm).risk,
      call: (c, id, w) =>
        c.request(CreateContractDocument, {
          input: { customerId: gid("Customer", w.of(w.a).customer), insurerId: gid("Insurer", w.of(w.a).insurer), contractNumber: uniqueName("ISO"), riskId: id },
        }),
    },
    {
      name: "createContract (responsible staff)",
      argument: "createContract.input.responsibleStaffIds",
      type: "StaffUser",
      objectOf: (firm) => firm.employee.id,
      call: (c, id, w) =>
        c.request(CreateContractDocument, {
          input: { customerId: gid("Customer", w.of(w.a).customer), insurerId: gid("Insurer", w.of(w.a).insurer), contractNumber: uniqueName("ISO"), responsibleStaffIds: [id] },
        }),
    },
    {
      name: "createContract (document file)",
      argument: "createContract.input.documentFileId",
      type: "File",
      objectOf: (firm, w) => w.of(firm).contractFile,
      call: (c, id, w) => addContract(c, w.a, w, gid("Customer", w.of(w.a).customer), { documentFileId: id }),
    },
    {
      name: "updateContract",
      argument: "updateContract.input.id",
      type: "Contract",
      objectOf: (firm, w) => w.of(firm).contract,
      call: (c, id) => c.request(UpdateContractDocument, { input: { id, notes: "Übernommen" } }),
    },
    {
      name: "updateContract (insurer)",
      argument: "updateContract.input.insurerId",
      type: "Insurer",
      objectOf: (firm, w) => w.of(firm).insurer,
      call: (c, id, w) => c.request(UpdateContractDocument, { input: { id: gid("Contract", w.of(w.a).contract), insurerId: id } }),
    },
    {
      name: "updateContract (risk)",
      argument: "updateContract.input.riskId",
      type: "Risk",
      objectOf: (firm, w) => w.of(firm).risk,
      call: (c, id, w) => c.request(UpdateContractDocument, { input: { id: gid("Contract", w.of(w.a).contract), riskId: id } }),
    },
    {
      // The admin again, so that the responsible staff filter above keeps its answer.
      name: "updateContract (responsible staff)",
      argument: "updateContract.input.responsibleStaffIds",
      type: "StaffUser",
      objectOf: (firm) => firm.admin.id,
      call: (c, id, w) => c.request(UpdateContractDocument, { input: { id: gid("Contract", w.of(w.a).contract), responsibleStaffIds: [id] } }),
    },
    {
      // Only app accounts accept offers: firm A's app account asks, for an offer of firm B, none, and one of its own.
      name: "acceptOffer",
      argument: "acceptOffer.input.contractId",
      type: "Contract",
      objectOf: (firm, w) => w.of(firm).offers[0],
      call: (c, id) => c.request(AcceptOfferDocument, { input: { contractId: id } }),
      as: "app",
    },
    {
      name: "createRisk (customer)",
      argument: "createRisk.input.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).customer,
      call: (c, id) => c.request(CreateRiskDocument, { input: { customerId: id, kind: "PERSON", personName: "Iso Person" } }),
    },
  ],
  lists: [
    {
      name: "contracts",
      listed: async (c) => (await c.request(ContractsDocument, { first: 100 })).contracts.edges.map((e) => e.node.id),
      rowsOf: contractsOfFirm,
      // Rule C3: only the visible ones of the customers it may access (an unreleased contract is not "its own row").
      app: { rowsOfCustomers: visibleContractsOf },
    },
    {
      name: "Customer.contracts",
      listed: async (c, w) => (await c.request(CustomerContractsDocument, { id: gid("Customer", w.of(w.a).customer) })).customer.contracts.map((x) => x.id),
      rowsOf: contractsOfFirm,
      app: { rowsOfCustomers: visibleContractsOf },
    },
    {
      name: "Customer.risks",
      listed: async (c, w) => (await c.request(CustomerContractsDocument, { id: gid("Customer", w.of(w.a).customer) })).customer.risks.map((x) => x.id),
      rowsOf: async (firmId, w) => (await w.db().select({ id: risks.id }).from(risks).where(eq(risks.tenantId, firmId))).map((r) => gid("Risk", r.id)),
      app: {
        rowsOfCustomers: async (customerIds, w) =>
          customerIds.length ? (await w.db().select({ id: risks.id }).from(risks).where(inArray(risks.customerId, customerIds))).map((r) => gid("Risk", r.id)) : [],
      },
    },
    {
      name: "insurers",
      listed: async (c) => (await c.request(InsurersDocument, {})).insurers.map((i) => i.id),
      rowsOf: async (firmId, w) => (await w.db().select({ id: insurers.id }).from(insurers).where(eq(insurers.tenantId, firmId))).map((r) => gid("Insurer", r.id)),
    },
  ],
  subscriptions: [
    {
      name: "contractChanged(app)",
      audience: "app",
      cases: ["another firm", "another customer", "a revoked household grant", "an object hidden from the customer"],
      subscribeOnce: (c) => nextWithin(c.subscribe(ContractChangedDocument, {})),
      open: openForApp,
    },
    {
      name: "contractChanged(staff)",
      audience: "staff",
      cases: ["another firm"],
      subscribeOnce: (c) => nextWithin(c.subscribe(ContractChangedDocument, {})),
      open: openForStaff,
    },
  ],
  open: [],
  pending: [],
};
