/** Bad inputs to the mutations of the contract module: each gets a clear error and changes nothing (run by src/test/bad-input.test.ts). */
import {
  AcceptOfferDocument,
  CreateContractDocument,
  CreateInsurerDocument,
  CreateRiskDocument,
  UpdateContractDocument,
  type CreateContractInput,
  type CreateRiskInput,
  type UpdateContractInput,
} from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { long, many, randomId, raw, type BadInputRows, type World } from "../../test/bad-input-registry.js";

/** A new contract of the world's `customer` by its admin, with what the case changes. */
const create = (w: World, input: Partial<CreateContractInput>) =>
  w.firm.adminClient.request(CreateContractDocument, { input: { customerId: w.customer, insurerId: w.contracts.insurer, contractNumber: "BI-NEU-1", ...input } });
/** The same from the app account, for the customer it may access (rule E2). */
const appCreates = (w: World, input: Partial<CreateContractInput>) =>
  w.app.request(CreateContractDocument, { input: { customerId: w.accountCustomer, insurerId: w.contracts.insurer, contractNumber: "BI-APP-1", ...input } });
/** A change to the world's AKTIV contract (2024-01-01 to 2026-12-31) by the employee. */
const update = (w: World, input: Partial<UpdateContractInput>) => w.firm.employeeClient.request(UpdateContractDocument, { input: { id: w.contracts.active, ...input } });
const accept = (w: World, contractId: string) => w.app.request(AcceptOfferDocument, { input: { contractId } });
const risk = (w: World, input: Partial<CreateRiskInput>) =>
  w.firm.employeeClient.request(CreateRiskDocument, { input: { customerId: w.customer, kind: "VEHICLE", licensePlate: "B-MK 1234", ...input } });
const admin = (w: World) => toGlobalId("StaffUser", w.firm.admin.id);

