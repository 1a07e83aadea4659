/**
 * App accounts (rules D1–D9, A1) through the SDK against the real test server, with a real SMTP server
 * receiving the invitation and password-reset mails.
 *
 * Every test builds its own firm, so a test that moves the shared clock (30 days in D4) cannot end
 * sessions another test still uses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories, upload, GOOD_PASSWORD } from "../../test/factories.js";
import { PDF } from "../../test/fixtures.js";
import type { ReceivedMail } from "../../test/smtp.js";
import { nextWithin, nothingWithin } from "../../test/realtime.js";
import {
  AccessChangedDocument,
  AppAccountsWithAccessDocument,
  type AppAccountsWithAccessQuery,
  NodeDocument,
  SetResponsibleStaffDocument,
  UpdateStaffUserDocument,
  ActivateAppAccountDocument,
  AppAccountsDocument,
  AppViewerDocument,
  CustomerDocument,
  DeactivateAppAccountDocument,
  DeleteAppAccountDocument,
  DocumentCategoriesDocument,
  DocumentDownloadDocument,
  DocumentsDocument,
  GrantCustomerAccessDocument,
  InviteCustomersDocument,
  InviteCustomersWithAccessDocument,
  LinkInfoDocument,
  LoginDocument,
  LogoutDocument,
  ReactivateAppAccountDocument,
  RegisterDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  RevokeCustomerAccessDocument,
  SetCustomerAppEnabledDocument,
  UpdateBrokerProfileDocument,
  UploadDocumentDocument,
  type AccessChangedSubscription,
  type KundenappClient,
} from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { appAccounts } from "./account.table.js";
import { mailOutbox } from "../../mail/outbox.table.js";
import { APP_INVITE_TTL_MS } from "./invitation.service.js";
import { PASSWORD_RESET_TTL_MS } from "./credentials.service.js";
import { ACTIVATION_LINK_TTL_MS } from "./administration.service.js";
import { personalDataInLinks } from "../../test/smtp.js";
// Cursors are opaque to clients; the tests read the position they stand for to check the order.
import { parseCursor } from "../../realtime/event-log.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
let smtp: TestServer["smtp"];

beforeAll(async () => {
  t = await startTestServer({ smtp: true });
  f = factories(t);
  smtp = t.smtp;
});
afterAll(() => t.close());

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;
const db = () => t.app.deps.database.db;
const unique = () => crypto.randomBytes(4).toString("hex");
const customerId = (c: { id: string }) => toGlobalId("Customer", c.id);
const accountId = (a: { id: string }) => toGlobalId("AppAccount", a.id);
const profile = { name: "Versicherungsmakler Nord GmbH", phone: "040 1234567", street: "Am Hafen 3", postalCode: "20457", city: "Hamburg" };

/** Sends every queued mail to the test SMTP server and waits until they have arrived. */
async function deliverMails(): Promise<void> {
  const before = smtp.received.length;
  const { sent } = await t.app.services.outbox.deliverDue();
  if (sent > 0) await smtp.waitFor(before + sent);
}

const mailsTo = (address: string): ReceivedMail[] => smtp.received.filter((m) => m.to.includes(address.toLowerCase()));

