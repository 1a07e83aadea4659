import { and, asc, count, desc, eq, ilike, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import { CompiledQueries, asIs, placeholder, shapeKey, type Bind } from "../../db/compiled.js";
import type { Queryable, Tx } from "../../db/client.js";
import type { AppViewer, SessionViewer, StaffViewer, Viewer } from "../../auth/viewer.js";
import { AppError, ErrorCode, Problems, badInput, notFound } from "../../errors.js";
import { afterCursorPlaceholders, orderBy, pageValues, toConnection, uuidKey, type SortKey, countRows } from "../../graphql/connection.js";
import { decodeId } from "../../graphql/relay.js";
import { eventCursor, type Emit, type EventLog } from "../../realtime/event-log.js";
import type { FileService } from "../../files/file.service.js";
import type { CustomerService } from "../customer/customer.service.js";
import type { DocumentService } from "../document/document.service.js";
import type { NotificationService } from "../notification/notification.service.js";
import type { TenantService } from "../tenant/tenant.service.js";
import { contractResponsible, customerResponsible, firstNonEmpty } from "../notification/recipients.js";
import { contractCreatedText } from "../../mail/notification-texts.js";
import { activeStaffIds } from "../staff/responsible.js";
import { likeContains } from "../customer/customer.service.js";
import { contractPolicy } from "./contract.policy.js";
import { contractScope, insurerScope, riskScope } from "./contract.scope.js";
import { DEFAULT_INSURERS } from "./insurers.js";
import { ContractStatus, type LineOfBusiness } from "./contract.enums.js";
import { contractResponsibleStaff, contractStatusChanges, contracts, insurers, risks, type ContractRow, type InsurerRow, type RiskRow } from "./contract.table.js";
import {
  AppOverview,
  Contract,
  ContractOrder,
  ContractStatusChange,
  Insurer,
  MAX_PREMIUM_CENTS,
  Money,
  Risk,
  type ContractsArgs,
  type CreateContractInput,
  type CreateInsurerInput,
  type CreateRiskInput,
  type UpdateContractInput,
} from "./contract.types.js";

/** The event-log topic of every change a viewer of the contract may care about; its audience is the customer. */
export const CONTRACT_CHANGED = "contract.changed";

/**
 * Rule E3: the moves a broker makes. START (added by the customer) may turn out to be anything once reviewed;
 * an offer is applied for, policied or declined; a cancelled or declined contract can be revived.
 */
type Status = `${ContractStatus}`;
export const TRANSITIONS: Record<Status, readonly Status[]> = {
  START: ["ANGEBOT", "ANTRAG", "AKTIV", "RUHEND", "GEKUENDIGT", "ABGELEHNT"],
  ANGEBOT: ["ANTRAG", "AKTIV", "ABGELEHNT"],
  ANTRAG: ["AKTIV", "ABGELEHNT"],
  AKTIV: ["RUHEND", "GEKUENDIGT"],
  RUHEND: ["AKTIV", "GEKUENDIGT"],
  GEKUENDIGT: ["AKTIV"],
  ABGELEHNT: ["ANGEBOT", "ANTRAG"],
};

/** STATUS order (workflow order) as a sort key. */
const STATUS_RANK = sql<number>`array_position(array['START','ANGEBOT','ANTRAG','AKTIV','RUHEND','GEKUENDIGT','ABGELEHNT']::text[], ${contracts.status}::text)`;
/** Offers first: 0 for an open offer, 1 for the rest. */
const OFFER_RANK = sql<number>`(case when ${contracts.status} = 'ANGEBOT' then 0 else 1 end)`;
/** Monthly premium in cents ×12 (exact integers), -1 when unknown or not recurring: sorts last. */
const MONTHLY_X12 = sql<number>`coalesce(${contracts.premiumCents} * (case ${contracts.paymentInterval} when 'MONTHLY' then 12 when 'QUARTERLY' then 4 when 'HALF_YEARLY' then 2 when 'YEARLY' then 1 end), -1)`;
const START_OR_MIN = sql<string>`coalesce(${contracts.startDate}, '0001-01-01'::date)::text`;

const intKey = (v: unknown): number => {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new Error("not an integer");
  return v;
};
const dateKey = (v: unknown): string => {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new Error("not a date");
  return v;
};
const timeKey = (v: unknown): string => {
  if (typeof v !== "string" || Number.isNaN(Date.parse(v))) throw new Error("not a time");
  return v;
};

/** What the document module needs to file a document at a contract (see DocumentService.useContracts). */
export interface ContractLinks {
  /** The contract if the viewer may see it, else NOT_FOUND. */
  require(on: Queryable, viewer: SessionViewer, id: string): Promise<ContractRow>;
  /** Rule C5 routing: the contract's responsible staff, else the customer's. */
  recipients(tx: Queryable, contract: ContractRow): Promise<string[]>;
}

const trimmed = (s: string | null | undefined) => (s === undefined ? undefined : s === null || s.trim() === "" ? null : s.trim());

export class ContractService implements ContractLinks {
  constructor(
    private readonly deps: Deps,
    private readonly events: EventLog,
    private readonly files: FileService,
    private readonly customers: CustomerService,
    private readonly documents: DocumentService,
    private readonly notifications: NotificationService,
    private readonly tenants: TenantService,
  ) {
    this.compiled = new CompiledQueries(deps.database.db, "contract");
  }

  private readonly compiled: CompiledQueries;

  private readonly overviewFigures = new Map<string, (viewer: AppViewer) => SQL>();

  // ---- insurers -------------------------------------------------------------------------------------------

  /** Rule E0: every firm starts with the common German insurers (created on first need). */
  async ensureDefaultInsurers(on: Queryable, tenantId: string): Promise<void> {
    const [existing] = await on.select({ n: count() }).from(insurers).where(eq(insurers.tenantId, tenantId));
    if (existing!.n > 0) return;
    await on
      .insert(insurers)
      .values(DEFAULT_INSURERS.map((name) => ({ tenantId, name })))
      .onConflictDoNothing();
  }

  /** The firm's insurers by name (staff and app accounts: the app picks one when adding a contract). */
  async insurers(viewer: Viewer): Promise<Insurer[]> {
    const session = contractPolicy.authorize(viewer, "listInsurers");
    const { db } = this.deps.database;
    await this.ensureDefaultInsurers(db, session.tenantId);
    const rows = await db.select().from(insurers).where(insurerScope(session)).orderBy(sql`lower(${insurers.name})`);
    return rows.map(Insurer.from);
  }

  async createInsurer(viewer: Viewer, input: CreateInsurerInput) {
    const admin = contractPolicy.authorize(viewer, "manageInsurers");
    const name = input.name.trim();
    if (!name) throw badInput([{ field: "input.name", rule: "REQUIRED", message: "must not be empty" }]);
    const { db } = this.deps.database;
    await this.ensureDefaultInsurers(db, admin.tenantId);
    const [row] = await db.insert(insurers).values({ tenantId: admin.tenantId, name }).onConflictDoNothing().returning();
    if (!row) throw new AppError(ErrorCode.CONFLICT, "An insurer with this name exists already", { fields: [{ field: "input.name", rule: "UNIQUE", message: "is already in the list" }] });
    return { insurer: Insurer.from(row) };
  }

  async insurersByIds(viewer: Viewer, ids: readonly string[]): Promise<Insurer[]> {
    if (!contractPolicy.can(viewer, "listInsurers")) return [];
    const rows = await this.deps.database.db.select().from(insurers).where(and(inArray(insurers.id, [...ids]), insurerScope(viewer)));
    return rows.map(Insurer.from);
  }

  private async insurer(on: Queryable, viewer: SessionViewer, globalId: string, field: string): Promise<InsurerRow> {
    const id = decodeId(globalId, "Insurer", field);
    await this.ensureDefaultInsurers(on, viewer.tenantId);
    const [row] = await on.select().from(insurers).where(and(eq(insurers.id, id), insurerScope(viewer)));
    if (!row) throw notFound("Insurer");
    return row;
  }

  // ---- risks ----------------------------------------------------------------------------------------------

  async createRisk(viewer: Viewer, input: CreateRiskInput) {
    const staff = contractPolicy.authorize(viewer, "manageRisks");
    const customerId = decodeId(input.customerId, "Customer", "input.customerId");
    const problems = new Problems();
    if (input.postalCode && !/^\d{5}$/.test(input.postalCode.trim())) problems.add("input.postalCode", "FORMAT", "must be five digits");
    const required: Record<CreateRiskInput["kind"], [keyof CreateRiskInput, string]> = {
      VEHICLE: ["licensePlate", "a vehicle needs its license plate"],
      BUILDING: ["street", "a building needs its street and number"],
      PERSON: ["personName", "a person needs a name"],
      OTHER: ["description", "describe the risk"],
    };
    const [field, message] = required[input.kind];
    if (!trimmed(input[field] as string | null | undefined)) problems.add(`input.${field}`, "REQUIRED", message);
    this.checkDate(problems, "input.birthDate", input.birthDate, { notFuture: true });
    problems.throwIfAny();
    const row = await this.deps.database.db.transaction(async (tx) => {
      await this.customers.require(tx, staff, customerId);
      const [created] = await tx
        .insert(risks)
        .values({
          tenantId: staff.tenantId,
          customerId,
          kind: input.kind,
          licensePlate: trimmed(input.licensePlate)?.toUpperCase() ?? null,
          street: trimmed(input.street) ?? null,
          postalCode: trimmed(input.postalCode) ?? null,
          city: trimmed(input.city) ?? null,
          personName: trimmed(input.personName) ?? null,
          birthDate: input.birthDate ?? null,
          description: trimmed(input.description) ?? null,
        })
        .returning();
      return created!;
    });
    return { risk: Risk.from(row) };
  }

  async risksByIds(viewer: Viewer, ids: readonly string[]): Promise<Risk[]> {
    if (viewer.kind !== "staff" && viewer.kind !== "app") return [];
    const rows = await this.deps.database.db.select().from(risks).where(and(inArray(risks.id, [...ids]), riskScope(viewer)));
    return rows.map(Risk.from);
  }

  /** The risks of customers the viewer may see (Customer.risks), oldest first. */
  async risksOfCustomers(viewer: Viewer, customerIds: readonly string[]): Promise<Map<string, Risk[]>> {
    const found = new Map<string, Risk[]>(customerIds.map((id) => [id, []]));
    if (viewer.kind !== "staff" && viewer.kind !== "app") return found;
    const rows = await this.deps.database.db
      .select()
      .from(risks)
      .where(and(inArray(risks.customerId, [...customerIds]), riskScope(viewer)))
      .orderBy(asc(risks.createdAt), asc(risks.id));
    for (const r of rows) found.get(r.customerId)?.push(Risk.from(r));
    return found;
  }

  private async risk(on: Queryable, viewer: SessionViewer, globalId: string, customerId: string, field: string): Promise<RiskRow> {
    const id = decodeId(globalId, "Risk", field);
    const [row] = await on.select().from(risks).where(and(eq(risks.id, id), riskScope(viewer)));
    if (!row) throw notFound("Risk");
    if (row.customerId !== customerId) throw badInput([{ field, rule: "SAME_CUSTOMER", message: "is a risk of another customer" }]);
    return row;
  }

  // ---- reads ----------------------------------------------------------------------------------------------

  /**
   * Rules E1/E3/C3: the firm's contracts for staff (filters, sorts, search); the visible ones of its customers for an
   * app account. A compiled read (db/compiled.ts): its shape is the sort order, whether it continues after a cursor
   * and which filters are set.
   */
  async list(viewer: Viewer, args: ContractsArgs) {
    const session = contractPolicy.authorize(viewer, "list");
    const { db } = this.deps.database;
    const customerId = args.customerId ? decodeId(args.customerId, "Customer", "customerId") : undefined;
    if (customerId) await this.customers.require(db, session, customerId);
    const staffOnly = session.kind === "staff";
    const term = staffOnly ? args.search?.trim() : undefined;
    const filter: ContractFilter = {
      customerId,
      status: args.status?.length ? args.status : undefined,
      insurerId: staffOnly && args.insurerId ? decodeId(args.insurerId, "Insurer", "insurerId") : undefined,
      lineOfBusiness: staffOnly && args.lineOfBusiness ? args.lineOfBusiness : undefined,
      responsible: staffOnly && args.responsibleStaffId ? decodeId(args.responsibleStaffId, "StaffUser", "responsibleStaffId") : undefined,
      term: term ? likeContains(term) : undefined,
    };
    const order = args.orderBy ?? (session.kind === "app" ? ContractOrder.OFFERS_FIRST : ContractOrder.NEWEST);
    const tail: SortKey[] = [
      { column: contracts.createdAt, direction: "desc", decode: (v) => new Date(timeKey(v)) },
      { column: contracts.id, direction: "desc", decode: uuidKey },
    ];
    const lead: Record<ContractOrder, SortKey[]> = {
      OFFERS_FIRST: [{ column: OFFER_RANK, direction: "asc", decode: intKey }],
      NEWEST: [],
      START_DATE: [{ column: START_OR_MIN, direction: "desc", decode: dateKey }],
      PREMIUM: [{ column: MONTHLY_X12, direction: "desc", decode: intKey }],
      STATUS: [{ column: STATUS_RANK, direction: "asc", decode: intKey }],
    };
    const keys = [...lead[order], ...tail];
    const set = Object.fromEntries(Object.entries(filter).map(([name, v]) => [name, Array.isArray(v) ? v.length : v !== undefined]));
    const values = { ...pageValues(keys, args), ...filterValues(filter) };
    const rows = await this.compiled.run(shapeKey("list", { order, after: Boolean(args.after), ...set }), session, (db, v) =>
      db
        .select({ c: contracts, insurer: insurers, offer: OFFER_RANK, start: START_OR_MIN, monthly: MONTHLY_X12, rank: STATUS_RANK })
        .from(contracts)
        // The page brings its insurers along (every list shows them): one statement instead of two.
        .leftJoin(insurers, and(eq(insurers.id, contracts.insurerId), eq(insurers.tenantId, contracts.tenantId)))
        .where(and(contractFilter(db, v, filter, placeholder), args.after ? afterCursorPlaceholders(keys) : undefined))
        .orderBy(...orderBy(keys))
        .limit(sql.placeholder("limit")),
    values);
    const keyOf = (r: (typeof rows)[number]): unknown[] => {
      const first: Record<ContractOrder, unknown[]> = {
        OFFERS_FIRST: [Number(r.offer)],
        NEWEST: [],
        START_DATE: [r.start],
        PREMIUM: [Number(r.monthly)],
        STATUS: [Number(r.rank)],
      };
      return [...first[order], r.c.createdAt.toISOString(), r.c.id];
    };
    const withInsurer = (r: (typeof rows)[number]) => Object.assign(Contract.from(r.c), { insurerLoaded: r.insurer ? Insurer.from(r.insurer) : undefined });
    return toConnection(rows, args, keyOf, withInsurer, () => countRows(db, contracts, contractFilter(db, session, filter, asIs))());
  }

  /** Contracts the viewer may see, by id (the contract loader, `node`). */
  async findMany(viewer: Viewer, ids: readonly string[]): Promise<Contract[]> {
    if (!contractPolicy.can(viewer, "list")) return [];
    const rows = await this.deps.database.db.select().from(contracts).where(and(inArray(contracts.id, [...ids]), contractScope(viewer)));
    return rows.map(Contract.from);
  }

  /** Customer.contracts: each customer's contracts the viewer may see, offers first, then newest first. */
  async ofCustomers(viewer: Viewer, customerIds: readonly string[]): Promise<Map<string, Contract[]>> {
    const found = new Map<string, Contract[]>(customerIds.map((id) => [id, []]));
    if (!contractPolicy.can(viewer, "list")) return found;
    const rows = await this.deps.database.db
      .select()
      .from(contracts)
      .where(and(inArray(contracts.customerId, [...customerIds]), contractScope(viewer)))
      .orderBy(asc(OFFER_RANK), desc(contracts.createdAt), desc(contracts.id));
    for (const r of rows) found.get(r.customerId)?.push(Contract.from(r));
    return found;
  }

  /** The status histories of contracts the viewer may see, oldest change first. */
  async historyOf(viewer: Viewer, contractIds: readonly string[]): Promise<Map<string, ContractStatusChange[]>> {
    const found = new Map<string, ContractStatusChange[]>(contractIds.map((id) => [id, []]));
    if (!contractPolicy.can(viewer, "list")) return found;
    const rows = await this.deps.database.db
      .select({ change: contractStatusChanges })
      .from(contractStatusChanges)
      .innerJoin(contracts, eq(contracts.id, contractStatusChanges.contractId))
      .where(and(inArray(contractStatusChanges.contractId, [...contractIds]), contractScope(viewer)))
      .orderBy(asc(contractStatusChanges.changedAt), asc(contractStatusChanges.id));
    for (const r of rows) found.get(r.change.contractId)?.push(ContractStatusChange.from(r.change));
    return found;
  }

  /** The ordered responsible staff ids of contracts (staff only). */
  async responsibleStaffIdsOf(viewer: Viewer, contractIds: readonly string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>(contractIds.map((id) => [id, []]));
    if (!contractPolicy.can(viewer, "readInternal")) return found;
    const rows = await this.deps.database.db
      .select({ contractId: contractResponsibleStaff.contractId, staffUserId: contractResponsibleStaff.staffUserId })
      .from(contractResponsibleStaff)
      .innerJoin(contracts, eq(contracts.id, contractResponsibleStaff.contractId))
      .where(and(inArray(contractResponsibleStaff.contractId, [...contractIds]), contractScope(viewer)))
      .orderBy(asc(contractResponsibleStaff.position));
    for (const r of rows) found.get(r.contractId)?.push(r.staffUserId);
    return found;
  }

  /** The contract if the viewer may see it, else NOT_FOUND (mutations; the document module files documents with it). */
  async require(on: Queryable, viewer: SessionViewer, id: string): Promise<ContractRow> {
    const [row] = await on.select().from(contracts).where(and(eq(contracts.id, id), contractScope(viewer)));
    if (!row) throw notFound("Contract");
    return row;
  }

  /** Rule C5/E0: contract events notify the contract's responsible staff, else the customer's, else nobody. */
  recipients(tx: Queryable, contract: ContractRow): Promise<string[]> {
    return firstNonEmpty(
      () => contractResponsible(tx, contract.tenantId, contract.id),
      () => customerResponsible(tx, contract.tenantId, [contract.customerId]),
    );
  }

  /** Rule E1: the app's start screen: the firm's card and every figure in one compiled statement. */
  async overview(viewer: Viewer): Promise<AppOverview> {
    const app = contractPolicy.authorize(viewer, "overview");
    const rows = await this.compiled.run("overview", app, (db, template) => this.tenants.currentWithQuery(db, template, this.overviewColumns(template)));
    const { tenant, extra } = this.tenants.splitCurrent(rows);
    const monthly = Number((BigInt(extra.yearlyCents as string) + 6n) / 12n);
    return Object.assign(new AppOverview(), {
      brokerProfile: tenant.brokerProfile,
      contractCount: extra.contracts as number,
      openOfferCount: extra.offers as number,
      monthlyPremiumTotal: Money.of(monthly),
      figures: new Map([...this.overviewFigures.keys()].map((name) => [name, extra[`figure:${name}`] as number])),
    });
  }

  /** The overview's figures as scalar subqueries (computed with the firm's row). */
  private overviewColumns(app: AppViewer): Record<string, SQL> {
    const mine = contractScope(app);
    const yearly = sql`${contracts.premiumCents}::bigint * (case ${contracts.paymentInterval} when 'MONTHLY' then 12 when 'QUARTERLY' then 4 when 'HALF_YEARLY' then 2 when 'YEARLY' then 1 else 0 end)`;
    const figures: Record<string, SQL> = {
      contracts: sql<number>`(select count(*) from ${contracts} where ${mine} and ${contracts.status} <> 'ANGEBOT')`.mapWith(Number),
      offers: sql<number>`(select count(*) from ${contracts} where ${mine} and ${contracts.status} = 'ANGEBOT' and ${contracts.acceptedAt} is null)`.mapWith(Number),
      // Exact: each premium made yearly in whole cents, summed; divided by 12 and rounded once below.
      yearlyCents: sql<string>`(select coalesce(sum(${yearly}), 0)::text from ${contracts} where ${mine} and ${contracts.status} = 'AKTIV')`,
    };
    for (const [name, figure] of this.overviewFigures) figures[`figure:${name}`] = sql<number>`(${figure(app)})`.mapWith(Number);
    return figures;
  }

  /**
   * Another module's figure on the app's overview (open claims, unread messages): a scalar subquery computed in the
   * overview's one statement, read by that module's field resolver from `AppOverview.figures`.
   */
  addOverviewFigure(name: string, figure: (viewer: AppViewer) => SQL): void {
    this.overviewFigures.set(name, figure);
  }

  // ---- writes ---------------------------------------------------------------------------------------------

  /**
   * Staff create any contract or an offer (rules E3/E4); an app account adds one for a customer it may
   * access (rule E2): status START, visible, and the responsible staff are notified.
   */
  async create(viewer: Viewer, input: CreateContractInput) {
    const session = contractPolicy.authorize(viewer, "create");
    const customerId = decodeId(input.customerId, "Customer", "input.customerId");
    const problems = new Problems();
    const contractNumber = input.contractNumber.trim();
    if (!contractNumber) problems.add("input.contractNumber", "REQUIRED", "must not be empty");
    if (session.kind === "app") {
      // Rule E2: the customer gives as little as insurer and number; the broker enriches the rest.
      for (const f of ["status", "riskId", "notes", "visibleToCustomer", "responsibleStaffIds"] as const) {
        if (input[f] !== undefined && input[f] !== null) problems.add(`input.${f}`, "STAFF_ONLY", "is set by the broker, not in the app");
      }
    }
    this.checkMoney(problems, "input.premiumCents", input.premiumCents);
    this.checkDate(problems, "input.startDate", input.startDate);
    this.checkDate(problems, "input.endDate", input.endDate);
    if (input.startDate && input.endDate && input.endDate < input.startDate) problems.add("input.endDate", "RANGE", "must not be before the start date");
    problems.throwIfAny();
    const status: ContractStatus = session.kind === "app" ? ContractStatus.START : (input.status ?? ContractStatus.AKTIV);
    const row = await this.events.transact(async (tx, emit) => {
      const customer = await this.customers.require(tx, session, customerId);
      const insurer = await this.insurer(tx, session, input.insurerId, "input.insurerId");
      const risk = input.riskId ? await this.risk(tx, session, input.riskId, customerId, "input.riskId") : null;
      const staffIds = session.kind === "staff" && input.responsibleStaffIds ? await this.staffIds(tx, session, input.responsibleStaffIds, "input.responsibleStaffIds") : [];
      const now = this.deps.clock.now();
      const [created] = await tx
        .insert(contracts)
        .values({
          tenantId: session.tenantId,
          customerId,
          insurerId: insurer.id,
          contractNumber,
          lineOfBusiness: input.lineOfBusiness ?? null,
          status,
          premiumCents: input.premiumCents ?? null,
          paymentInterval: input.paymentInterval ?? null,
          startDate: input.startDate ?? null,
          endDate: input.endDate ?? null,
          riskId: risk?.id ?? null,
          notes: session.kind === "staff" ? (trimmed(input.notes) ?? null) : null,
          // Rules E2/E4: the customer's own contracts and offers are visible at once.
          visibleToCustomer: session.kind === "app" || status === ContractStatus.ANGEBOT || (input.visibleToCustomer ?? false),
          createdByStaffId: session.kind === "staff" ? session.userId : null,
          createdByAccountId: session.kind === "app" ? session.accountId : null,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const contract = created!;
      if (staffIds.length) await tx.insert(contractResponsibleStaff).values(staffIds.map((staffUserId, position) => ({ tenantId: session.tenantId, contractId: contract.id, staffUserId, position })));
      await this.recordStatus(tx, session, contract.id, null, status);
      if (input.documentFileId) {
        const file = await this.files.attach(tx, session, input.documentFileId, "DOCUMENT", "input.documentFileId");
        await this.documents.createDocument(tx, {
          tenantId: session.tenantId,
          customerId,
          // The policy (a photo or PDF) from the app; an offer's PDF from staff is filed as an application.
          category: { key: session.kind === "app" ? "POLICY" : status === ContractStatus.ANGEBOT ? "APPLICATION" : "POLICY" },
          title: file.fileName,
          file,
          visibleToCustomer: contract.visibleToCustomer,
          uploadedBy: session.kind === "staff" ? { staffUserId: session.userId } : { appAccountId: session.accountId },
          contractId: contract.id,
        });
      }
      if (session.kind === "app") {
        await this.notifications.notify(tx, emit, {
          tenantId: session.tenantId,
          staffUserIds: await this.recipients(tx, contract),
          kind: "CONTRACT_CREATED",
          ...contractCreatedText({ customerName: `${customer.firstName} ${customer.lastName}`, insurerName: insurer.name, contractNumber }),
          subject: { type: "Contract", id: contract.id },
        });
      }
      await this.announce(emit, contract);
      return contract;
    });
    return { contract: Contract.from(row) };
  }

  /** Rule E3: staff correct and enrich a contract and move it through the statuses (each move recorded). */
  async update(viewer: Viewer, input: UpdateContractInput) {
    const staff = contractPolicy.authorize(viewer, "update");
    const id = decodeId(input.id, "Contract", "input.id");
    const problems = new Problems();
    if (input.contractNumber !== undefined && !input.contractNumber?.trim()) problems.add("input.contractNumber", "REQUIRED", "must not be empty");
    if (input.insurerId === null) problems.add("input.insurerId", "REQUIRED", "every contract has an insurer");
    if (input.status === null) problems.add("input.status", "REQUIRED", "every contract has a status");
    if (input.visibleToCustomer === null) problems.add("input.visibleToCustomer", "REQUIRED", "give true or false");
    this.checkMoney(problems, "input.premiumCents", input.premiumCents);
    this.checkDate(problems, "input.startDate", input.startDate);
    this.checkDate(problems, "input.endDate", input.endDate);
    problems.throwIfAny();
    const row = await this.events.transact(async (tx, emit) => {
      const [current] = await tx.select().from(contracts).where(and(eq(contracts.id, id), contractScope(staff))).for("update");
      if (!current) throw notFound("Contract");
      const set: Partial<typeof contracts.$inferInsert> = { updatedAt: this.deps.clock.now() };
      if (input.insurerId) set.insurerId = (await this.insurer(tx, staff, input.insurerId, "input.insurerId")).id;
      if (input.contractNumber) set.contractNumber = input.contractNumber.trim();
      if (input.lineOfBusiness !== undefined) set.lineOfBusiness = input.lineOfBusiness;
      if (input.premiumCents !== undefined) set.premiumCents = input.premiumCents;
      if (input.paymentInterval !== undefined) set.paymentInterval = input.paymentInterval;
      if (input.startDate !== undefined) set.startDate = input.startDate;
      if (input.endDate !== undefined) set.endDate = input.endDate;
      if (input.notes !== undefined) set.notes = trimmed(input.notes) ?? null;
      if (input.visibleToCustomer !== undefined && input.visibleToCustomer !== null) set.visibleToCustomer = input.visibleToCustomer;
      if (input.riskId !== undefined) set.riskId = input.riskId === null ? null : (await this.risk(tx, staff, input.riskId, current.customerId, "input.riskId")).id;
      const start = set.startDate !== undefined ? set.startDate : current.startDate;
      const end = set.endDate !== undefined ? set.endDate : current.endDate;
      if (start && end && end < start) throw badInput([{ field: "input.endDate", rule: "RANGE", message: "must not be before the start date" }]);
      const next = input.status ?? (current.status as ContractStatus);
      if (next !== current.status) {
        if (!TRANSITIONS[current.status].includes(next)) {
          throw badInput([{ field: "input.status", rule: "TRANSITION", message: `cannot move from ${current.status} to ${next} (allowed: ${TRANSITIONS[current.status].join(", ") || "none"})` }]);
        }
        set.status = next;
        // An offer is something the customer must see (rule E4).
        if (next === ContractStatus.ANGEBOT) set.visibleToCustomer = true;
        await this.recordStatus(tx, staff, id, current.status as ContractStatus, next);
      }
      if (input.responsibleStaffIds) {
        const staffIds = await this.staffIds(tx, staff, input.responsibleStaffIds, "input.responsibleStaffIds");
        await tx.delete(contractResponsibleStaff).where(eq(contractResponsibleStaff.contractId, id));
        if (staffIds.length) await tx.insert(contractResponsibleStaff).values(staffIds.map((staffUserId, position) => ({ tenantId: staff.tenantId, contractId: id, staffUserId, position })));
      }
      const [updated] = await tx.update(contracts).set(set).where(eq(contracts.id, id)).returning();
      // The app hears of it if it could see the contract before or can now (made invisible: it is told so by absence).
      await this.announce(emit, updated!);
      return updated!;
    });
    return { contract: Contract.from(row) };
  }

  /**
   * Rule E5 (contract side), inside the offer flow's transaction: the customer accepts an open offer.
   * `acceptedAt` is set once; an offer accepted before, withdrawn (no longer ANGEBOT) or hidden is refused.
   * The flow (src/flows/offer.flow.ts) puts the message in the chat, which notifies staff as rule F3 says.
   */
  async acceptIn(tx: Queryable, emit: Emit, app: AppViewer, id: string): Promise<{ contract: ContractRow; insurer: InsurerRow }> {
    const [current] = await tx.select().from(contracts).where(and(eq(contracts.id, id), contractScope(app))).for("update");
    if (!current) throw notFound("Contract");
    if (current.acceptedAt) {
      throw new AppError(ErrorCode.CONFLICT, "This offer was accepted already", { fields: [{ field: "input.contractId", rule: "OFFER_ACCEPTED", message: "was accepted already" }] });
    }
    if (current.status !== ContractStatus.ANGEBOT) {
      throw new AppError(ErrorCode.CONFLICT, "This is no longer an open offer", { fields: [{ field: "input.contractId", rule: "OFFER_OPEN", message: `is not an open offer (status ${current.status})` }] });
    }
    const [accepted] = await tx
      .update(contracts)
      .set({ acceptedAt: this.deps.clock.now(), acceptedByAccountId: app.accountId, updatedAt: this.deps.clock.now() })
      .where(and(eq(contracts.id, id), isNull(contracts.acceptedAt)))
      .returning();
    const [insurer] = await tx.select().from(insurers).where(eq(insurers.id, current.insurerId));
    await this.announce(emit, accepted!);
    return { contract: accepted!, insurer: insurer! };
  }

  /** An offer the app shows (for a question about it), with its insurer; NOT_FOUND otherwise, CONFLICT if no longer an offer. */
  async requireOffer(tx: Queryable, app: AppViewer, id: string): Promise<{ contract: ContractRow; insurer: InsurerRow }> {
    const contract = await this.require(tx, app, id);
    if (contract.status !== ContractStatus.ANGEBOT) {
      throw new AppError(ErrorCode.CONFLICT, "This is no longer an open offer", { fields: [{ field: "input.contractId", rule: "OFFER_OPEN", message: `is not an open offer (status ${contract.status})` }] });
    }
    const [insurer] = await tx.select().from(insurers).where(eq(insurers.id, contract.insurerId));
    return { contract, insurer: insurer! };
  }

  /** Rules D1/C3: inviting a customer releases their contracts (through the release flow). */
  async release(tx: Queryable, r: { tenantId: string; customerId: string }): Promise<number> {
    const rows = await tx
      .update(contracts)
      .set({ visibleToCustomer: true, updatedAt: this.deps.clock.now() })
      .where(and(eq(contracts.tenantId, r.tenantId), eq(contracts.customerId, r.customerId), eq(contracts.visibleToCustomer, false)))
      .returning({ id: contracts.id });
    return rows.length;
  }

  /**
   * Rule E4: `contractChanged`. App accounts hear of their customers' visible contracts (re-checked per event:
   * a contract made invisible is never pushed); staff hear of every change in the firm, those from the app included.
   */
  subscribe(viewer: Viewer, after: string | null | undefined) {
    const session = contractPolicy.authorize(viewer, "follow");
    return this.events.watch<Contract>({
      viewer: session,
      topic: CONTRACT_CHANGED,
      after,
      audience: (v) => (v.kind === "app" ? v.customerIds : "firm"),
      load: async (v, rows) => {
        const found = await this.deps.database.db
          .select()
          .from(contracts)
          .where(and(inArray(contracts.id, [...new Set(rows.map((r) => r.entityId))]), contractScope(v)));
        const byId = new Map(found.map((c) => [c.id, c]));
        return rows.flatMap((r) => {
          const c = byId.get(r.entityId);
          return c ? [{ cursor: eventCursor(r.id), value: Contract.from(c) }] : [];
        });
      },
    });
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private announce(emit: Emit, c: ContractRow): Promise<void> {
    return emit({ tenantId: c.tenantId, topic: CONTRACT_CHANGED, entityId: c.id, audienceId: c.customerId });
  }

  private async recordStatus(tx: Tx | Queryable, by: SessionViewer, contractId: string, from: ContractStatus | null, to: ContractStatus): Promise<void> {
    await tx.insert(contractStatusChanges).values({
      tenantId: by.tenantId,
      contractId,
      fromStatus: from,
      toStatus: to,
      changedByStaffId: by.kind === "staff" ? by.userId : null,
      changedByAccountId: by.kind === "app" ? by.accountId : null,
      changedAt: this.deps.clock.now(),
    });
  }

  /** Staff user ids of the firm, in order, each once; NOT_FOUND for one that is not the firm's; deactivated ones refused (the staff module's one check). */
  private async staffIds(tx: Queryable, staff: StaffViewer, globalIds: string[], field: string): Promise<string[]> {
    return activeStaffIds(tx, staff, globalIds, field);
  }

  private checkMoney(problems: Problems, field: string, cents: number | null | undefined): void {
    if (cents === undefined || cents === null) return;
    if (!Number.isInteger(cents) || cents < 0 || cents > MAX_PREMIUM_CENTS) problems.add(field, "RANGE", `must be whole cents from 0 to ${MAX_PREMIUM_CENTS}`);
  }

  private checkDate(problems: Problems, field: string, value: string | null | undefined, opts: { notFuture?: boolean } = {}): void {
    if (!value) return;
    if (value < "1900-01-01" || value > "2200-12-31") problems.add(field, "RANGE", "must be between 1900-01-01 and 2200-12-31");
    else if (opts.notFuture && value > this.deps.clock.now().toISOString().slice(0, 10)) problems.add(field, "RANGE", "must not be in the future");
  }
}


/** The filters of the contract list (undefined: not set). */
interface ContractFilter {
  customerId?: string;
  status?: ContractStatus[];
  insurerId?: string;
  lineOfBusiness?: LineOfBusiness;
  responsible?: string;
  term?: string;
}

/** The placeholders' values of a filter (see `contractFilter`). */
function filterValues(f: ContractFilter): Record<string, unknown> {
  const values: Record<string, unknown> = { customerId: f.customerId, insurerId: f.insurerId, lineOfBusiness: f.lineOfBusiness, responsible: f.responsible, term: f.term };
  f.status?.forEach((status, i) => (values[`status${i}`] = status));
  return values;
}

/** The contracts the viewer may see that match the filter; its values bound by `bind`. */
function contractFilter(db: Queryable, viewer: SessionViewer, f: ContractFilter, bind: Bind): SQL {
  return and(
    contractScope(viewer),
    f.customerId !== undefined ? eq(contracts.customerId, bind("customerId", f.customerId)) : undefined,
    f.status ? inArray(contracts.status, f.status.map((status, i) => bind(`status${i}`, status))) : undefined,
    f.insurerId !== undefined ? eq(contracts.insurerId, bind("insurerId", f.insurerId)) : undefined,
    f.lineOfBusiness !== undefined ? eq(contracts.lineOfBusiness, bind("lineOfBusiness", f.lineOfBusiness)) : undefined,
    f.responsible !== undefined
      ? inArray(
          contracts.id,
          db.select({ id: contractResponsibleStaff.contractId }).from(contractResponsibleStaff).where(eq(contractResponsibleStaff.staffUserId, bind("responsible", f.responsible))),
        )
      : undefined,
    f.term !== undefined ? ilike(contracts.contractNumber, bind("term", f.term)) : undefined,
  )!;
}