export const contractBadInput: BadInputRows = {
  createContract: [
    ["empty contract number", (w) => create(w, { contractNumber: "" }), "BAD_USER_INPUT", "input.contractNumber"],
    ["blank contract number", (w) => create(w, { contractNumber: "   " }), "BAD_USER_INPUT", "input.contractNumber"],
    ["too long contract number", (w) => create(w, { contractNumber: long(61) }), "BAD_USER_INPUT", "input.contractNumber"],
    ["missing contract number", (w) => create(w, { contractNumber: raw<string>(undefined) }), "BAD_USER_INPUT", "input.contractNumber"],
    ["negative premium", (w) => create(w, { premiumCents: -1 }), "BAD_USER_INPUT", "input.premiumCents"],
    ["absurd premium (over a million euros)", (w) => create(w, { premiumCents: 100_000_001 }), "BAD_USER_INPUT", "input.premiumCents"],
    ["premium beyond a 32-bit integer", (w) => create(w, { premiumCents: 3_000_000_000 }), "BAD_USER_INPUT", "input.premiumCents"],
    ["premium in euros with decimals", (w) => create(w, { premiumCents: 12.5 }), "BAD_USER_INPUT", "input.premiumCents"],
    ["premium as text", (w) => create(w, { premiumCents: raw<number>("12,50") }), "BAD_USER_INPUT", "input.premiumCents"],
    ["end before start", (w) => create(w, { startDate: "2024-06-01", endDate: "2024-05-31" }), "BAD_USER_INPUT", "input.endDate"],
    ["start date in German format", (w) => create(w, { startDate: "01.06.2024" }), "BAD_USER_INPUT", "input.startDate"],
    ["start date that does not exist", (w) => create(w, { startDate: "2024-02-30" }), "BAD_USER_INPUT", "input.startDate"],
    ["end date after 2200", (w) => create(w, { endDate: "2301-01-01" }), "BAD_USER_INPUT", "input.endDate"],
    ["unknown status", (w) => create(w, { status: raw<"AKTIV">("LAUFEND") }), "BAD_USER_INPUT", "input.status"],
    ["unknown line of business", (w) => create(w, { lineOfBusiness: raw<"KFZ">("AUTO") }), "BAD_USER_INPUT", "input.lineOfBusiness"],
    ["unknown payment interval", (w) => create(w, { paymentInterval: raw<"YEARLY">("WEEKLY") }), "BAD_USER_INPUT", "input.paymentInterval"],
    ["empty insurer id", (w) => create(w, { insurerId: "" }), "BAD_USER_INPUT", "input.insurerId"],
    ["malformed insurer id", (w) => create(w, { insurerId: "abc" }), "BAD_USER_INPUT", "input.insurerId"],
    ["unknown insurer", (w) => create(w, { insurerId: randomId("Insurer") }), "NOT_FOUND"],
    ["insurer id of another type", (w) => create(w, { insurerId: w.customer }), "NOT_FOUND"],
    ["malformed customer id", (w) => create(w, { customerId: "abc" }), "BAD_USER_INPUT", "input.customerId"],
    ["unknown customer", (w) => create(w, { customerId: randomId("Customer") }), "NOT_FOUND"],
    ["malformed risk id", (w) => create(w, { riskId: "abc" }), "BAD_USER_INPUT", "input.riskId"],
    ["unknown risk", (w) => create(w, { riskId: randomId("Risk") }), "NOT_FOUND"],
    ["a risk of another customer", (w) => create(w, { riskId: w.contracts.accountRisk }), "BAD_USER_INPUT", "input.riskId"],
    ["unknown responsible staff", (w) => create(w, { responsibleStaffIds: [randomId("StaffUser")] }), "NOT_FOUND"],
    ["a responsible staff user twice", (w) => create(w, { responsibleStaffIds: many(2, admin(w)) }), "BAD_USER_INPUT", "input.responsibleStaffIds"],
    ["too many responsible staff", (w) => create(w, { responsibleStaffIds: many(11, admin(w)) }), "BAD_USER_INPUT", "input.responsibleStaffIds"],
    ["too long notes", (w) => create(w, { notes: long(5001) }), "BAD_USER_INPUT", "input.notes"],
    ["unknown document file", (w) => create(w, { documentFileId: randomId("File") }), "NOT_FOUND"],
    ["document file uploaded as a logo", (w) => create(w, { documentFileId: w.file.logo }), "BAD_USER_INPUT", "input.documentFileId"],
    ["document file attached already", (w) => create(w, { documentFileId: w.file.attached }), "BAD_USER_INPUT", "input.documentFileId"],
    ["unknown field", (w) => create(w, raw<Partial<CreateContractInput>>({ tariff: "Komfort" })), "BAD_USER_INPUT", "input.tariff"],
    ["app: a customer it may not access", (w) => appCreates(w, { customerId: w.customer }), "NOT_FOUND"],
    ["app: empty contract number", (w) => appCreates(w, { contractNumber: " " }), "BAD_USER_INPUT", "input.contractNumber"],
    ["app: unknown insurer", (w) => appCreates(w, { insurerId: randomId("Insurer") }), "NOT_FOUND"],
    ["app: staff-only notes", (w) => appCreates(w, { notes: "bitte prüfen" }), "BAD_USER_INPUT", "input.notes"],
    ["app: staff-only status", (w) => appCreates(w, { status: "AKTIV" }), "BAD_USER_INPUT", "input.status"],
    ["app: staff-only visibility", (w) => appCreates(w, { visibleToCustomer: false }), "BAD_USER_INPUT", "input.visibleToCustomer"],
    ["app: staff-only risk", (w) => appCreates(w, { riskId: w.contracts.accountRisk }), "BAD_USER_INPUT", "input.riskId"],
    ["app: staff-only responsible staff", (w) => appCreates(w, { responsibleStaffIds: [admin(w)] }), "BAD_USER_INPUT", "input.responsibleStaffIds"],
    ["app: a staff user's file", (w) => appCreates(w, { documentFileId: w.file.stored }), "NOT_FOUND"],
  ],
  updateContract: [
    ["empty id", (w) => update(w, { id: "", notes: "x" }), "BAD_USER_INPUT", "input.id"],
    ["malformed id", (w) => update(w, { id: "abc", notes: "x" }), "BAD_USER_INPUT", "input.id"],
    ["unknown id", (w) => update(w, { id: randomId("Contract"), notes: "x" }), "NOT_FOUND"],
    ["id of another type", (w) => update(w, { id: w.customer, notes: "x" }), "NOT_FOUND"],
    ["a move that is not allowed (AKTIV → ANGEBOT)", (w) => update(w, { status: "ANGEBOT" }), "BAD_USER_INPUT", "input.status"],
    ["a move back to START", (w) => update(w, { status: "START" }), "BAD_USER_INPUT", "input.status"],
    ["null status", (w) => update(w, { status: null }), "BAD_USER_INPUT", "input.status"],
    ["empty contract number", (w) => update(w, { contractNumber: "" }), "BAD_USER_INPUT", "input.contractNumber"],
    ["blank contract number", (w) => update(w, { contractNumber: "  " }), "BAD_USER_INPUT", "input.contractNumber"],
    ["null contract number", (w) => update(w, { contractNumber: null }), "BAD_USER_INPUT", "input.contractNumber"],
    ["negative premium", (w) => update(w, { premiumCents: -100 }), "BAD_USER_INPUT", "input.premiumCents"],
    ["absurd premium (over a million euros)", (w) => update(w, { premiumCents: 250_000_000 }), "BAD_USER_INPUT", "input.premiumCents"],
    ["end before start", (w) => update(w, { startDate: "2025-01-01", endDate: "2024-12-31" }), "BAD_USER_INPUT", "input.endDate"],
    ["end before the contract's start", (w) => update(w, { endDate: "2023-12-31" }), "BAD_USER_INPUT", "input.endDate"],
    ["start after the contract's end", (w) => update(w, { startDate: "2027-01-01" }), "BAD_USER_INPUT", "input.endDate"],
    ["null insurer", (w) => update(w, { insurerId: null }), "BAD_USER_INPUT", "input.insurerId"],
    ["unknown insurer", (w) => update(w, { insurerId: randomId("Insurer") }), "NOT_FOUND"],
    ["malformed insurer id", (w) => update(w, { insurerId: "abc" }), "BAD_USER_INPUT", "input.insurerId"],
    ["null visibility", (w) => update(w, { visibleToCustomer: null }), "BAD_USER_INPUT", "input.visibleToCustomer"],
    ["a risk of another customer", (w) => update(w, { riskId: w.contracts.accountRisk }), "BAD_USER_INPUT", "input.riskId"],
    ["unknown risk", (w) => update(w, { riskId: randomId("Risk") }), "NOT_FOUND"],
    ["unknown responsible staff", (w) => update(w, { responsibleStaffIds: [admin(w), randomId("StaffUser")] }), "NOT_FOUND"],
    ["malformed responsible staff id", (w) => update(w, { responsibleStaffIds: [admin(w), "abc"] }), "BAD_USER_INPUT", "input.responsibleStaffIds.1"],
    ["too long notes", (w) => update(w, { notes: long(5001) }), "BAD_USER_INPUT", "input.notes"],
  ],
  acceptOffer: [
    ["empty id", (w) => accept(w, ""), "BAD_USER_INPUT", "input.contractId"],
    ["malformed id", (w) => accept(w, "abc"), "BAD_USER_INPUT", "input.contractId"],
    ["unknown offer", (w) => accept(w, randomId("Contract")), "NOT_FOUND"],
    ["id of another type", (w) => accept(w, w.accountCustomer), "NOT_FOUND"],
    ["an offer accepted before", (w) => accept(w, w.contracts.accepted), "CONFLICT", "input.contractId"],
    ["not an offer (AKTIV)", (w) => accept(w, w.contracts.visible), "CONFLICT", "input.contractId"],
    ["a contract hidden from the customer", (w) => accept(w, w.contracts.hidden), "NOT_FOUND"],
    ["another customer's contract", (w) => accept(w, w.contracts.active), "NOT_FOUND"],
  ],
  createInsurer: [
    ["empty name", (w) => w.firm.adminClient.request(CreateInsurerDocument, { input: { name: "" } }), "BAD_USER_INPUT", "input.name"],
    ["blank name", (w) => w.firm.adminClient.request(CreateInsurerDocument, { input: { name: "   " } }), "BAD_USER_INPUT", "input.name"],
    ["too long name", (w) => w.firm.adminClient.request(CreateInsurerDocument, { input: { name: long(101) } }), "BAD_USER_INPUT", "input.name"],
    ["a name in the list already (other case)", (w) => w.firm.adminClient.request(CreateInsurerDocument, { input: { name: w.contracts.insurerName.toLowerCase() } }), "CONFLICT", "input.name"],
    ["missing name", (w) => w.firm.adminClient.request(CreateInsurerDocument, { input: raw<{ name: string }>({}) }), "BAD_USER_INPUT", "input.name"],
  ],
  createRisk: [
    ["four-digit postal code", (w) => risk(w, { kind: "BUILDING", street: "Lindenweg 4", postalCode: "1040", city: "Berlin" }), "BAD_USER_INPUT", "input.postalCode"],
    ["postal code of letters", (w) => risk(w, { kind: "BUILDING", street: "Lindenweg 4", postalCode: "ABCDE" }), "BAD_USER_INPUT", "input.postalCode"],
    ["a building without street", (w) => risk(w, { kind: "BUILDING", postalCode: "10405" }), "BAD_USER_INPUT", "input.street"],
    ["a vehicle without plate", (w) => risk(w, { licensePlate: null }), "BAD_USER_INPUT", "input.licensePlate"],
    ["too long plate", (w) => risk(w, { licensePlate: long(21, "B") }), "BAD_USER_INPUT", "input.licensePlate"],
    ["a person without name", (w) => risk(w, { kind: "PERSON", personName: " " }), "BAD_USER_INPUT", "input.personName"],
    ["a birth date in the future", (w) => risk(w, { kind: "PERSON", personName: "Kim", birthDate: "2999-01-01" }), "BAD_USER_INPUT", "input.birthDate"],
    ["unknown kind", (w) => risk(w, { kind: raw<"OTHER">("BOAT") }), "BAD_USER_INPUT", "input.kind"],
    ["malformed customer id", (w) => risk(w, { customerId: "abc" }), "BAD_USER_INPUT", "input.customerId"],
    ["unknown customer", (w) => risk(w, { customerId: randomId("Customer") }), "NOT_FOUND"],
    ["customer id of another type", (w) => risk(w, { customerId: w.contracts.active }), "NOT_FOUND"],
  ],
};