/** The one link in a mail's plain text. */
function linkIn(mail: ReceivedMail): URL {
  const found = mail.text.match(/https?:\/\/[^\s<>"]+/g) ?? [];
  expect(found).toHaveLength(1);
  return new URL(found[0]!);
}

/** The token of the newest mail to `address` (delivering queued mails first). */
async function tokenMailedTo(address: string): Promise<string> {
  await deliverMails();
  const mails = mailsTo(address);
  expect(mails.length).toBeGreaterThan(0);
  const token = linkIn(mails.at(-1)!).searchParams.get("token");
  expect(token).toBeTruthy();
  return token!;
}

/** Uploads a PDF and attaches it to a customer in a category; returns the document's global ID. */
async function addDocument(staff: KundenappClient, customer: { id: string }, categoryId: string, visible = false): Promise<string> {
  const { fileId } = await upload(staff, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf", fileName: "police.pdf" });
  const { uploadDocument } = await staff.request(UploadDocumentDocument, {
    input: { customerId: customerId(customer), categoryId, fileId, visibleToCustomer: visible },
  });
  return uploadDocument.document.id;
}

async function categoryIds(staff: KundenappClient): Promise<Record<string, string>> {
  const { documentCategories } = await staff.request(DocumentCategoriesDocument, {});
  return Object.fromEntries(documentCategories.map((c) => [c.key, c.id]));
}

/** The staff view of a customer's documents: id -> visibleToCustomer. */
async function visibility(staff: KundenappClient, customer: { id: string }): Promise<Record<string, boolean>> {
  const { documents } = await staff.request(DocumentsDocument, { customerId: customerId(customer), first: 100 });
  return Object.fromEntries(documents.edges.map((e) => [e.node.id, e.node.visibleToCustomer]));
}

function invite(staff: KundenappClient, customers: Array<{ customerId: string; email?: string; replaceEmail?: boolean }>, opts: { sharing?: "ALL_DOCUMENTS" | "SELECTED_CATEGORIES"; categoryIds?: string[]; salutation?: "SIE" | "DU" } = {}) {
  return staff.request(InviteCustomersDocument, {
    input: { customers, sharing: opts.sharing ?? "ALL_DOCUMENTS", categoryIds: opts.categoryIds ?? [], salutation: opts.salutation ?? "SIE" },
  });
}

/** Invites one customer and returns the registration token from the mail. */
async function invitedToken(firm: Firm, customer: { id: string; email: string | null }): Promise<string> {
  const { inviteCustomers } = await invite(firm.employeeClient, [{ customerId: customerId(customer) }]);
  expect(inviteCustomers.results[0]!.status).toBe("INVITED");
  return tokenMailedTo(customer.email!);
}

function appLogin(input: { email: string; brokerId: string; password: string }, client = t.client()) {
  return client.request(LoginDocument, { input });
}

/** The close code of the client's WebSocket (fails after `ms` instead of hanging). */
function socketClosed(client: KundenappClient, ms = 5_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    client.socket().on("closed", (e) => {
      clearTimeout(timer);
      resolve((e as { code: number }).code);
    });
  });
}

/** A subscription that must not deliver anything more: it errors (socket closed) or ends. */
async function expectEnded(sub: AsyncIterator<unknown>): Promise<void> {
  const outcome = await nextWithin(sub, 1_500).then(
    (r) => (r.done ? "ended" : `event ${JSON.stringify(r.value)}`),
    (err: Error) => (String(err.message).startsWith("no event within") ? "still open" : "ended"),
  );
  expect(outcome).toBe("ended");
}

/** What an AccessChanged event carries: the customer IDs the account may access now, and the cursor. */
function accessEvent(r: IteratorResult<AccessChangedSubscription>): { ids: string[]; cursor: string } {
  expect(r.done).toBeFalsy();
  const { accessChanged } = r.value as AccessChangedSubscription;
  return { ids: accessChanged.customers.map((c) => c.id), cursor: accessChanged.cursor };
}

/** An app account's live socket: an AccessChanged subscription proven live by a first event (a grant). */
async function liveAccessSubscription(firm: Firm, account: { id: string }, client: KundenappClient) {
  const extra = await f.buildCustomer({ tenant: firm.tenant });
  const sub = client.subscribe(AccessChangedDocument, { after: "0" });
  await firm.employeeClient.request(GrantCustomerAccessDocument, { input: { appAccountId: accountId(account), customerId: customerId(extra) } });
  const first = await nextWithin(sub);
  expect(accessEvent(first).ids).toContain(customerId(extra));
  return sub;
}

describe("D1: bulk invitation", () => {
  it("answers per customer (INVITED, MISSING_EMAIL, ALREADY_ACTIVE, ERROR), mails only the invited, and releases all documents", async () => {
    const firm = await f.buildFirm();
    await firm.adminClient.request(UpdateBrokerProfileDocument, { input: profile });
    const cats = await categoryIds(firm.adminClient);
    const withEmail = await f.buildCustomer({ tenant: firm.tenant, firstName: "Anna", lastName: "Adler" });
    const noEmail = await f.buildCustomer({ tenant: firm.tenant, email: null });
    const supplied = await f.buildCustomer({ tenant: firm.tenant, email: null, firstName: "Bernd", lastName: "Berg" });
    const active = await f.buildAppAccount({ tenant: firm.tenant });
    const foreign = await f.buildCustomer();
    const badEmail = await f.buildCustomer({ tenant: firm.tenant, email: null });
    const suppliedEmail = `Nachgetragen-${unique()}@Example.test`;

    const docsWithEmail = [await addDocument(firm.employeeClient, withEmail, cats.POLICY!), await addDocument(firm.employeeClient, withEmail, cats.CORRESPONDENCE!)];
    const docNoEmail = await addDocument(firm.employeeClient, noEmail, cats.POLICY!);
    const docBadEmail = await addDocument(firm.employeeClient, badEmail, cats.POLICY!);
    await deliverMails(); // whatever earlier tests queued
    const mailsBefore = smtp.received.length;

    const { inviteCustomers } = await invite(
      firm.employeeClient,
      [
        { customerId: customerId(withEmail) },
        { customerId: customerId(noEmail) },
        { customerId: customerId(supplied), email: suppliedEmail },
        { customerId: customerId(active.customer) },
        { customerId: customerId(foreign) },
        { customerId: customerId(badEmail), email: "keine-adresse" },
      ],
      { sharing: "ALL_DOCUMENTS", salutation: "DU" },
    );
    const results = inviteCustomers.results;
    expect(results.map((r) => [r.customerId, r.status, r.errorCode])).toEqual([
      [customerId(withEmail), "INVITED", null],
      [customerId(noEmail), "MISSING_EMAIL", null],
      [customerId(supplied), "INVITED", null],
      [customerId(active.customer), "ALREADY_ACTIVE", null],
      [customerId(foreign), "ERROR", "NOT_FOUND"],
      [customerId(badEmail), "ERROR", "BAD_USER_INPUT"],
    ]);
    expect(results[0]!.appAccount).toMatchObject({ status: "INVITED", email: withEmail.email, salutation: "DU", hasPassword: false });
    expect(results[2]!.appAccount).toMatchObject({ status: "INVITED", email: suppliedEmail.toLowerCase() });
    expect(results[3]!.appAccount).toMatchObject({ id: accountId(active), status: "ACTIVE" });
    expect(results[4]!.customer).toBeNull(); // nothing of another firm leaks into the answer

    // The supplied email is stored on the customer.
    expect((await firm.employeeClient.request(CustomerDocument, { id: customerId(supplied) })).customer.email).toBe(suppliedEmail.toLowerCase());
    // Nothing changed for the customers that were not invited: no login, no email, nothing released.
    for (const c of [noEmail, badEmail, foreign]) expect(await db().select().from(appAccounts).where(eq(appAccounts.customerId, c.id))).toEqual([]);
    expect((await firm.employeeClient.request(CustomerDocument, { id: customerId(noEmail) })).customer.email).toBeNull();
    expect((await firm.employeeClient.request(CustomerDocument, { id: customerId(badEmail) })).customer.email).toBeNull();
    expect(await visibility(firm.employeeClient, noEmail)).toEqual({ [docNoEmail]: false });
    expect(await visibility(firm.employeeClient, badEmail)).toEqual({ [docBadEmail]: false });
    // ALL_DOCUMENTS: every document of the invited customer is released.
    expect(await visibility(firm.employeeClient, withEmail)).toEqual(Object.fromEntries(docsWithEmail.map((d) => [d, true])));

    // One mail per invited customer, to the right address, in the familiar salutation.
    await deliverMails();
    const arrived = smtp.received.slice(mailsBefore);
    expect(arrived.map((m) => m.to).sort()).toEqual([[withEmail.email], [suppliedEmail.toLowerCase()]].sort());
    for (const [mail, name] of [
      [mailsTo(withEmail.email!)[0]!, "Anna Adler"],
      [mailsTo(suppliedEmail)[0]!, "Bernd Berg"],
    ] as const) {
      expect(mail.subject).toContain("dich");
      expect(mail.subject).toContain(profile.name);
      expect(mail.text).toContain(`Hallo ${name},`);
      expect(mail.text).toContain("dich");
      expect(mail.text).not.toContain("Guten Tag");
      expect(mail.text).not.toMatch(/\bSie\b/);
      expect(mail.text).toContain(profile.name);
      expect(mail.text).toContain(profile.phone);
      expect(mail.text).toContain(`${profile.postalCode} ${profile.city}`);
      expect(mail.text).toContain(firm.tenant.brokerId);
      expect(mail.html).toContain(firm.tenant.brokerId);
      // The link carries only the token; the app asks what it is for and prefills broker ID and email.
      const link = linkIn(mail);
      expect([...link.searchParams.keys()]).toEqual(["token"]);
      expect(link.searchParams.get("token")).toMatch(/^ki_/);
      const { linkInfo } = await t.client().request(LinkInfoDocument, { token: link.searchParams.get("token")! });
      expect(linkInfo).toMatchObject({ purpose: "APP_REGISTRATION", email: mail.to[0], brokerId: firm.tenant.brokerId, firmName: profile.name, brokerProfile: profile });
    }
    // The two links differ, and each registers its own customer.
    const tokenA = linkIn(mailsTo(withEmail.email!)[0]!).searchParams.get("token")!;
    const tokenB = linkIn(mailsTo(suppliedEmail)[0]!).searchParams.get("token")!;
    expect(tokenA).not.toBe(tokenB);
    const { register } = await t.client().request(RegisterDocument, { input: { email: withEmail.email!, token: tokenA, password: GOOD_PASSWORD } });
    // The released documents are what the customer's app sees.
    const app = t.client(register.token);
    const seen = await app.request(DocumentsDocument, { first: 100 });
    expect(seen.documents.edges.map((e) => e.node.id).sort()).toEqual([...docsWithEmail].sort());
  });

  it("with SELECTED_CATEGORIES releases only those categories' documents, and mails in the formal salutation", async () => {
    const firm = await f.buildFirm();
    const cats = await categoryIds(firm.adminClient);
    const { documentCategories: recommended } = await firm.employeeClient.request(DocumentCategoriesDocument, { recommended: true });
    expect(recommended.length).toBeGreaterThan(0);
    expect(recommended.every((c) => c.recommended)).toBe(true);
    const recommendedIds = new Set(recommended.map((c) => c.id));
    const notRecommended = Object.values(cats).filter((id) => !recommendedIds.has(id));
    expect(notRecommended.length).toBeGreaterThan(0);

    const customer = await f.buildCustomer({ tenant: firm.tenant, firstName: "Clara", lastName: "Conrad" });
    const policy = await addDocument(firm.employeeClient, customer, cats.POLICY!);
    const invoice = await addDocument(firm.employeeClient, customer, cats.INVOICE!);
    const correspondence = await addDocument(firm.employeeClient, customer, cats.CORRESPONDENCE!);
    const other = await addDocument(firm.employeeClient, customer, cats.OTHER!);
    expect(recommendedIds.has(cats.POLICY!) && recommendedIds.has(cats.INVOICE!)).toBe(true);
    expect(recommendedIds.has(cats.CORRESPONDENCE!) || recommendedIds.has(cats.OTHER!)).toBe(false);

    // No category chosen: refused, nothing happens.
    const none = await expectApiError(invite(firm.employeeClient, [{ customerId: customerId(customer) }], { sharing: "SELECTED_CATEGORIES", categoryIds: [] }), "BAD_USER_INPUT");
    expect(none.fields.map((p) => p.field)).toEqual(["input.categoryIds"]);
    expect(await db().select().from(appAccounts).where(eq(appAccounts.customerId, customer.id))).toEqual([]);

    const { inviteCustomers } = await invite(firm.employeeClient, [{ customerId: customerId(customer) }], {
      sharing: "SELECTED_CATEGORIES",
      categoryIds: [...recommendedIds],
      salutation: "SIE",
    });
    expect(inviteCustomers.results[0]).toMatchObject({ status: "INVITED", appAccount: { salutation: "SIE" } });
    expect(await visibility(firm.employeeClient, customer)).toEqual({ [policy]: true, [invoice]: true, [correspondence]: false, [other]: false });

    await deliverMails();
    const [mail] = mailsTo(customer.email!);
    expect(mail!.subject).toContain("Sie");
    expect(mail!.text).toContain("Guten Tag Clara Conrad,");
    expect(mail!.text).toMatch(/\bSie\b/);
    expect(mail!.text).not.toContain("dich");
    expect(mail!.text).not.toContain("Hallo");
    expect(mail!.text).toContain(firm.tenant.name); // no profile name set: the firm's name
    expect([...linkIn(mail!).searchParams.keys()]).toEqual(["token"]);
    const { linkInfo } = await t.client().request(LinkInfoDocument, { token: linkIn(mail!).searchParams.get("token")! });
    expect(linkInfo).toMatchObject({ purpose: "APP_REGISTRATION", email: customer.email, brokerId: firm.tenant.brokerId, firmName: firm.tenant.name });
  });

  it("reports ALREADY_ACTIVE for an active login even when the customer record has no email (not MISSING_EMAIL)", async () => {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant, email: null });
    const account = await f.buildAppAccount({ customer, email: `app-${unique()}@example.test` });
    const { inviteCustomers } = await invite(firm.employeeClient, [{ customerId: customerId(customer) }]);
    expect(inviteCustomers.results[0]).toMatchObject({ status: "ALREADY_ACTIVE", appAccount: { id: accountId(account), status: "ACTIVE" } });
    expect(await db().select().from(mailOutbox).where(eq(mailOutbox.toAddress, account.email))).toEqual([]);
  });

  it("invites a customer listed twice once: one mail, whose link works; the repeat is an ERROR", async () => {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const { inviteCustomers } = await invite(firm.employeeClient, [{ customerId: customerId(customer) }, { customerId: customerId(customer) }]);
    expect(inviteCustomers.results.map((r) => [r.status, r.errorCode])).toEqual([
      ["INVITED", null],
      ["ERROR", "BAD_USER_INPUT"],
    ]);
    const token = await tokenMailedTo(customer.email!);
    expect(mailsTo(customer.email!)).toHaveLength(1);
    await t.client().request(RegisterDocument, { input: { email: customer.email!, token, password: GOOD_PASSWORD } });
  });

  it("is refused with APP_DISABLED while the firm's app is switched off (rule A1)", async () => {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const disabled = await t.operator().request(SetCustomerAppEnabledDocument, { input: { brokerId: firm.tenant.brokerId, enabled: false } });
    expect(disabled.setCustomerAppEnabled.tenant.customerAppEnabled).toBe(false);
    await expectApiError(invite(firm.adminClient, [{ customerId: customerId(customer) }]), "APP_DISABLED");
    expect(await db().select().from(appAccounts).where(eq(appAccounts.customerId, customer.id))).toEqual([]);
    expect(await db().select().from(mailOutbox).where(eq(mailOutbox.toAddress, customer.email!))).toEqual([]);
    // Switched on again, the same invitation works.
    await t.operator().request(SetCustomerAppEnabledDocument, { input: { brokerId: firm.tenant.brokerId, enabled: true } });
    expect((await invite(firm.adminClient, [{ customerId: customerId(customer) }])).inviteCustomers.results[0]!.status).toBe("INVITED");
    // Registering (which logs in) is refused while the app is off, without using the link up.
    const token = await tokenMailedTo(customer.email!);
    await t.operator().request(SetCustomerAppEnabledDocument, { input: { brokerId: firm.tenant.brokerId, enabled: false } });
    await expectApiError(t.client().request(RegisterDocument, { input: { email: customer.email!, token, password: GOOD_PASSWORD } }), "APP_DISABLED");
    await t.operator().request(SetCustomerAppEnabledDocument, { input: { brokerId: firm.tenant.brokerId, enabled: true } });
    expect((await t.client().request(RegisterDocument, { input: { email: customer.email!, token, password: GOOD_PASSWORD } })).register.viewer.kind).toBe("APP_ACCOUNT");
  });
});

