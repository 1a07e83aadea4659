/**
 * The machinery of the bad-input registry: the world each module's `<f>.bad-input.ts` rows run against, the values
 * that break the usual rules, the "nothing changed" snapshot and the guard that reads the schema for mutations
 * without rows. `src/test/bad-input.test.ts` runs every module's rows.
 */
import crypto from "node:crypto";
import { eq, notInArray } from "drizzle-orm";
import { expect } from "vitest";
import type { GraphQLSchema } from "graphql";
import type { TestServer } from "./harness.js";
import { factories, upload } from "./factories.js";
import { JPEG, PDF, PNG } from "./fixtures.js";
import {
  AcceptOfferDocument,
  ArchiveChatDocument,
  ChatsDocument,
  CreateContractDocument,
  CreateDocumentCategoryDocument,
  CreateRiskDocument,
  CreateUploadDocument,
  InviteCustomersDocument,
  InsurersDocument,
  InviteStaffUserDocument,
  ReportClaimDocument,
  RequestPasswordResetDocument,
  RequestStaffPasswordResetDocument,
  SendMessageDocument,
  UpdateBrokerProfileDocument,
  UploadDocumentDocument,
  type KundenappClient,
} from "../sdk/client.js";
import { toGlobalId } from "../graphql/relay.js";
import { tenants } from "../modules/tenant/tenant.table.js";
import { rateLimits } from "../modules/session/session.table.js";
import { notifications } from "../modules/notification/notification.table.js";
import { mailOutbox } from "../mail/outbox.table.js";
import { firmRows } from "./firm-tables-registry.js";

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
export interface World {
  firm: Firm;
  /** The token of an open invitation of `firm`. */
  inviteToken: string;
  operator: KundenappClient;
  anonymous: () => KundenappClient;
  /** Global IDs of `firm`'s objects: a customer with a document, a category of the firm's own (`categoryName`). */
  customer: string;
  document: string;
  category: string;
  categoryName: string;
  /** Uploads (global IDs): bytes stored, not attached (the admin's); for LOGO; never PUT; attached to `document`; the employee's; the app account's. */
  file: { stored: string; logo: string; pending: string; attached: string; employees: string; apps: string };
  /** An ACTIVE app account of another customer of `firm` (`accountCustomer`), logged in as `app`; and a DEACTIVATED one. */
  account: string;
  accountEmail: string;
  accountCustomer: string;
  app: KundenappClient;
  deactivated: string;
  /** A customer of `firm` without a login, to invite. */
  invitee: string;
  /** An INVITED app account's address and the token of its registration link (rule D4). */
  registration: { email: string; token: string };
  /** The token of `account`'s password-reset link (rule D7). */
  resetToken: string;
  /** The token of the password-reset link of `firm`'s employee. */
  staffResetToken: string;
  /** Notifications (global IDs) of the employee, and of the admin. */
  notification: string;
  adminNotification: string;
  /** A DEACTIVATED staff user of `firm` (global ID): never to be made responsible for anything. */
  deactivatedStaff: string;
  /**
   * Contracts (rules E0-E5), global IDs: an insurer of the firm's list (`insurerName`); of `customer` a risk and an AKTIV
   * contract from 2024-01-01 to 2026-12-31 covering it (`active`); of `accountCustomer` a risk (`accountRisk`), an
   * offer its app account accepted (`accepted`), an AKTIV contract it sees (`visible`) and one hidden from it (`hidden`).
   */
  contracts: { insurer: string; insurerName: string; risk: string; active: string; accountRisk: string; accepted: string; visible: string; hidden: string };
  /**
   * Claims (rules G1-G4), global IDs: a claim `app` reported for `accountCustomer` with one photo, with its idempotency
   * key (`key`) and date of loss; CLAIM_PHOTO uploads of `app`: that claim's original (`attachedPhoto`), one stored
   * and unused (`photo`), one never PUT (`pendingPhoto`), and one whose bytes start like a JPEG but hold no image (`brokenPhoto`).
   */
  claims: { claim: string; key: string; dateOfLoss: string; attachedPhoto: string; photo: string; pendingPhoto: string; brokenPhoto: string };
  /**
   * Chats (rules F1-F9), global IDs: `accountCustomer`'s open chat (`chat`), whose first message `message` `app` sent with
   * client message id `clientMessageId`; its earlier chat, archived (`archived`, opened by the accepted offer); a chat of
   * another firm with its message (`foreignChat`, `foreignMessage`) and that firm's admin (`foreignStaff`); staff users of
   * `firm`: an active one without CHAT (`noChatStaff`) and a deactivated one with CHAT (`inactiveChatStaff`); and an
   * unattached DOCUMENT upload of another customer's app account (`neighbourUpload`).
   */
  chats: {
    chat: string;
    message: string;
    clientMessageId: string;
    archived: string;
    foreignChat: string;
    foreignMessage: string;
    foreignStaff: string;
    noChatStaff: string;
    inactiveChatStaff: string;
    neighbourUpload: string;
  };
}

