/**
 * The machinery of the access registry: the shapes of the rows each module registers in its
 * `<f>.access.ts`, the world they run against, the snapshot of a firm, and the guards that read the
 * GraphQL schema to find operations without rows. `src/test/isolation.test.ts` runs every module's rows.
 */
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { getNamedType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLInputType, type GraphQLSchema } from "graphql";
import type { TestServer } from "./harness.js";
import { factories, upload } from "./factories.js";
import { PDF, PNG } from "./fixtures.js";
import {
  CreateContractDocument,
  CreateRiskDocument,
  DocumentCategoriesDocument,
  InsurersDocument,
  ReportClaimDocument,
  SendMessageDocument,
  SetResponsibleStaffDocument,
  StartChatDocument,
  UploadDocumentDocument,
  type KundenappClient,
} from "../sdk/client.js";
import { fromGlobalId, toGlobalId } from "../graphql/relay.js";
import { notifications } from "../modules/notification/notification.table.js";
import { customers } from "../modules/customer/customer.table.js";
import { firmRows } from "./firm-tables-registry.js";
import type { Db } from "../db/client.js";
import type { StaffPermission } from "../auth/viewer.js";

export type Factories = ReturnType<typeof factories>;
export type Firm = Awaited<ReturnType<Factories["buildFirm"]>>;
export type AppAccountFixture = Awaited<ReturnType<Factories["buildAppAccount"]>>;

/** Objects of each firm the factories do not make (raw ids, not global IDs). */
export interface FirmObjects {
  /** A notification of the firm's admin. */
  notification: string;
  /** A customer with the admin responsible, a POLICY document (`document`) and a released OTHER one (`released`). */
  customer: string;
  category: string;
  document: string;
  released: string;
  /** A second customer, the admin responsible, with a released document: "another customer" for app accounts. */
  other: string;
  /** Uploads of the admin, not attached: a DOCUMENT (`uploadDocument (file)`) and a LOGO (`updateBrokerProfile`). */
  file: string;
  logo: string;
  /** App accounts (rules D1-D9): an active one with household access to `household`; an invited one; two to delete; a customer to invite. */
  account: string;
  invited: string;
  deletable: [string, string];
  household: string;
  invitee: string;
  /** Pending staff invitations (INVITED staff users): one to resend, and two to withdraw (a byId row, an operation row). */
  pendingStaff: [string, string, string];
  /**
   * Contracts (rules E0-E5, C3): an insurer of the firm's list; a VEHICLE risk of `customer`; contracts of `customer`:
   * `contract` (AKTIV, visible, the risk, the admin responsible), `hiddenContract` (AKTIV, staff-only), two open
   * offers (`offers`: one for a byId row, one for an operation row, as each may be accepted once); and a visible
   * contract of `other` (`otherContract`) covering a risk of its own (`otherRisk`). `contractFile` is an upload of the admin for `createContract (documentFileId)`.
   */
  insurer: string;
  risk: string;
  otherRisk: string;
  contract: string;
  hiddenContract: string;
  offers: [string, string];
  otherContract: string;
  contractFile: string;
  /**
   * Claims (rules G1-G4), reported through the API with a photo each: `claim` of `customer` (by its app account,
   * firm A's `app`), `otherClaim` of `other` (by an app account of its own); `claimPhoto` is an unattached CLAIM_PHOTO
   * upload of `customer`'s account, for `reportClaim (photo)`.
   */
  claim: string;
  otherClaim: string;
  claimPhoto: string;
  /**
   * Chats (rules F1-F9), each opened by the customer's first message from its app account: `chat` of `customer` (the
   * admin, its responsible, operates it; `message` is that first message) and `otherChat` of `other` (`otherMessage`);
   * two chats of fresh customers with app accounts, opened by the admin, to archive once each (`archivable`: one for a
   * byId row, one for an operation row); `chatFile`, an unattached DOCUMENT upload of `customer`'s app account.
   */
  chat: string;
  message: string;
  otherChat: string;
  otherMessage: string;
  archivable: [string, string];
  chatFile: string;
}