describe("D2: re-invitation", () => {
  it("sends a fresh link to an INVITED account; the old link no longer registers, the new one does", async () => {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const first = await invitedToken(firm, customer);
    const { inviteCustomers } = await invite(firm.employeeClient, [{ customerId: customerId(customer) }], { salutation: "DU" });
    expect(inviteCustomers.results[0]).toMatchObject({ status: "INVITED", appAccount: { status: "INVITED", salutation: "DU" } });
    const second = await tokenMailedTo(customer.email!);
    expect(mailsTo(customer.email!)).toHaveLength(2);
    expect(second).not.toBe(first);

    const old = await expectApiError(t.client().request(RegisterDocument, { input: { email: customer.email!, token: first, password: GOOD_PASSWORD } }), "BAD_USER_INPUT");
    expect(old.fields).toMatchObject([{ field: "input.token", rule: "TOKEN_VALID" }]);
    const { register } = await t.client().request(RegisterDocument, { input: { email: customer.email!, token: second, password: GOOD_PASSWORD } });
    expect(register.viewer.kind).toBe("APP_ACCOUNT");
  });
});

describe("D1: invitations never rewrite data silently", () => {
  it("an email that differs from the one on record is refused for that customer (EMAIL_MISMATCH) with nothing changed; replaceEmail replaces it", async () => {
    const firm = await f.buildFirm();
    const cats = await categoryIds(firm.adminClient);
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const onRecord = customer.email!;
    const typo = `vertippt-${unique()}@example.test`;
    const document = await addDocument(firm.employeeClient, customer, cats.POLICY!);
    const bystander = await f.buildCustomer({ tenant: firm.tenant });
    await deliverMails();
    const before = smtp.received.length;

    const { inviteCustomers } = await invite(firm.employeeClient, [{ customerId: customerId(customer), email: typo }, { customerId: customerId(bystander) }]);
    const [refused, invited] = inviteCustomers.results;
    expect(refused).toMatchObject({ customerId: customerId(customer), status: "EMAIL_MISMATCH", errorCode: null, appAccount: null, customer: { email: onRecord } });
    expect(refused!.message).toContain("replaceEmail");
    expect(invited!.status).toBe("INVITED"); // the others proceed
    // Nothing changed for the refused customer: email, login, released documents, mail.
    expect((await firm.employeeClient.request(CustomerDocument, { id: customerId(customer) })).customer.email).toBe(onRecord);
    expect(await db().select().from(appAccounts).where(eq(appAccounts.customerId, customer.id))).toEqual([]);
    expect(await visibility(firm.employeeClient, customer)).toEqual({ [document]: false });
    await deliverMails();
    expect(smtp.received.slice(before).map((m) => m.to)).toEqual([[bystander.email]]);

    // The same email as on record (any case) is no conflict.
    const same = await invite(firm.employeeClient, [{ customerId: customerId(customer), email: onRecord.toUpperCase() }]);
    expect(same.inviteCustomers.results[0]!.status).toBe("INVITED");
    // A pending login with the old address: still refused without replaceEmail, the login keeps its email.
    const again = await invite(firm.employeeClient, [{ customerId: customerId(customer), email: typo }]);
    expect(again.inviteCustomers.results[0]).toMatchObject({ status: "EMAIL_MISMATCH", appAccount: { email: onRecord, status: "INVITED" } });
    // replaceEmail without an email is refused for that customer.
    const noEmail = await invite(firm.employeeClient, [{ customerId: customerId(customer), replaceEmail: true }]);
    expect(noEmail.inviteCustomers.results[0]).toMatchObject({ status: "ERROR", errorCode: "BAD_USER_INPUT" });

    // Asked for: the email is replaced on the customer and the login, and the invitation goes to the new one.
    const replaced = await invite(firm.employeeClient, [{ customerId: customerId(customer), email: typo, replaceEmail: true }]);
    expect(replaced.inviteCustomers.results[0]).toMatchObject({ status: "INVITED", customer: { email: typo }, appAccount: { email: typo } });
    expect((await firm.employeeClient.request(CustomerDocument, { id: customerId(customer) })).customer.email).toBe(typo);
    const token = await tokenMailedTo(typo);
    await t.client().request(RegisterDocument, { input: { email: typo, token, password: GOOD_PASSWORD } });
  });

  it("two customers with one email (a couple) end with one login that sees both: the second is EMAIL_IN_USE with that login, then household access", async () => {
    const firm = await f.buildFirm();
    const shared = `familie-${unique()}@example.test`;
    const [anna, bernd] = [
      await f.buildCustomer({ tenant: firm.tenant, firstName: "Anna", lastName: "Paar", email: shared }),
      await f.buildCustomer({ tenant: firm.tenant, firstName: "Bernd", lastName: "Paar", email: shared }),
    ];
    await deliverMails();
    const before = smtp.received.length;
    // Both in one call: the first is invited, the second told that this email's login exists, with that login.
    const { inviteCustomers } = await firm.employeeClient.request(InviteCustomersWithAccessDocument, {
      input: { customers: [{ customerId: customerId(anna) }, { customerId: customerId(bernd) }], sharing: "ALL_DOCUMENTS" },
    });
    const [first, second] = inviteCustomers.results;
    expect(first).toMatchObject({ status: "INVITED", appAccount: { email: shared } });
    expect(second).toMatchObject({ status: "EMAIL_IN_USE", errorCode: null, customer: { id: customerId(bernd) }, appAccount: { id: first!.appAccount!.id, customer: { id: customerId(anna) } } });
    expect(second!.message).toContain("household");
    expect(await db().select().from(appAccounts).where(eq(appAccounts.customerId, bernd.id))).toEqual([]);
    await deliverMails();
    expect(smtp.received.slice(before)).toHaveLength(1);

    // Anna registers; inviting Bernd again still answers with her (now active) login.
    const { register } = await t.client().request(RegisterDocument, { input: { email: shared, token: await tokenMailedTo(shared), password: GOOD_PASSWORD } });
    const again = await invite(firm.employeeClient, [{ customerId: customerId(bernd) }]);
    expect(again.inviteCustomers.results[0]).toMatchObject({ status: "EMAIL_IN_USE", appAccount: { id: first!.appAccount!.id, status: "ACTIVE" } });

    // What the result offers: household access for Bernd on that login (rule D9).
    await firm.employeeClient.request(GrantCustomerAccessDocument, { input: { appAccountId: second!.appAccount!.id, customerId: customerId(bernd) } });
    const app = t.client(register.token);
    const { viewer } = await app.request(AppViewerDocument);
    expect(viewer!.customers.map((c) => c.id).sort()).toEqual([customerId(anna), customerId(bernd)].sort());
    // A fresh login with the shared email sees both too.
    const { login } = await appLogin({ email: shared, brokerId: firm.tenant.brokerId, password: GOOD_PASSWORD });
    const fresh = (await t.client(login.token).request(AppViewerDocument)).viewer!;
    expect(fresh.customers.map((c) => c.id).sort()).toEqual([customerId(anna), customerId(bernd)].sort());
    expect(await db().select().from(appAccounts).where(eq(appAccounts.email, shared))).toHaveLength(1);
  });
});

