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
import { PDF, PNG } from "./fixtures.js";
import {
  CreateDocumentCategoryDocument,
  CreateUploadDocument,
  InviteCustomersDocument,
  InviteStaffUserDocument,
  RequestPasswordResetDocument,
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
  /** Notifications (global IDs) of the employee, and of the admin. */
  notification: string;
  adminNotification: string;
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
  /** The token in the link of the one mail to `address` (the outbox holds it; no SMTP server here). */
  const mailedToken = async (address: string) => {
    const [mail] = await db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, address));
    return new URL(mail!.textBody.match(/https?:\/\/\S+/)![0]).searchParams.get("token")!;
  };

  const [notification, adminNotification] = await db
    .insert(notifications)
    .values([firm.employee, firm.admin].map((s) => ({ tenantId: firm.tenant.id, staffUserId: s.id, kind: "GENERAL" as const, title: "Hinweis", body: `für ${s.name}` })))
    .returning();

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
    notification: toGlobalId("Notification", notification!.id),
    adminNotification: toGlobalId("Notification", adminNotification!.id),
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