/** What every access row runs against: two firms, A (the caller's) and B (the foreign one), each with `FirmObjects`. */
export interface AccessWorld {
  t: TestServer;
  f: Factories;
  db: () => Db;
  a: Firm;
  b: Firm;
  of: (firm: Firm) => FirmObjects;
  /** A logged-in-able app account of firm A's `customer`, whose documents are released to it (rule C3). */
  app: AppAccountFixture;
}

/** `app`: app accounts only (staff get FORBIDDEN); such a row says with `app` what an app account of firm A gets. */
export type Access = "staff" | "admin" | "operator" | "app";

/** An operation that needs a login, and the least access level that may call it. */
export interface OperationRow {
  /** The Query or Mutation field; a variant adds `(…)` or `.…` (`node(Customer)`, `staffUsers.totalCount`). */
  name: string;
  access: Access;
  /**
   * A logged-in app account of firm A (rule C3): `ok` it gets an answer; `hidden` it may call it, but the object
   * the row names is not one it sees, so NOT_FOUND. Left out: staff-only, an app account gets FORBIDDEN.
   */
  app?: "ok" | "hidden";
  /** `own` is the caller's firm; the call should be valid input, so only access decides the answer. */
  call: (client: KundenappClient, own: Firm, w: AccessWorld) => Promise<unknown>;
  /**
   * Staff need this permission as well (rule B1): the level's staff user is one holding it, and staff of firm A
   * without it (an employee, an admin) get FORBIDDEN.
   */
  permission?: StaffPermission;
}

/** An operation that takes an object's ID: another firm's object must be indistinguishable from one that does not exist. */
export interface ByIdRow {
  name: string;
  /** The ID it passes, as `field.argument.path` (`updateCustomer.input.id`, `inviteCustomers.input.customers.customerId`). */
  argument: string;
  /** The type of the object, for its global ID. */
  type: string;
  objectOf: (firm: Firm, w: AccessWorld) => string;
  call: (client: KundenappClient, id: string, w: AccessWorld) => Promise<unknown>;
  /**
   * A list filter: an ID it does not know narrows the list to nothing rather than being NOT_FOUND. Another firm's
   * object must then get exactly the answer an unknown ID gets, and the caller's own object a different one.
   */
  filter?: true;
  /** An operation only app accounts may call: the row runs as firm A's app account (`w.app`) instead of its admin. */
  as?: "app";
}

/** A field that lists a firm's rows: the global IDs a client gets, and the global IDs of all a firm's rows of that type. */
export interface ListRow {
  /** The field: a Query field's name, or `Type.field` for a field of another type. */
  name: string;
  listed: (client: KundenappClient, w: AccessWorld) => Promise<string[]>;
  rowsOf: (firmId: string, w: AccessWorld) => Promise<string[]>;
  /** Staff list it only with this permission (rule B1): the staff that list it are firm A's admin and an employee holding it. */
  permission?: StaffPermission;
  /** For app accounts (rule C3): the global IDs of the rows of the given customers (raw ids). Required when app accounts may call it. */
  app?: { rowsOfCustomers: (customerIds: string[], w: AccessWorld) => Promise<string[]> };
}

/** Whose events a subscriber must never receive. */
export type ForeignEvent = "another firm" | "another staff user" | "another customer" | "a revoked household grant" | "an object hidden from the customer";

/** A subscriber with its stream open: what its next event is, and how to raise one it must receive. */
export interface Subscriber {
  /** The next event (waiting at most a few seconds), reduced to what tells events apart (a title, a list of customers). */
  next(): Promise<string>;
  /** Raises an event for the subscriber; returns what `next()` must then give. */
  raiseOwn(): Promise<string>;
  close(): Promise<void>;
}