/** Values that break the usual rules. */
export const long = (n: number, c = "x") => c.repeat(n);
export const longEmail = `${long(250, "a")}@example.test`;
export const longPassword = `Aa1!${long(197)}`; // 201 characters, every D4 rule met
export const randomId = (type: string) => toGlobalId(type, crypto.randomUUID());
export const many = (n: number, id: string) => Array<string>(n).fill(id);
/** Bypasses the SDK's types, to send what an untyped client could. */
export const raw = <T>(value: unknown) => value as T;
/** A valid broker profile (the world saves it; its cases must leave it alone), and a valid PDF upload. */
export const profile = { name: "Makler Nord", phone: "040 1234567", street: "Am Hafen 3", postalCode: "20457", city: "Hamburg" };
export const pdfUpload = { purpose: "DOCUMENT" as const, contentType: "application/pdf", size: PDF.length, fileName: "police.pdf" };

export type Expect = "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT";
/** [what is wrong, the call, the expected code, the field it must name (BAD_USER_INPUT and CONFLICT)]. */
export type Case = [wrong: string, call: (w: World) => Promise<unknown>, code: Expect, field?: string];
/** A module's rows: the mutation's name, and its cases. */
export type BadInputRows = Record<string, Case[]>;

/** One firm with objects in every state the cases need, made through the API where it can be. */
export async function buildBadInputWorld(t: TestServer): Promise<World> {
  const f = factories(t);
  const db = t.app.deps.database.db;
  const firm = await f.buildFirm();
  const { inviteStaffUser } = await firm.adminClient.request(InviteStaffUserDocument, {
    input: { email: `pending-${crypto.randomBytes(5).toString("hex")}@example.test`, name: "Offene Einladung", role: "EMPLOYEE", permissions: [] },
  });
  // The profile the broker-profile cases must leave alone.
  await firm.adminClient.request(UpdateBrokerProfileDocument, { input: profile });

  // Customers, a category of the firm's own, a document, and uploads in every state (rules C1, C2).
  const [own, accountCustomer, invitee, invited] = [
    await f.buildCustomer({ tenant: firm.tenant }),
    await f.buildCustomer({ tenant: firm.tenant }),
    await f.buildCustomer({ tenant: firm.tenant }),
    await f.buildCustomer({ tenant: firm.tenant }),
  ];
  const customerId = toGlobalId("Customer", own.id);
  const categoryName = `Eigene ${crypto.randomBytes(3).toString("hex")}`;
  const { createDocumentCategory } = await firm.adminClient.request(CreateDocumentCategoryDocument, { input: { name: categoryName, recommended: false } });
  const category = createDocumentCategory.category.id;
  const pdf = { purpose: "DOCUMENT" as const, bytes: PDF, contentType: "application/pdf" };
  const attached = await upload(firm.adminClient, pdf);
  const { uploadDocument } = await firm.adminClient.request(UploadDocumentDocument, { input: { fileId: attached.fileId, customerId, categoryId: category } });
  const stored = await upload(firm.adminClient, pdf);
  const logo = await upload(firm.adminClient, { purpose: "LOGO", bytes: PNG, contentType: "image/png" });
  const { createUpload: pending } = await firm.adminClient.request(CreateUploadDocument, { input: pdfUpload });
  const employees = await upload(firm.employeeClient, pdf);

  // App accounts (rules D1-D9): an active one, logged in, with a reset link; a deactivated one; one invited through the API.
  const account = await f.buildAppAccount({ customer: accountCustomer });
  const deactivated = await f.buildAppAccount({ tenant: firm.tenant, status: "DEACTIVATED" });
  const app = await f.appClient(account);
  const apps = await upload(app, pdf);
  const { inviteCustomers } = await firm.employeeClient.request(InviteCustomersDocument, {
    input: { customers: [{ customerId: toGlobalId("Customer", invited.id) }], sharing: "ALL_DOCUMENTS" },
  });
  expect(inviteCustomers.results[0]!.status).toBe("INVITED");
  await t.client().request(RequestPasswordResetDocument, { input: { email: account.email, brokerId: firm.tenant.brokerId } });
  await t.client().request(RequestStaffPasswordResetDocument, { input: { email: firm.employee.email } });
  /** The token in the link of the one mail to `address` (the outbox holds it; no SMTP server here). */
  const mailedToken = async (address: string) => {
    const [mail] = await db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, address));
    return new URL(mail!.textBody.match(/https?:\/\/\S+/)![0]).searchParams.get("token")!;
  };

  const [notification, adminNotification] = await db
    .insert(notifications)
    .values([firm.employee, firm.admin].map((s) => ({ tenantId: firm.tenant.id, staffUserId: s.id, kind: "GENERAL" as const, title: "Hinweis", body: `für ${s.name}` })))
    .returning();

  // Contracts (rules E0-E5), through the API: the admin's, and an offer the app account accepts.
  const { insurers } = await firm.adminClient.request(InsurersDocument, {});
  const insurer = insurers[0]!;
  const accountCustomerId = toGlobalId("Customer", accountCustomer.id);
  const risk = async (customer: string) =>
    (await firm.adminClient.request(CreateRiskDocument, { input: { customerId: customer, kind: "BUILDING", street: "Lindenweg 4", postalCode: "10405", city: "Berlin" } })).createRisk.risk.id;
  const [ownRisk, accountRisk] = [await risk(customerId), await risk(accountCustomerId)];
  const contract = async (customer: string, extra: { status?: "AKTIV" | "ANGEBOT"; visibleToCustomer?: boolean; riskId?: string; startDate?: string; endDate?: string }) =>
    (
      await firm.adminClient.request(CreateContractDocument, {
        input: { customerId: customer, insurerId: insurer.id, contractNumber: `BI-${crypto.randomBytes(4).toString("hex")}`, premiumCents: 12_345, paymentInterval: "YEARLY", ...extra },
      })
    ).createContract.contract.id;
  const active = await contract(customerId, { riskId: ownRisk, startDate: "2024-01-01", endDate: "2026-12-31" });
  const accepted = await contract(accountCustomerId, { status: "ANGEBOT" });
  await app.request(AcceptOfferDocument, { input: { contractId: accepted } });
  const visible = await contract(accountCustomerId, { visibleToCustomer: true });
  const hidden = await contract(accountCustomerId, { visibleToCustomer: false });

  // Claims (rules G1-G4), reported through the API by the app account.
  const claimPhoto = async (bytes: Buffer, contentType: string) => (await upload(app, { purpose: "CLAIM_PHOTO", bytes, contentType })).fileId;
  const attachedPhoto = await claimPhoto(PNG, "image/png");
  const claimKey = crypto.randomUUID();
  const dateOfLoss = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const { reportClaim } = await app.request(ReportClaimDocument, {
    input: { idempotencyKey: claimKey, customerId: accountCustomerId, dateOfLoss, description: "Glasbruch", photoFileIds: [attachedPhoto] },
  });
  const { createUpload: pendingPhoto } = await app.request(CreateUploadDocument, { input: { purpose: "CLAIM_PHOTO", contentType: "image/jpeg", size: 1000, fileName: "foto.jpg" } });
  const claimObjects = {
    claim: reportClaim.claim.id,
    key: claimKey,
    dateOfLoss,
    attachedPhoto,
    photo: await claimPhoto(PNG, "image/png"),
    pendingPhoto: pendingPhoto.fileId,
    brokenPhoto: await claimPhoto(JPEG, "image/jpeg"),
  };

  // Chats (rules F1-F9): the accepted offer opened `accountCustomer`'s first chat; archived, a message opens the next.
  const { chats: opened } = await app.request(ChatsDocument, {});
  const archived = opened.edges[0]!.node.id;
  await firm.adminClient.request(ArchiveChatDocument, { input: { chatId: archived, storeTranscript: false } });
  const clientMessageId = crypto.randomUUID();
  const { sendMessage } = await app.request(SendMessageDocument, { input: { clientMessageId, customerId: accountCustomerId, body: "Guten Tag" } });
  const foreign = await f.buildFirm();
  const foreignAccount = await f.buildAppAccount({ tenant: foreign.tenant });
  const { sendMessage: foreignSent } = await (await f.appClient(foreignAccount)).request(SendMessageDocument, {
    input: { clientMessageId: crypto.randomUUID(), customerId: toGlobalId("Customer", foreignAccount.customerId), body: "Fremd" },
  });
  const neighbour = await f.appClient(await f.buildAppAccount({ tenant: firm.tenant }));
  const chatObjects = {
    chat: sendMessage.chat.id,
    message: sendMessage.message.id,
    clientMessageId,
    archived,
    foreignChat: foreignSent.chat.id,
    foreignMessage: foreignSent.message.id,
    foreignStaff: toGlobalId("StaffUser", foreign.admin.id),
    noChatStaff: toGlobalId("StaffUser", (await f.buildStaff({ tenant: firm.tenant, permissions: ["CLAIMS"] })).id),
    inactiveChatStaff: toGlobalId("StaffUser", (await f.buildStaff({ tenant: firm.tenant, permissions: ["CHAT"], status: "DEACTIVATED" })).id),
    neighbourUpload: (await upload(neighbour, pdf)).fileId,
  };

  return {
    firm,
    inviteToken: new URL(inviteStaffUser.invitationLink).searchParams.get("token")!,
    operator: t.operator(),
    anonymous: () => t.client(),
    customer: customerId,
    document: uploadDocument.document.id,
    category,
    categoryName,
    file: { stored: stored.fileId, logo: logo.fileId, pending: pending.fileId, attached: attached.fileId, employees: employees.fileId, apps: apps.fileId },
    account: toGlobalId("AppAccount", account.id),
    accountEmail: account.email,
    accountCustomer: toGlobalId("Customer", accountCustomer.id),
    app,
    deactivated: toGlobalId("AppAccount", deactivated.id),
    invitee: toGlobalId("Customer", invitee.id),
    registration: { email: invited.email!, token: await mailedToken(invited.email!) },
    resetToken: await mailedToken(account.email),
    staffResetToken: await mailedToken(firm.employee.email),
    notification: toGlobalId("Notification", notification!.id),
    adminNotification: toGlobalId("Notification", adminNotification!.id),
    deactivatedStaff: toGlobalId("StaffUser", (await f.buildStaff({ tenant: firm.tenant, status: "DEACTIVATED" })).id),
    contracts: { insurer: insurer.id, insurerName: insurer.name, risk: ownRisk, active, accountRisk, accepted, visible, hidden },
    claims: claimObjects,
    chats: chatObjects,
  };
}