describe("D3: deleting an app account", () => {
  it("ends its sessions; the customer and its documents stay; employees may not", async () => {
    const firm = await f.buildFirm();
    const cats = await categoryIds(firm.adminClient);
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const doc = await addDocument(firm.employeeClient, account.customer, cats.POLICY!, true);
    const app = await f.appClient(account);
    expect((await app.request(DocumentsDocument, {})).documents.edges.map((e) => e.node.id)).toEqual([doc]);

    await expectApiError(firm.employeeClient.request(DeleteAppAccountDocument, { input: { id: accountId(account) } }), "FORBIDDEN");
    expect((await app.request(AppViewerDocument)).viewer?.kind).toBe("APP_ACCOUNT");

    const { deleteAppAccount } = await firm.adminClient.request(DeleteAppAccountDocument, { input: { id: accountId(account) } });
    expect(deleteAppAccount.ok).toBe(true);
    // Its session ended: the app token stops working, and so does the password.
    expect((await app.request(AppViewerDocument)).viewer).toBeNull();
    await expectApiError(app.request(DocumentsDocument, {}), "UNAUTHENTICATED");
    await expectApiError(appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: account.password }), "UNAUTHENTICATED");
    // The customer and its documents stay.
    expect((await firm.adminClient.request(CustomerDocument, { id: customerId(account.customer) })).customer.id).toBe(customerId(account.customer));
    expect(await visibility(firm.adminClient, account.customer)).toEqual({ [doc]: true });
    const { appAccounts: listed } = await firm.adminClient.request(AppAccountsDocument, { first: 100 });
    expect(listed.edges.map((e) => e.node.id)).not.toContain(accountId(account));
    // Deleting it again: it is gone.
    await expectApiError(firm.adminClient.request(DeleteAppAccountDocument, { input: { id: accountId(account) } }), "NOT_FOUND");
    // The old portal login removed, the customer can be invited afresh (the originals' "Weg 2").
    const again = await invite(firm.adminClient, [{ customerId: customerId(account.customer) }]);
    expect(again.inviteCustomers.results[0]!.status).toBe("INVITED");
    // Deleting an invited account voids its registration link too.
    const token = await tokenMailedTo(account.email);
    await firm.adminClient.request(DeleteAppAccountDocument, { input: { id: again.inviteCustomers.results[0]!.appAccount!.id } });
    const voided = await expectApiError(t.client().request(RegisterDocument, { input: { email: account.email, token, password: GOOD_PASSWORD } }), "BAD_USER_INPUT");
    expect(voided.fields).toMatchObject([{ field: "input.token", rule: "TOKEN_VALID" }]);
  });

  it("an admin of another firm gets NOT_FOUND and the account keeps working", async () => {
    const firm = await f.buildFirm();
    const stranger = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const app = await f.appClient(account);
    await expectApiError(stranger.adminClient.request(DeleteAppAccountDocument, { input: { id: accountId(account) } }), "NOT_FOUND");
    expect((await app.request(AppViewerDocument)).viewer?.kind).toBe("APP_ACCOUNT");
  });
});

