/** Bad inputs to the mutations of the claim module: each gets a clear error and changes nothing (run by src/test/bad-input.test.ts). */
import crypto from "node:crypto";
import { ReportClaimDocument, UpdateClaimDocument, type ReportClaimInput, type UpdateClaimInput } from "../../sdk/client.js";
import { long, many, randomId, raw, type BadInputRows, type World } from "../../test/bad-input-registry.js";

/** A report by the world's app account for its own customer, with a fresh idempotency key, and what the case changes. */
const report = (w: World, input: Partial<ReportClaimInput>) =>
  w.app.request(ReportClaimDocument, {
    input: { idempotencyKey: crypto.randomUUID(), customerId: w.accountCustomer, dateOfLoss: w.claims.dateOfLoss, description: "Hagelschaden am Auto", ...input },
  });
/** The same report naming these photos. */
const withPhotos = (w: World, photoFileIds: string[]) => report(w, { photoFileIds });
/** A change to the world's claim by the admin (who holds CLAIMS). */
const update = (w: World, input: Partial<UpdateClaimInput>) => w.firm.adminClient.request(UpdateClaimDocument, { input: { id: w.claims.claim, ...input } });

export const claimBadInput: BadInputRows = {
  reportClaim: [
    ["empty idempotency key", (w) => report(w, { idempotencyKey: "" }), "BAD_USER_INPUT", "input.idempotencyKey"],
    ["too short idempotency key", (w) => report(w, { idempotencyKey: "abc" }), "BAD_USER_INPUT", "input.idempotencyKey"],
    ["too long idempotency key", (w) => report(w, { idempotencyKey: long(101) }), "BAD_USER_INPUT", "input.idempotencyKey"],
    ["missing idempotency key", (w) => report(w, { idempotencyKey: raw<string>(undefined) }), "BAD_USER_INPUT", "input.idempotencyKey"],
    ["a key used before with other input", (w) => report(w, { idempotencyKey: w.claims.key, description: "Ganz anders" }), "CONFLICT", "input.idempotencyKey"],
    ["empty description", (w) => report(w, { description: "" }), "BAD_USER_INPUT", "input.description"],
    ["blank description", (w) => report(w, { description: "   " }), "BAD_USER_INPUT", "input.description"],
    ["too long description", (w) => report(w, { description: long(5001) }), "BAD_USER_INPUT", "input.description"],
    ["missing description", (w) => report(w, { description: raw<string>(undefined) }), "BAD_USER_INPUT", "input.description"],
    ["date of loss in the future", (w) => report(w, { dateOfLoss: "2999-01-01" }), "BAD_USER_INPUT", "input.dateOfLoss"],
    ["date of loss before 1900", (w) => report(w, { dateOfLoss: "1899-12-31" }), "BAD_USER_INPUT", "input.dateOfLoss"],
    ["date of loss in German format", (w) => report(w, { dateOfLoss: "15.01.2026" }), "BAD_USER_INPUT", "input.dateOfLoss"],
    ["date of loss that does not exist", (w) => report(w, { dateOfLoss: "2026-02-30" }), "BAD_USER_INPUT", "input.dateOfLoss"],
    ["malformed customer id", (w) => report(w, { customerId: "abc" }), "BAD_USER_INPUT", "input.customerId"],
    ["unknown customer", (w) => report(w, { customerId: randomId("Customer") }), "NOT_FOUND"],
    ["a customer the account may not access", (w) => report(w, { customerId: w.customer }), "NOT_FOUND"],
    ["customer id of another type", (w) => report(w, { customerId: w.contracts.visible }), "NOT_FOUND"],
    ["malformed contract id", (w) => report(w, { contractId: "abc" }), "BAD_USER_INPUT", "input.contractId"],
    ["unknown contract", (w) => report(w, { contractId: randomId("Contract") }), "NOT_FOUND"],
    ["a contract hidden from the customer", (w) => report(w, { contractId: w.contracts.hidden }), "NOT_FOUND"],
    ["another customer's contract", (w) => report(w, { contractId: w.contracts.active }), "NOT_FOUND"],
    ["11 photos", (w) => withPhotos(w, many(11, w.claims.photo)), "BAD_USER_INPUT", "input.photoFileIds"],
    ["a photo twice", (w) => withPhotos(w, many(2, w.claims.photo)), "BAD_USER_INPUT", "input.photoFileIds"],
    ["malformed photo id", (w) => withPhotos(w, [w.claims.photo, "abc"]), "BAD_USER_INPUT", "input.photoFileIds.1"],
    ["unknown photo", (w) => withPhotos(w, [w.claims.photo, randomId("File")]), "NOT_FOUND"],
    ["a document upload as a photo", (w) => withPhotos(w, [w.claims.photo, w.file.apps]), "BAD_USER_INPUT", "input.photoFileIds.1"],
    ["a photo whose bytes never arrived", (w) => withPhotos(w, [w.claims.photo, w.claims.pendingPhoto]), "BAD_USER_INPUT", "input.photoFileIds.1"],
    ["a photo of another claim", (w) => withPhotos(w, [w.claims.photo, w.claims.attachedPhoto]), "BAD_USER_INPUT", "input.photoFileIds.1"],
    ["a JPEG without an image", (w) => withPhotos(w, [w.claims.photo, w.claims.brokenPhoto]), "BAD_USER_INPUT", "input.photoFileIds.1"],
    ["a staff user's upload", (w) => withPhotos(w, [w.file.stored]), "NOT_FOUND"],
    ["unknown field", (w) => report(w, raw<Partial<ReportClaimInput>>({ reportedAt: "2026-01-01T00:00:00Z" })), "BAD_USER_INPUT", "input.reportedAt"],
  ],
  updateClaim: [
    ["empty id", (w) => update(w, { id: "", internalNotes: "x" }), "BAD_USER_INPUT", "input.id"],
    ["malformed id", (w) => update(w, { id: "abc", internalNotes: "x" }), "BAD_USER_INPUT", "input.id"],
    ["unknown id", (w) => update(w, { id: randomId("Claim"), internalNotes: "x" }), "NOT_FOUND"],
    ["id of another type", (w) => update(w, { id: w.customer, internalNotes: "x" }), "NOT_FOUND"],
    ["null status", (w) => update(w, { status: null }), "BAD_USER_INPUT", "input.status"],
    ["unknown status", (w) => update(w, { status: raw<"CLOSED">("OFFEN") }), "BAD_USER_INPUT", "input.status"],
    ["negative amount claimed", (w) => update(w, { amountClaimedCents: -1 }), "BAD_USER_INPUT", "input.amountClaimedCents"],
    ["absurd amount paid (over a million euros)", (w) => update(w, { amountPaidCents: 100_000_001 }), "BAD_USER_INPUT", "input.amountPaidCents"],
    ["amount beyond a 32-bit integer", (w) => update(w, { amountPaidCents: 3_000_000_000 }), "BAD_USER_INPUT", "input.amountPaidCents"],
    ["amount in euros with decimals", (w) => update(w, { amountClaimedCents: 12.5 }), "BAD_USER_INPUT", "input.amountClaimedCents"],
    ["amount as text", (w) => update(w, { amountClaimedCents: raw<number>("12,50") }), "BAD_USER_INPUT", "input.amountClaimedCents"],
    ["null internal flag", (w) => update(w, { amountClaimedInternal: null }), "BAD_USER_INPUT", "input.amountClaimedInternal"],
    ["empty insurer claim number", (w) => update(w, { insurerClaimNumber: "" }), "BAD_USER_INPUT", "input.insurerClaimNumber"],
    ["too long insurer claim number", (w) => update(w, { insurerClaimNumber: long(61) }), "BAD_USER_INPUT", "input.insurerClaimNumber"],
    ["too long internal notes", (w) => update(w, { internalNotes: long(5001) }), "BAD_USER_INPUT", "input.internalNotes"],
    ["unknown field", (w) => update(w, raw<Partial<UpdateClaimInput>>({ notes: "x" })), "BAD_USER_INPUT", "input.notes"],
  ],
};