export interface SubscriptionRow {
  /**
   * The Subscription field; a field both kinds of login may subscribe to has a row per audience, the name with a
   * variant (`contractChanged (app)`, `contractChanged (staff)`).
   */
  name: string;
  /** Who may subscribe: unless another row of the field names the other kind, that kind gets FORBIDDEN. */
  audience: "staff" | "app";
  /** The foreign events it is checked against; the guard names those it must have for its audience. */
  cases: readonly ForeignEvent[];
  /**
   * A fresh subscriber of firm A (no history, so a replay from the start holds only its own events), its stream
   * open, and the raise of an event of the case named that it must not receive. The raise may first make and
   * consume events of the subscriber's own (a grant, then its revocation).
   */
  open: (w: AccessWorld, foreign: ForeignEvent) => Promise<{ subscriber: Subscriber; raiseForeign: () => Promise<void> }>;
  /** Subscribes with the given client and reads the first answer: an error for a login of the wrong kind. */
  subscribeOnce: (client: KundenappClient) => Promise<unknown>;
}

/** A module's rows. */
export interface ModuleAccess {
  operations: OperationRow[];
  byId: ByIdRow[];
  lists: ListRow[];
  subscriptions: SubscriptionRow[];
  /** Operations open to everyone by design (who am I, the ways to log in): no rows needed. */
  open: string[];
  /**
   * ID arguments that cannot name another firm's object yet, because their type does not exist: the guard
   * fails once the type appears in the schema, so the module that adds it adds a `byId` row.
   */
  pending: Array<{ argument: string; type: string }>;
}

/** The cases each audience's subscriptions must have. */
export const requiredForeignEvents: Record<SubscriptionRow["audience"], readonly ForeignEvent[]> = {
  staff: ["another firm"],
  app: ["another firm", "another customer", "a revoked household grant"],
};

export const uniqueMail = () => `iso-${crypto.randomBytes(5).toString("hex")}@example.test`;
export const uniqueName = (prefix: string) => `${prefix} ${crypto.randomBytes(4).toString("hex")}`;