describe("D4: registration", () => {
  it("names every password rule that is missed, checks the invited email, and logs in once", async () => {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const token = await invitedToken(firm, customer);
    const register = (password: string, email = customer.email!) => t.client().request(RegisterDocument, { input: { email, token, password } });

    const cases: Array<[password: string, rules: string[]]> = [
      ["Aa1!aaa", ["PASSWORD_MIN_LENGTH"]],
      ["AAAAAAA1!", ["PASSWORD_LOWERCASE"]],
      ["aaaaaaa1!", ["PASSWORD_UPPERCASE"]],
      ["Aaaaaaaa!", ["PASSWORD_DIGIT"]],
      ["Aaaaaaaa1", ["PASSWORD_SPECIAL"]],
      ["Passwort1!", ["PASSWORD_COMMON"]],
      ["abc", ["PASSWORD_MIN_LENGTH", "PASSWORD_UPPERCASE", "PASSWORD_DIGIT", "PASSWORD_SPECIAL"]],
      ["", ["PASSWORD_MIN_LENGTH", "PASSWORD_LOWERCASE", "PASSWORD_UPPERCASE", "PASSWORD_DIGIT", "PASSWORD_SPECIAL"]],
    ];
    for (const [password, rules] of cases) {
      const err = await expectApiError(register(password), "BAD_USER_INPUT");
      expect(err.fields.map((p) => p.rule).sort(), `password ${JSON.stringify(password)}`).toEqual([...rules].sort());
      expect(new Set(err.fields.map((p) => p.field))).toEqual(new Set(["input.password"]));
    }

    // Another email than the invited one: refused on input.email; the link still works afterwards.
    const wrong = await expectApiError(register(GOOD_PASSWORD, `jemand-anderes-${unique()}@example.test`), "BAD_USER_INPUT");
    expect(wrong.fields.map((p) => [p.field, p.rule])).toEqual([["input.email", "INVITED_EMAIL"]]);
    expect(await db().select().from(appAccounts).where(eq(appAccounts.customerId, customer.id))).toMatchObject([{ status: "INVITED", passwordHash: null }]);

    const { register: done } = await register(GOOD_PASSWORD, customer.email!.toUpperCase());
    expect(done.viewer.kind).toBe("APP_ACCOUNT");
    expect(done.viewer.appAccount).toMatchObject({ email: customer.email, status: "ACTIVE" });
    expect(done.viewer.customers.map((c) => c.id)).toEqual([customerId(customer)]);
    const app = t.client(done.token);
    const { viewer } = await app.request(AppViewerDocument);
    expect(viewer).toMatchObject({ kind: "APP_ACCOUNT", tenant: { brokerId: firm.tenant.brokerId }, customers: [{ id: customerId(customer) }] });
    // The password set is the login's password now.
    await appLogin({ email: customer.email!, brokerId: firm.tenant.brokerId, password: GOOD_PASSWORD });

    // The link used twice.
    const twice = await expectApiError(register("Anderes-Passwort-9"), "BAD_USER_INPUT");
    expect(twice.fields).toMatchObject([{ field: "input.token", rule: "TOKEN_VALID" }]);
    await expectApiError(appLogin({ email: customer.email!, brokerId: firm.tenant.brokerId, password: "Anderes-Passwort-9" }), "UNAUTHENTICATED");
  });

  it("registers exactly once when the same link is used twice at once", async () => {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const token = await invitedToken(firm, customer);
    const attempts = await Promise.allSettled(
      ["Erstes-Passwort-1", "Zweites-Passwort-2"].map((password) => t.client().request(RegisterDocument, { input: { email: customer.email!, token, password } })),
    );
    expect(attempts.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = attempts.find((r): r is PromiseRejectedResult => r.status === "rejected")!.reason as { code: string; fields: Array<{ rule: string }> };
    expect(refused.code).toBe("BAD_USER_INPUT");
    expect(refused.fields.map((p) => p.rule)).toEqual(["TOKEN_VALID"]);
  });

  it("refuses a link older than 30 days (moves the clock; uses no session made before)", async () => {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const token = await invitedToken(firm, customer);
    t.clock.advance(APP_INVITE_TTL_MS + 60_000);
    const expired = await expectApiError(t.client().request(RegisterDocument, { input: { email: customer.email!, token, password: GOOD_PASSWORD } }), "BAD_USER_INPUT");
    expect(expired.fields).toMatchObject([{ field: "input.token", rule: "TOKEN_VALID" }]);
  });
});

describe("D5: managing app accounts", () => {
  it("lists accounts by status for admins only", async () => {
    const firm = await f.buildFirm();
    const invitedCustomers = [await f.buildCustomer({ tenant: firm.tenant }), await f.buildCustomer({ tenant: firm.tenant })];
    const { inviteCustomers } = await invite(firm.adminClient, invitedCustomers.map((c) => ({ customerId: customerId(c) })));
    const invited = inviteCustomers.results.map((r) => r.appAccount!.id);
    const active = accountId(await f.buildAppAccount({ tenant: firm.tenant }));
    const deactivated = accountId(await f.buildAppAccount({ tenant: firm.tenant, status: "DEACTIVATED" }));
    const other = await f.buildFirm();
    await f.buildAppAccount({ tenant: other.tenant });

    const ids = async (status?: "INVITED" | "ACTIVE" | "DEACTIVATED") => {
      const { appAccounts: list } = await firm.adminClient.request(AppAccountsDocument, { first: 100, status });
      expect(list.totalCount).toBe(list.edges.length);
      return list.edges.map((e) => e.node.id).sort();
    };
    expect(await ids("INVITED")).toEqual([...invited].sort());
    expect(await ids("ACTIVE")).toEqual([active]);
    expect(await ids("DEACTIVATED")).toEqual([deactivated]);
    expect(await ids()).toEqual([...invited, active, deactivated].sort());
    // Pages with cursors.
    const page1 = await firm.adminClient.request(AppAccountsDocument, { first: 3 });
    const page2 = await firm.adminClient.request(AppAccountsDocument, { first: 3, after: page1.appAccounts.pageInfo.endCursor });
    expect(page1.appAccounts.pageInfo.hasNextPage).toBe(true);
    expect([...page1.appAccounts.edges, ...page2.appAccounts.edges].map((e) => e.node.id).sort()).toEqual(await ids());

    await expectApiError(firm.employeeClient.request(AppAccountsDocument, { first: 10 }), "FORBIDDEN");
  });

  it("searches accounts by part of the login email or the customer's name, ignoring case, wildcards literal, within the firm (issue 12)", async () => {
    const firm = await f.buildFirm();
    const tag = crypto.randomBytes(3).toString("hex");
    const jonas = await f.buildAppAccount({ customer: await f.buildCustomer({ tenant: firm.tenant, firstName: "Jonas", lastName: "Berger", email: `jb-${tag}@familie.test` }) });
    const lena = await f.buildAppAccount({
      customer: await f.buildCustomer({ tenant: firm.tenant, firstName: "Lena", lastName: "Schulz", email: `lena_${tag}@schulz.test` }),
      status: "DEACTIVATED",
    });
    const percent = await f.buildAppAccount({ customer: await f.buildCustomer({ tenant: firm.tenant, firstName: "Max", lastName: "100% Sicher", email: `max-${tag}@mail.test` }) });
    // Another firm's namesake: never listed.
    const other = await f.buildFirm();
    await f.buildAppAccount({ customer: await f.buildCustomer({ tenant: other.tenant, firstName: "Jonas", lastName: "Berger", email: `jb2-${tag}@familie.test` }) });

    const search = async (term: string, status?: "INVITED" | "ACTIVE" | "DEACTIVATED") => {
      const { appAccounts: list } = await firm.adminClient.request(AppAccountsDocument, { first: 100, search: term, status });
      expect(list.totalCount).toBe(list.edges.length);
      return list.edges.map((e) => e.node.id).sort();
    };
    // By name, either way round, any case.
    expect(await search("jonas b")).toEqual([accountId(jonas)]);
    expect(await search("BERGER, JON")).toEqual([accountId(jonas)]);
    expect(await search("schul")).toEqual([accountId(lena)]);
    // By email, partly.
    expect(await search("FAMILIE.test")).toEqual([accountId(jonas)]);
    expect(await search(tag)).toEqual([accountId(jonas), accountId(lena), accountId(percent)].sort());
    // With the status filter.
    expect(await search(tag, "DEACTIVATED")).toEqual([accountId(lena)]);
    // Wildcards match themselves.
    expect(await search("100%")).toEqual([accountId(percent)]);
    expect(await search("_")).toEqual([accountId(lena)]);
    expect(await search("%")).toEqual([accountId(percent)]);
    expect(await search("keiner-hier")).toEqual([]);
    // Too long: BAD_USER_INPUT naming `search`; employees stay FORBIDDEN.
    const err = await expectApiError(firm.adminClient.request(AppAccountsDocument, { search: "x".repeat(101) }), "BAD_USER_INPUT");
    expect(err.fields).toEqual([expect.objectContaining({ field: "search", rule: "LENGTH" })]);
    await expectApiError(firm.employeeClient.request(AppAccountsDocument, { search: "jonas" }), "FORBIDDEN");
  });

  it("activates an invited account by hand and mails a link to set the password, as invited (Du); the link leads to a login, the invitation link is dead", async () => {
    const firm = await f.buildFirm();
    await firm.adminClient.request(UpdateBrokerProfileDocument, { input: profile });
    const customer = await f.buildCustomer({ tenant: firm.tenant, firstName: "Dora", lastName: "Duzen" });
    const { inviteCustomers } = await invite(firm.adminClient, [{ customerId: customerId(customer) }], { salutation: "DU" });
    const id = inviteCustomers.results[0]!.appAccount!.id;
    const invitation = await tokenMailedTo(customer.email!);
    await expectApiError(firm.employeeClient.request(ActivateAppAccountDocument, { input: { id } }), "FORBIDDEN");

    const { activateAppAccount } = await firm.adminClient.request(ActivateAppAccountDocument, { input: { id } });
    expect(activateAppAccount.appAccount).toMatchObject({ id, status: "ACTIVE", hasPassword: false });
    expect(activateAppAccount.appAccount.activatedAt).toBeTruthy();
    // No password yet: nothing logs in.
    await expectApiError(appLogin({ email: customer.email!, brokerId: firm.tenant.brokerId, password: GOOD_PASSWORD }), "UNAUTHENTICATED");

    // The customer is told, in the salutation of the invitation.
    await deliverMails();
    expect(mailsTo(customer.email!)).toHaveLength(2);
    const mail = mailsTo(customer.email!).at(-1)!;
    expect(mail.subject).toBe(`Dein Zugang zur Kunden-App von ${profile.name} ist freigeschaltet`);
    expect(mail.text).toContain("Hallo Dora Duzen,");
    expect(mail.text).toContain("lege über den folgenden Link dein Passwort fest");
    expect(mail.text).not.toMatch(/\bSie\b|Ihr/);
    expect(mail.text).toContain(firm.tenant.brokerId);
    const link = linkIn(mail);
    expect([...link.searchParams.keys()]).toEqual(["token"]);
    const token = link.searchParams.get("token")!;
    expect((await t.client().request(LinkInfoDocument, { token })).linkInfo).toMatchObject({ purpose: "APP_SET_PASSWORD", email: customer.email, brokerId: firm.tenant.brokerId });
    // The invitation link leads nowhere now, rather than to an error after the customer typed a password.
    await expectApiError(t.client().request(LinkInfoDocument, { token: invitation }), "NOT_FOUND");
    await expectApiError(t.client().request(RegisterDocument, { input: { email: customer.email!, token: invitation, password: GOOD_PASSWORD } }), "BAD_USER_INPUT");

    await t.client().request(ResetPasswordDocument, { input: { token, password: "Mein-Neues-Passwort-1" } });
    const { login } = await appLogin({ email: customer.email!, brokerId: firm.tenant.brokerId, password: "Mein-Neues-Passwort-1" });
    expect(login.viewer.kind).toBe("APP_ACCOUNT");
    expect((await t.client(login.token).request(AppViewerDocument)).viewer?.appAccount?.id).toBe(id);
    const { appAccounts: list } = await firm.adminClient.request(AppAccountsDocument, { status: "ACTIVE" });
    expect(list.edges.map((e) => e.node)).toMatchObject([{ id, hasPassword: true }]);
    // Single use; activating again sends nothing.
    await expectApiError(t.client().request(ResetPasswordDocument, { input: { token, password: "Noch-Ein-Passwort-2" } }), "BAD_USER_INPUT");
    await firm.adminClient.request(ActivateAppAccountDocument, { input: { id } });
    await deliverMails();
    expect(mailsTo(customer.email!)).toHaveLength(2);
  });

  it("the activation mail of a formally invited customer says Sie; its link is valid for a week", async () => {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant, firstName: "Siegfried", lastName: "Sieger" });
    const { inviteCustomers } = await invite(firm.adminClient, [{ customerId: customerId(customer) }], { salutation: "SIE" });
    await firm.adminClient.request(ActivateAppAccountDocument, { input: { id: inviteCustomers.results[0]!.appAccount!.id } });
    await deliverMails();
    const mail = mailsTo(customer.email!).at(-1)!;
    expect(mail.subject).toBe(`Ihr Zugang zur Kunden-App von ${firm.tenant.name} ist freigeschaltet`);
    expect(mail.text).toContain("Guten Tag Siegfried Sieger,");
    expect(mail.text).toContain("legen Sie über den folgenden Link Ihr Passwort fest");
    expect(mail.text).toContain("7 Tage gültig");
    expect(mail.text).not.toMatch(/\bdu\b|\bdein/i);
    const token = linkIn(mail).searchParams.get("token")!;
    const { linkInfo } = await t.client().request(LinkInfoDocument, { token });
    expect(new Date(linkInfo.expiresAt).getTime() - t.clock.now().getTime()).toBeGreaterThan(ACTIVATION_LINK_TTL_MS - 60_000);
    await t.client().request(ResetPasswordDocument, { input: { token, password: "Sieger-Passwort-1" } });
    await appLogin({ email: customer.email!, brokerId: firm.tenant.brokerId, password: "Sieger-Passwort-1" });
  });

  it("deactivation ends sessions and closes open subscriptions at once; reactivation lets them log in again", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const app = await f.appClient(account);
    const closed = socketClosed(app);
    const sub = await liveAccessSubscription(firm, account, app);

    await expectApiError(firm.employeeClient.request(DeactivateAppAccountDocument, { input: { id: accountId(account) } }), "FORBIDDEN");
    const { deactivateAppAccount } = await firm.adminClient.request(DeactivateAppAccountDocument, { input: { id: accountId(account) } });
    expect(deactivateAppAccount.appAccount.status).toBe("DEACTIVATED");
    expect(await closed).toBe(4401);
    await expectEnded(sub);
    expect((await app.request(AppViewerDocument)).viewer).toBeNull();
    await expectApiError(app.request(DocumentsDocument, {}), "UNAUTHENTICATED");
    await expectApiError(appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: account.password }), "ACCOUNT_DEACTIVATED");
    // A deactivated login is not re-invited; it is reactivated.
    expect((await invite(firm.adminClient, [{ customerId: customerId(account.customer) }])).inviteCustomers.results[0]).toMatchObject({ status: "ERROR", errorCode: "CONFLICT" });
    await expectApiError(firm.adminClient.request(ActivateAppAccountDocument, { input: { id: accountId(account) } }), "CONFLICT");

    await expectApiError(firm.employeeClient.request(ReactivateAppAccountDocument, { input: { id: accountId(account) } }), "FORBIDDEN");
    const { reactivateAppAccount } = await firm.adminClient.request(ReactivateAppAccountDocument, { input: { id: accountId(account) } });
    expect(reactivateAppAccount.appAccount.status).toBe("ACTIVE");
    const { login } = await appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: account.password });
    expect((await t.client(login.token).request(AppViewerDocument)).viewer?.appAccount?.id).toBe(accountId(account));
    // The old session stays ended.
    expect((await app.request(AppViewerDocument)).viewer).toBeNull();
  });
});