/** The firms that existed besides the world's own when it was built: the snapshot leaves them out. */
export async function otherFirms(t: TestServer, w: World): Promise<string[]> {
  return (await t.app.deps.database.db.select({ id: tenants.id }).from(tenants))
    .map((r) => r.id)
    .filter((id) => id !== w.firm.tenant.id);
}

/**
 * Everything a mutation here could change: every row of the world's firm, and of any firm made since (a refused
 * `createTenant` must not leave one), in every firm table (derived from the drizzle schema); plus the throttling
 * counters of the addresses the cases use. Session timestamps that reading touches are left out.
 */
export async function everything(t: TestServer, w: World, others: readonly string[]) {
  const db = t.app.deps.database.db;
  const emails = [w.firm.admin.email, w.firm.employee.email, w.accountEmail, w.registration.email, "chef@example.test", longEmail];
  const [rows, limitRows] = await Promise.all([firmRows(db, (firmColumn) => notInArray(firmColumn, [...others])), db.select().from(rateLimits)]);
  return {
    ...rows,
    rate_limits: limitRows.filter((r) => [...emails, "niemand"].some((e) => e && r.key.includes(e))).sort((x, y) => x.key.localeCompare(y.key)),
  };
}

/** Mutations with an `input` argument without a bad-input row, and rows naming no mutation of the schema. */
export function badInputCoverage(schema: GraphQLSchema, rows: BadInputRows): { missing: string[]; unknown: string[] } {
  const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
  const missing = mutations.filter((m) => m.args.some((a) => a.name === "input") && !rows[m.name]?.length).map((m) => m.name);
  const unknown = Object.keys(rows).filter((name) => !mutations.some((m) => m.name === name));
  return { missing, unknown };
}