/** Two firms, each with `FirmObjects`, made through the factories and the API by each firm's admin. */
export async function buildAccessWorld(t: TestServer): Promise<AccessWorld> {
  const f = factories(t);
  const db = () => t.app.deps.database.db;
  const [a, b] = [await f.buildFirm(), await f.buildFirm()];
  const objects = new Map<Firm, FirmObjects>();
  for (const firm of [a, b]) {
    const rows = await db()
      .insert(notifications)
      .values([firm.admin, firm.employee].map((s) => ({ tenantId: firm.tenant.id, staffUserId: s.id, kind: "GENERAL" as const, title: "Hinweis", body: `für ${s.name}` })))
      .returning();

    // Customers, documents and files (rules C1-C3).
    const { documentCategories: categories } = await firm.adminClient.request(DocumentCategoriesDocument, {});
    const category = categories.find((c) => c.key === "POLICY")!.id;
    const otherCategory = categories.find((c) => c.key === "OTHER")!.id;
    const pdf = { purpose: "DOCUMENT" as const, bytes: PDF, contentType: "application/pdf" };
    const withDocument = async (categoryId: string, visibleToCustomer: boolean) => {
      const customer = await f.buildCustomer({ tenant: firm.tenant });
      const customerId = toGlobalId("Customer", customer.id);
      await firm.adminClient.request(SetResponsibleStaffDocument, { input: { customerId, staffUserIds: [toGlobalId("StaffUser", firm.admin.id)] } });
      return { customer, document: await addDocument(customerId, categoryId, visibleToCustomer) };
    };
    const addDocument = async (customerId: string, categoryId: string, visibleToCustomer: boolean) => {
      const { fileId } = await upload(firm.adminClient, pdf);
      const { uploadDocument } = await firm.adminClient.request(UploadDocumentDocument, { input: { fileId, customerId, categoryId, visibleToCustomer } });
      return fromGlobalId(uploadDocument.document.id)!.id;
    };
    const own = await withDocument(category, false);
    // In the OTHER category, which no row hides: app accounts always have something of their own to list.
    const released = await addDocument(toGlobalId("Customer", own.customer.id), otherCategory, true);
    const other = await withDocument(otherCategory, true);
    // Uploaded by the admin, not attached yet: what `uploadDocument (file)` and `updateBrokerProfile (logo)` name.
    const loose = await upload(firm.adminClient, pdf);
    const logo = await upload(firm.adminClient, { purpose: "LOGO", bytes: PNG, contentType: "image/png" });

    // App accounts (rules D1-D9), made by the factories; the rows change them through the API.
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const invited = await f.buildAppAccount({ tenant: firm.tenant, status: "INVITED", passwordHash: null, activatedAt: null });
    const deletable = [await f.buildAppAccount({ tenant: firm.tenant }), await f.buildAppAccount({ tenant: firm.tenant })] as const;
    // A session each: a refused delete must not end it.
    for (const d of deletable) await f.appClient(d);
    const household = await f.buildCustomer({ tenant: firm.tenant });
    await f.grantAccess(account, household);
    const invitee = await f.buildCustomer({ tenant: firm.tenant });
    const pendingStaff = await Promise.all([0, 1, 2].map(async () => (await f.buildStaff({ tenant: firm.tenant, status: "INVITED", passwordHash: null })).id));

    // Contracts (rules E0-E5), through the API by the admin.
    const { insurers } = await firm.adminClient.request(InsurersDocument, {});
    const insurerId = insurers[0]!.id;
    const ownId = toGlobalId("Customer", own.customer.id);
    const otherId = toGlobalId("Customer", other.customer.id);
    const { createRisk } = await firm.adminClient.request(CreateRiskDocument, { input: { customerId: ownId, kind: "VEHICLE", licensePlate: "HH-IS 1" } });
    const { createRisk: otherRisk } = await firm.adminClient.request(CreateRiskDocument, { input: { customerId: otherId, kind: "PERSON", personName: "Iso Andere" } });
    const addContract = async (customerId: string, extra: { status?: "AKTIV" | "ANGEBOT"; visibleToCustomer?: boolean; riskId?: string; responsibleStaffIds?: string[] }) => {
      const { createContract } = await firm.adminClient.request(CreateContractDocument, {
        input: { customerId, insurerId, contractNumber: uniqueName("ISO"), lineOfBusiness: "KFZ", premiumCents: 4_250, paymentInterval: "MONTHLY", notes: "intern", ...extra },
      });
      return fromGlobalId(createContract.contract.id)!.id;
    };
    const contract = await addContract(ownId, { visibleToCustomer: true, riskId: createRisk.risk.id, responsibleStaffIds: [toGlobalId("StaffUser", firm.admin.id)] });
    const hiddenContract = await addContract(ownId, { visibleToCustomer: false });
    const offers = [await addContract(ownId, { status: "ANGEBOT" }), await addContract(ownId, { status: "ANGEBOT" })] as const;
    const otherContract = await addContract(otherId, { visibleToCustomer: true, riskId: otherRisk.risk.id });
    const contractFile = await upload(firm.adminClient, pdf);

    objects.set(firm, {
      notification: rows.find((r) => r.staffUserId === firm.admin.id)!.id,
      customer: own.customer.id,
      category: fromGlobalId(category)!.id,
      document: own.document,
      released,
      other: other.customer.id,
      file: fromGlobalId(loose.fileId)!.id,
      logo: fromGlobalId(logo.fileId)!.id,
      account: account.id,
      invited: invited.id,
      deletable: [deletable[0].id, deletable[1].id],
      household: household.id,
      invitee: invitee.id,
      pendingStaff: [pendingStaff[0]!, pendingStaff[1]!, pendingStaff[2]!],
      insurer: fromGlobalId(insurerId)!.id,
      risk: fromGlobalId(createRisk.risk.id)!.id,
      otherRisk: fromGlobalId(otherRisk.risk.id)!.id,
      contract,
      hiddenContract,
      offers: [offers[0], offers[1]],
      otherContract,
      contractFile: fromGlobalId(contractFile.fileId)!.id,
      // Set below, once firm A's `app` exists.
      claim: "",
      otherClaim: "",
      claimPhoto: "",
      chat: "",
      message: "",
      otherChat: "",
      otherMessage: "",
      archivable: ["", ""],
      chatFile: "",
    });
  }
  const of = (firm: Firm) => objects.get(firm)!;
  const [customer] = await db().select().from(customers).where(eq(customers.id, of(a).customer));
  const app = await f.buildAppAccount({ customer: { ...customer!, tenant: a.tenant } });

  // Claims (rules G1-G4): each firm's `customer` (firm A's through `app`) and `other` report one with a photo.
  for (const firm of [a, b]) {
    const o = objects.get(firm)!;
    const rowOf = async (id: string) => ({ ...(await db().select().from(customers).where(eq(customers.id, id)))[0]!, tenant: firm.tenant });
    const own = firm === a ? app : await f.buildAppAccount({ customer: await rowOf(o.customer) });
    const reportWithPhoto = async (client: KundenappClient, customerId: string) => {
      const { fileId } = await upload(client, { purpose: "CLAIM_PHOTO", bytes: PNG, contentType: "image/png" });
      const { reportClaim } = await client.request(ReportClaimDocument, {
        input: { idempotencyKey: crypto.randomUUID(), customerId: toGlobalId("Customer", customerId), dateOfLoss: new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10), description: "Iso-Schaden", photoFileIds: [fileId] },
      });
      return fromGlobalId(reportClaim.claim.id)!.id;
    };
    const ownClient = await f.appClient(own);
    o.claim = await reportWithPhoto(ownClient, o.customer);
    const otherClient = await f.appClient(await f.buildAppAccount({ customer: await rowOf(o.other) }));
    o.otherClaim = await reportWithPhoto(otherClient, o.other);
    o.claimPhoto = fromGlobalId((await upload(ownClient, { purpose: "CLAIM_PHOTO", bytes: PNG, contentType: "image/png" })).fileId)!.id;

    // Chats (rules F1-F9): each customer's first message from its app account opens its chat.
    const firstMessage = async (client: KundenappClient, customerId: string) => {
      const { sendMessage } = await client.request(SendMessageDocument, {
        input: { clientMessageId: crypto.randomUUID(), customerId: toGlobalId("Customer", customerId), body: "Iso-Nachricht" },
      });
      return [fromGlobalId(sendMessage.chat.id)!.id, fromGlobalId(sendMessage.message.id)!.id] as const;
    };
    [o.chat, o.message] = await firstMessage(ownClient, o.customer);
    [o.otherChat, o.otherMessage] = await firstMessage(otherClient, o.other);
    const archivable = async () => {
      const { customer } = await f.buildAppAccount({ tenant: firm.tenant });
      const { startChat } = await firm.adminClient.request(StartChatDocument, { input: { customerId: toGlobalId("Customer", customer.id) } });
      return fromGlobalId(startChat.chat.id)!.id;
    };
    o.archivable = [await archivable(), await archivable()];
    o.chatFile = fromGlobalId((await upload(ownClient, { purpose: "DOCUMENT", bytes: PDF, contentType: "application/pdf" })).fileId)!.id;
  }
  return { t, f, db, a, b, of, app };
}