describe("D6: app login", () => {
  it("takes email, broker ID (any case, with spaces) and password", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const id = firm.tenant.brokerId.toLowerCase();
    const { login } = await appLogin({ email: account.email.toUpperCase(), brokerId: ` ${id.slice(0, 3)} ${id.slice(3)} `, password: account.password });
    expect(login.viewer.kind).toBe("APP_ACCOUNT");
    const app = t.client(login.token);
    const { viewer } = await app.request(AppViewerDocument);
    expect(viewer).toMatchObject({ kind: "APP_ACCOUNT", appAccount: { id: accountId(account) }, customers: [{ id: customerId(account.customer) }] });
    // The token works over WebSocket too.
    const ws = app.socket().iterate({ query: "{ viewer { kind } }" });
    expect((await ws.next()).value?.data).toEqual({ viewer: { kind: "APP_ACCOUNT" } });
  });

  it("answers a wrong email, broker ID or password with one and the same error", async () => {
    const firm = await f.buildFirm();
    const other = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const right = { email: account.email, brokerId: firm.tenant.brokerId, password: account.password };
    const errors = [
      await expectApiError(appLogin({ ...right, email: `unbekannt-${unique()}@example.test` }), "UNAUTHENTICATED"),
      await expectApiError(appLogin({ ...right, brokerId: other.tenant.brokerId }), "UNAUTHENTICATED"),
      await expectApiError(appLogin({ ...right, brokerId: "ZZZZZZ" }), "UNAUTHENTICATED"),
      await expectApiError(appLogin({ ...right, password: "Falsches-Passwort-1" }), "UNAUTHENTICATED"),
    ];
    for (const err of errors.slice(1)) {
      expect(err.message).toBe(errors[0]!.message);
      expect(err.errors.map((e) => e.extensions)).toEqual(errors[0]!.errors.map((e) => e.extensions));
    }
    // The staff login path (no broker ID) does not let an app account in either.
    await expectApiError(t.client().request(LoginDocument, { input: { email: account.email, password: account.password } }), "UNAUTHENTICATED");
  });

  it("tells ACCOUNT_DEACTIVATED only after a correct password", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant, status: "DEACTIVATED" });
    const wrong = await expectApiError(appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: "Falsches-Passwort-1" }), "UNAUTHENTICATED");
    const unknown = await expectApiError(appLogin({ email: `x-${unique()}@example.test`, brokerId: firm.tenant.brokerId, password: "Falsches-Passwort-1" }), "UNAUTHENTICATED");
    expect(wrong.errors.map((e) => e.extensions)).toEqual(unknown.errors.map((e) => e.extensions));
    await expectApiError(appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: account.password }), "ACCOUNT_DEACTIVATED");
  });

  it("tells APP_DISABLED only after a correct password, and ends running app sessions at once (rule A1)", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const app = await f.appClient(account);
    const closed = socketClosed(app);
    const sub = await liveAccessSubscription(firm, account, app);

    await t.operator().request(SetCustomerAppEnabledDocument, { input: { brokerId: firm.tenant.brokerId, enabled: false } });
    // The running session stops working with the very next request, and its socket closes.
    expect((await app.request(AppViewerDocument)).viewer).toBeNull();
    await expectApiError(app.request(DocumentsDocument, {}), "UNAUTHENTICATED");
    expect(await closed).toBe(4401);
    await expectEnded(sub);
    // Staff keep working.
    expect((await firm.adminClient.request(AppAccountsDocument, {})).appAccounts.totalCount).toBe(1);

    await expectApiError(appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: "Falsches-Passwort-1" }), "UNAUTHENTICATED");
    await expectApiError(appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: account.password }), "APP_DISABLED");

    await t.operator().request(SetCustomerAppEnabledDocument, { input: { brokerId: firm.tenant.brokerId, enabled: true } });
    await appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: account.password });
  });

  it("throttles after 5 failures from one address, even the right password afterwards (RATE_LIMITED)", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const guesser = t.client();
    for (let i = 0; i < 5; i++) {
      await expectApiError(appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: `Falsch-${i}-Aa!` }, guesser), "UNAUTHENTICATED");
    }
    const limited = await expectApiError(appLogin({ email: account.email, brokerId: firm.tenant.brokerId.toLowerCase(), password: account.password }, guesser), "RATE_LIMITED");
    expect(limited.errors[0]!.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    // The limit is per account and address: the owner elsewhere still gets in (the per-account ceiling is far higher).
    await appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: account.password });
  });
});