/** All rows of a firm (every firm table, derived from the drizzle schema), sorted. */
export function snapshot(w: AccessWorld, firmId: string) {
  return firmRows(w.db(), (firmColumn) => eq(firmColumn, firmId));
}

// ---- Guards: what the schema has that the rows do not cover. ----

const baseName = (name: string) => name.replace(/[.(].*$/, "");

/** Query and Mutation fields that need a login (not `open`) without an operation row. */
export function operationsWithoutRows(schema: GraphQLSchema, modules: ModuleAccess[]): string[] {
  const fields = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()!.getFields())];
  const open = new Set(modules.flatMap((m) => m.open));
  const covered = new Set(modules.flatMap((m) => m.operations.map((o) => baseName(o.name))));
  return fields.filter((name) => !open.has(name) && !covered.has(name));
}

/** The `ID` arguments of a field: `id`, or an input's fields at any depth, lists included (`input.customers.customerId`). */
function idPaths(prefix: string, type: GraphQLInputType, seen: ReadonlySet<string> = new Set()): string[] {
  const named = getNamedType(type);
  if (named.name === "ID") return [prefix];
  if (!isInputObjectType(named) || seen.has(named.name)) return [];
  return Object.values(named.getFields()).flatMap((field) => idPaths(`${prefix}.${field.name}`, field.type, new Set([...seen, named.name])));
}

/**
 * ID arguments of Query and Mutation fields (`field.argument.path`) without a row proving another firm's object is
 * NOT_FOUND; for `node(id)`, every type implementing `Node` needs one (`node.id of Customer`). Operator-only fields
 * are left out (the platform operator is of no firm), and `pending` ones until their type exists.
 */
export function idArgumentsWithoutRows(schema: GraphQLSchema, modules: ModuleAccess[]): string[] {
  const operatorOnly = new Set(modules.flatMap((m) => m.operations.filter((o) => o.access === "operator").map((o) => baseName(o.name))));
  const pending = new Set(modules.flatMap((m) => m.pending.map((p) => p.argument)));
  const rows = modules.flatMap((m) => m.byId);
  const covered = new Set(rows.map((r) => r.argument));
  const missing: string[] = [];
  for (const root of [schema.getQueryType()!, schema.getMutationType()!]) {
    for (const field of Object.values(root.getFields())) {
      if (operatorOnly.has(field.name)) continue;
      for (const path of field.args.flatMap((arg) => idPaths(`${field.name}.${arg.name}`, arg.type))) {
        if (!covered.has(path) && !pending.has(path)) missing.push(path);
      }
    }
  }
  const node = schema.getType("Node");
  if (isInterfaceType(node)) {
    for (const type of schema.getPossibleTypes(node)) {
      if (!rows.some((r) => r.argument === "node.id" && r.type === type.name)) missing.push(`node.id of ${type.name}`);
    }
  }
  return missing;
}

/** `pending` entries whose type exists now: they need a real `byId` row instead. */
export function stalePending(schema: GraphQLSchema, modules: ModuleAccess[]): string[] {
  return modules.flatMap((m) => m.pending.filter((p) => schema.getType(p.type)).map((p) => `${p.argument} (type ${p.type} exists)`));
}

/**
 * Fields returning a connection (type name ending in `Connection`) without a list row, or, where app accounts may call
 * them (an operation row with `app`), without the row's app-account check.
 */
export function connectionsWithoutRows(schema: GraphQLSchema, modules: ModuleAccess[]): string[] {
  const lists = new Map(modules.flatMap((m) => m.lists.map((l) => [l.name, l] as const)));
  const appCallable = new Set(modules.flatMap((m) => m.operations.filter((o) => o.app).map((o) => baseName(o.name))));
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__") || type === schema.getMutationType() || type === schema.getSubscriptionType()) continue;
    for (const field of Object.values(type.getFields())) {
      if (!getNamedType(field.type).name.endsWith("Connection")) continue;
      const name = type === schema.getQueryType() ? field.name : `${type.name}.${field.name}`;
      const row = lists.get(name);
      if (!row) missing.push(`${name} (staff)`);
      if (appCallable.has(name) && !row?.app) missing.push(`${name} (app accounts)`);
    }
  }
  return missing;
}

/** Rows of Subscription fields only one kind of login may subscribe to (a field open to both has a row for each audience). */
export function rowsOfOneAudience(rows: SubscriptionRow[]): SubscriptionRow[] {
  const audiences = new Map<string, Set<SubscriptionRow["audience"]>>();
  for (const row of rows) audiences.set(baseName(row.name), (audiences.get(baseName(row.name)) ?? new Set()).add(row.audience));
  return rows.filter((row) => audiences.get(baseName(row.name))!.size === 1);
}

/** Subscription fields without a row, or with a row that lacks a case its audience needs. */
export function subscriptionsWithoutRows(schema: GraphQLSchema, modules: ModuleAccess[]): string[] {
  const rows = modules.flatMap((m) => m.subscriptions);
  const missing: string[] = [];
  for (const name of Object.keys(schema.getSubscriptionType()?.getFields() ?? {})) {
    const own = rows.filter((r) => baseName(r.name) === name);
    if (!own.length) missing.push(name);
    for (const row of own) for (const foreign of requiredForeignEvents[row.audience]) if (!row.cases.includes(foreign)) missing.push(`${row.name}: ${foreign}`);
  }
  return missing;
}