describe("D7: password reset", () => {
  it("answers alike for unknown and known emails, mails only the known one; the token works once and ends every session", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant, salutation: "SIE" });
    const bystander = await f.buildAppAccount({ tenant: firm.tenant });
    const older = await f.appClient(account);
    const newer = await f.appClient(account);
    const bystanderApp = await f.appClient(bystander);
    const unknownEmail = `unbekannt-${unique()}@example.test`;
    await deliverMails(); // whatever earlier tests queued
    const before = smtp.received.length;

    const unknown = await t.client().request(RequestPasswordResetDocument, { input: { email: unknownEmail, brokerId: firm.tenant.brokerId } });
    const known = await t.client().request(RequestPasswordResetDocument, { input: { email: account.email.toUpperCase(), brokerId: firm.tenant.brokerId.toLowerCase() } });
    expect(unknown).toEqual(known);
    expect(known.requestPasswordReset.ok).toBe(true);
    await deliverMails();
    const arrived = smtp.received.slice(before);
    expect(arrived.map((m) => m.to)).toEqual([[account.email]]);
    expect(mailsTo(unknownEmail)).toEqual([]);
    const mail = arrived[0]!;
    expect(mail.subject).toBe("Ihr neues Passwort für die Kunden-App");
    const link = linkIn(mail);
    expect([...link.searchParams.keys()]).toEqual(["token"]);
    const token = link.searchParams.get("token")!;
    expect(token).toMatch(/^kr_/);
    expect((await t.client().request(LinkInfoDocument, { token })).linkInfo).toMatchObject({ purpose: "APP_PASSWORD_RESET", email: account.email, brokerId: firm.tenant.brokerId });

    // The new password follows D4; a refused one does not use the token up.
    const weak = await expectApiError(t.client().request(ResetPasswordDocument, { input: { token, password: "kurz" } }), "BAD_USER_INPUT");
    expect(weak.fields.map((p) => p.rule).sort()).toEqual(["PASSWORD_DIGIT", "PASSWORD_MIN_LENGTH", "PASSWORD_SPECIAL", "PASSWORD_UPPERCASE"]);

    const olderClosed = socketClosed(older);
    const olderSub = await liveAccessSubscription(firm, account, older);
    const newPassword = "Ganz-Neues-Passwort-7";
    expect((await t.client().request(ResetPasswordDocument, { input: { token, password: newPassword } })).resetPassword.ok).toBe(true);
    // Every session of the account ended, sockets included; other accounts' sessions did not.
    expect(await olderClosed).toBe(4401);
    await expectEnded(olderSub);
    for (const c of [older, newer]) expect((await c.request(AppViewerDocument)).viewer).toBeNull();
    expect((await bystanderApp.request(AppViewerDocument)).viewer?.kind).toBe("APP_ACCOUNT");
    await expectApiError(appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: account.password }), "UNAUTHENTICATED");
    await appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: newPassword });

    // Single use.
    const again = await expectApiError(t.client().request(ResetPasswordDocument, { input: { token, password: "Noch-Ein-Passwort-8" } }), "BAD_USER_INPUT");
    expect(again.fields).toMatchObject([{ field: "input.token", rule: "TOKEN_VALID" }]);
  });

  it("a reset link is valid for one hour only (moves the clock by 61 minutes)", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    await t.client().request(RequestPasswordResetDocument, { input: { email: account.email, brokerId: firm.tenant.brokerId } });
    const token = await tokenMailedTo(account.email);
    t.clock.advance(PASSWORD_RESET_TTL_MS + 60_000);
    const expired = await expectApiError(t.client().request(ResetPasswordDocument, { input: { token, password: "Zu-Spaet-Passwort-1" } }), "BAD_USER_INPUT");
    expect(expired.fields).toMatchObject([{ field: "input.token", rule: "TOKEN_VALID" }]);
    await appLogin({ email: account.email, brokerId: firm.tenant.brokerId, password: account.password });
  });
});

describe("D8: app logout", () => {
  it("ends the session over HTTP and closes its WebSocket", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const app = await f.appClient(account);
    const other = await f.appClient(account);
    const closed = socketClosed(app);
    const sub = await liveAccessSubscription(firm, account, app);
    expect((await app.request(LogoutDocument)).logout.ok).toBe(true);
    expect(await closed).toBe(4401);
    await expectEnded(sub);
    expect((await app.request(AppViewerDocument)).viewer).toBeNull();
    await expectApiError(app.request(DocumentsDocument, {}), "UNAUTHENTICATED");
    // A new socket with the ended token is refused.
    await app.close();
    const refused = socketClosed(app);
    await expect(app.socket().iterate({ query: "{ viewer { kind } }" }).next()).rejects.toBeTruthy();
    expect(await refused).toBe(4403);
    // Only that session ended.
    expect((await other.request(AppViewerDocument)).viewer?.kind).toBe("APP_ACCOUNT");
  });
});

describe("D9: household access", () => {
  it("a grant takes effect on the very next request and is pushed; a revocation likewise", async () => {
    const firm = await f.buildFirm();
    const cats = await categoryIds(firm.adminClient);
    const own = await f.buildCustomer({ tenant: firm.tenant, lastName: "Aaberg" });
    const account = await f.buildAppAccount({ customer: own });
    const partner = await f.buildCustomer({ tenant: firm.tenant, lastName: "Brandt" });
    const released = await addDocument(firm.employeeClient, partner, cats.POLICY!, true);
    const unreleased = await addDocument(firm.employeeClient, partner, cats.OTHER!, false);
    const app = await f.appClient(account);
    const sub = app.subscribe(AccessChangedDocument, { after: "0" });

    await expectApiError(app.request(CustomerDocument, { id: customerId(partner) }), "NOT_FOUND");
    await expectApiError(app.request(DocumentsDocument, { customerId: customerId(partner) }), "NOT_FOUND");
    await expectApiError(app.request(DocumentDownloadDocument, { id: released }), "NOT_FOUND");

    const { grantCustomerAccess } = await firm.employeeClient.request(GrantCustomerAccessDocument, {
      input: { appAccountId: accountId(account), customerId: customerId(partner) },
    });
    expect(grantCustomerAccess.appAccount.accessibleCustomers.map((c) => c.id)).toEqual([customerId(own), customerId(partner)]);

    // The very next request, no new login.
    expect((await app.request(AppViewerDocument)).viewer?.customers.map((c) => c.id)).toEqual([customerId(own), customerId(partner)]);
    expect((await app.request(CustomerDocument, { id: customerId(partner) })).customer.id).toBe(customerId(partner));
    expect((await app.request(DocumentsDocument, { customerId: customerId(partner) })).documents.edges.map((e) => e.node.id)).toEqual([released]);
    expect((await app.request(DocumentsDocument, {})).documents.edges.map((e) => e.node.id)).toEqual([released]);
    expect((await app.request(DocumentDownloadDocument, { id: released })).node).toMatchObject({ id: released, downloadUrl: expect.any(String) });
    await expectApiError(app.request(DocumentDownloadDocument, { id: unreleased }), "NOT_FOUND");
    // Pushed as an event with the new list.
    const granted = await nextWithin(sub);
    expect(accessEvent(granted).ids).toEqual([customerId(own), customerId(partner)]);

    const { revokeCustomerAccess } = await firm.employeeClient.request(RevokeCustomerAccessDocument, {
      input: { appAccountId: accountId(account), customerId: customerId(partner) },
    });
    expect(revokeCustomerAccess.appAccount.accessibleCustomers.map((c) => c.id)).toEqual([customerId(own)]);
    await expectApiError(app.request(CustomerDocument, { id: customerId(partner) }), "NOT_FOUND");
    await expectApiError(app.request(DocumentsDocument, { customerId: customerId(partner) }), "NOT_FOUND");
    await expectApiError(app.request(DocumentDownloadDocument, { id: released }), "NOT_FOUND");
    expect((await app.request(DocumentsDocument, {})).documents.edges).toEqual([]);
    expect((await app.request(AppViewerDocument)).viewer?.customers.map((c) => c.id)).toEqual([customerId(own)]);
    const revoked = await nextWithin(sub);
    expect(accessEvent(revoked).ids).toEqual([customerId(own)]);
    expect(parseCursor(accessEvent(revoked).cursor)).toBeGreaterThan(parseCursor(accessEvent(granted).cursor)!);
    // Revoking what is not granted changes nothing and pushes nothing.
    await firm.employeeClient.request(RevokeCustomerAccessDocument, { input: { appAccountId: accountId(account), customerId: customerId(partner) } });
    await nothingWithin(sub, 300);
    await sub.return?.();
  });

  it("refuses another firm's customer (NOT_FOUND), the account's own customer (CONFLICT), and app accounts as callers (FORBIDDEN)", async () => {
    const firm = await f.buildFirm();
    const other = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const partner = await f.buildCustomer({ tenant: firm.tenant });
    const foreign = await f.buildCustomer({ tenant: other.tenant });
    const foreignAccount = await f.buildAppAccount({ tenant: other.tenant });
    const grant = (client: KundenappClient, appAccount: { id: string }, customer: { id: string }) =>
      client.request(GrantCustomerAccessDocument, { input: { appAccountId: accountId(appAccount), customerId: customerId(customer) } });

    await expectApiError(grant(firm.employeeClient, account, foreign), "NOT_FOUND");
    await expectApiError(grant(firm.employeeClient, foreignAccount, partner), "NOT_FOUND");
    await expectApiError(grant(other.adminClient, account, partner), "NOT_FOUND");
    const own = await expectApiError(grant(firm.employeeClient, account, account.customer), "CONFLICT");
    expect(own.fields).toEqual([expect.objectContaining({ field: "input.customerId", rule: "OWN_CUSTOMER" })]);
    const app = await f.appClient(account);
    await expectApiError(grant(app, account, partner), "FORBIDDEN");
    await expectApiError(app.request(RevokeCustomerAccessDocument, { input: { appAccountId: accountId(account), customerId: customerId(partner) } }), "FORBIDDEN");
    expect((await app.request(AppViewerDocument)).viewer?.customers.map((c) => c.id)).toEqual([customerId(account.customer)]);
  });

  it("AccessChanged resumes with `after:` and then delivers the current list", async () => {
    const firm = await f.buildFirm();
    const own = await f.buildCustomer({ tenant: firm.tenant, lastName: "Aaberg" });
    const account = await f.buildAppAccount({ customer: own });
    const [b, c, d] = [
      await f.buildCustomer({ tenant: firm.tenant, lastName: "Bauer" }),
      await f.buildCustomer({ tenant: firm.tenant, lastName: "Conrad" }),
      await f.buildCustomer({ tenant: firm.tenant, lastName: "Dietz" }),
    ];
    const grant = (customer: { id: string }) =>
      firm.employeeClient.request(GrantCustomerAccessDocument, { input: { appAccountId: accountId(account), customerId: customerId(customer) } });
    const app = await f.appClient(account);
    const sub = app.subscribe(AccessChangedDocument, { after: "0" });
    await grant(b);
    const seen = await nextWithin(sub);
    expect(accessEvent(seen).ids).toEqual([customerId(own), customerId(b)]);
    const { cursor } = accessEvent(seen);
    await sub.return?.();
    await app.close();

    await grant(c);
    await grant(d);

    const resumed = app.subscribe(AccessChangedDocument, { after: cursor });
    const next = await nextWithin(resumed);
    expect(accessEvent(next).ids).toEqual([customerId(own), customerId(b), customerId(c), customerId(d)]);
    expect(parseCursor(accessEvent(next).cursor)).toBeGreaterThan(parseCursor(cursor)!);
    // Nothing more (one event for both grants), then live again. One pending `next()` serves both checks.
    const pending = nextWithin(resumed, 3_000);
    expect(await Promise.race([pending.then(() => "event", () => "error"), new Promise((r) => setTimeout(() => r("nothing"), 300))])).toBe("nothing");
    await firm.employeeClient.request(RevokeCustomerAccessDocument, { input: { appAccountId: accountId(account), customerId: customerId(c) } });
    expect(accessEvent(await pending).ids).toEqual([customerId(own), customerId(b), customerId(d)]);
    await resumed.return?.();
  });
});

describe("loaders of one style (module foundations)", () => {
  it("D9: the accounts list resolves every account's accessible customers in a constant number of SQL statements", async () => {
    const firm = await f.buildFirm();
    const makeAccounts = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const account = await f.buildAppAccount({ tenant: firm.tenant });
        await f.grantAccess(account, await f.buildCustomer({ tenant: firm.tenant }));
      }
    };
    await makeAccounts(2);
    const few = await t.countStatements(() => firm.adminClient.request(AppAccountsWithAccessDocument, { first: 100 }));
    await makeAccounts(8);
    let listed: AppAccountsWithAccessQuery | undefined;
    const many = await t.countStatements(async () => (listed = await firm.adminClient.request(AppAccountsWithAccessDocument, { first: 100 })));
    expect(listed!.appAccounts.edges).toHaveLength(10);
    expect(listed!.appAccounts.edges.every((e) => e.node.accessibleCustomers.length === 2)).toBe(true);
    expect(many).toBe(few);
  });

  it("an app account reads its customers' contact persons as public cards (names only); a deactivated one is left out", async () => {
    const firm = await f.buildFirm();
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const leaving = await f.buildStaff({ tenant: firm.tenant, name: "Gehende Kollegin" });
    await firm.adminClient.request(SetResponsibleStaffDocument, {
      input: { customerId: toGlobalId("Customer", customer.id), staffUserIds: [toGlobalId("StaffUser", firm.employee.id), toGlobalId("StaffUser", leaving.id), toGlobalId("StaffUser", firm.admin.id)] },
    });
    const app = await f.appClient(await f.buildAppAccount({ customer }));
    const { viewer } = await app.request(AppViewerDocument);
    expect(viewer!.customers[0]!.contactPersons).toEqual([
      { id: toGlobalId("StaffUser", firm.employee.id), name: firm.employee.name },
      { id: toGlobalId("StaffUser", leaving.id), name: "Gehende Kollegin" },
      { id: toGlobalId("StaffUser", firm.admin.id), name: firm.admin.name },
    ]);
    await firm.adminClient.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", leaving.id), active: false } });
    const after = await app.request(AppViewerDocument);
    expect(after.viewer!.customers[0]!.contactPersons.map((c) => c.name)).toEqual([firm.employee.name, firm.admin.name]);
    // The staff user itself stays out of the app's reach.
    await expectApiError(app.request(NodeDocument, { id: toGlobalId("StaffUser", firm.employee.id) }), "NOT_FOUND");
  });
});

// Last in the file: it reads every mail the file sent (invitations, resets, activations).
describe("links without personal data", () => {
  it("no link in any mail this file sent carries an email address or anything but the token", async () => {
    await deliverMails();
    expect(smtp.received.length).toBeGreaterThan(5);
    expect(smtp.received.flatMap((m) => personalDataInLinks(m))).toEqual([]);
  });

  it("linkInfo answers NOT_FOUND for unknown, malformed and overlong tokens alike", async () => {
    for (const token of ["", "ki_unbekannt", `ki_${crypto.randomBytes(32).toString("base64url")}`, "x".repeat(5_000)]) {
      const err = await expectApiError(t.client().request(LinkInfoDocument, { token }), "NOT_FOUND");
      expect(err.message).toBe("Link not found");
    }
  });
});
