import { and, asc, count, eq, ilike, inArray, isNotNull, isNull, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import { CompiledQueries, asIs, placeholder, shapeKey, type Bind } from "../../db/compiled.js";
import type { Queryable } from "../../db/client.js";
import { customers, customerResponsibleStaff, type CustomerRow } from "./customer.table.js";
import { activeStaffIds } from "../staff/responsible.js";
import { appAccounts } from "../account/account.table.js";
import { customerPolicy } from "./customer.policy.js";
import { customerScope } from "./customer.scope.js";
import { accountScope } from "../account/account.scope.js";
import type { SessionViewer, StaffViewer, Viewer } from "../../auth/viewer.js";
import { notFound, Problems } from "../../errors.js";
import { afterCursorPlaceholders, orderBy, pageValues, textKey, toConnection, uuidKey, type SortKey, countRows } from "../../graphql/connection.js";
import { decodeId } from "../../graphql/relay.js";
import { likeContains } from "../../graphql/search.js";
import { Customer, type CreateCustomerInput, type CustomersArgs, type SetResponsibleStaffInput, type UpdateCustomerInput } from "./customer.types.js";

// Other modules' searches import it from here too; it lives with the connection helpers.
export { likeContains };

export { customerScope };

/** The customer's name matches a pattern (`likeContains`: the term, wildcards literal), as "First Last" or "Last, First"; case-insensitive. */
function nameMatches(pattern: string): SQL {
  return or(ilike(sql`${customers.firstName} || ' ' || ${customers.lastName}`, pattern), ilike(sql`${customers.lastName} || ', ' || ${customers.firstName}`, pattern))!;
}

/** Ids of the customers the viewer may see whose name contains the term: a subquery for other modules' searches (app accounts by name). */
export function customersNamed(on: Queryable, viewer: Viewer, term: string) {
  return on.select({ id: customers.id }).from(customers).where(and(customerScope(viewer), nameMatches(likeContains(term))));
}

const clean = (s: string | null | undefined) => (s === undefined ? undefined : s === null || s.trim() === "" ? null : s.trim());

export class CustomerService {
  private readonly compiled: CompiledQueries;

  constructor(private readonly deps: Deps) {
    this.compiled = new CompiledQueries(deps.database.db, "customer");
  }

  /** Rule C1 (and F6's customer search): staff list the firm's customers by name, with filters. */
  async list(viewer: Viewer, args: CustomersArgs) {
    const session = customerPolicy.authorize(viewer, "list");
    const { db } = this.deps.database;
    const keys: SortKey[] = [
      { column: customers.lastName, direction: "asc", decode: textKey },
      { column: customers.firstName, direction: "asc", decode: textKey },
      { column: customers.id, direction: "asc", decode: uuidKey },
    ];
    const term = args.search?.trim();
    const filter: CustomerFilter = {
      term: term ? likeContains(term) : undefined,
      hasEmail: args.hasEmail ?? undefined,
      appAccountStatus: args.appAccountStatus ?? undefined,
      hasAppAccount: args.hasAppAccount ?? undefined,
      responsible: args.responsibleStaffId ? decodeId(args.responsibleStaffId, "StaffUser", "responsibleStaffId") : undefined,
    };
    // A search of 3 characters or more is answered by the trigram indexes, then sorted. `last_name || ''` is the
    // same order, but PostgreSQL cannot walk the name index for it: it would, assuming matches spread evenly, and
    // read most of a large firm's customers before the first "Zimmermann" (100,000 customers: 212 ms vs 3.5 ms).
    const byTrigram = Boolean(term && term.length >= 3);
    // A compiled read (db/compiled.ts): its shape is the filters set (hasEmail and hasAppAccount by value), the cursor and the order.
    const shape = shapeKey("list", {
      after: Boolean(args.after),
      byTrigram,
      term: filter.term !== undefined,
      hasEmail: String(filter.hasEmail),
      appAccountStatus: filter.appAccountStatus !== undefined,
      hasAppAccount: String(filter.hasAppAccount),
      responsible: filter.responsible !== undefined,
    });
    const values = { ...pageValues(keys, args), term: filter.term, appAccountStatus: filter.appAccountStatus, responsible: filter.responsible };
    const rows = await this.compiled.run(shape, session, (db, v) =>
      db
        .select()
        .from(customers)
        .where(and(customerFilter(db, v, filter, placeholder), args.after ? afterCursorPlaceholders(keys) : undefined))
        .orderBy(...(byTrigram ? [sql`${customers.lastName} || ''`, asc(customers.firstName), asc(customers.id)] : orderBy(keys)))
        .limit(sql.placeholder("limit")),
    values);
    return toConnection(rows, args, (r) => [r.lastName, r.firstName, r.id], Customer.from, () => countRows(db, customers, customerFilter(db, session, filter, asIs))());
  }

  /** A customer the viewer may see, or null. */
  async find(viewer: Viewer, id: string): Promise<Customer | null> {
    if (viewer.kind !== "staff" && viewer.kind !== "app") return null;
    const [row] = await this.deps.database.db.select().from(customers).where(and(eq(customers.id, id), customerScope(viewer)));
    return row ? Customer.from(row) : null;
  }

  /** Customers the viewer may see, by id (the customer loader). */
  async findMany(viewer: Viewer, ids: readonly string[]): Promise<Customer[]> {
    if (!customerPolicy.can(viewer, "read")) return [];
    const rows = await this.deps.database.db.select().from(customers).where(and(inArray(customers.id, [...ids]), customerScope(viewer)));
    return rows.map(Customer.from);
  }

  /** The ordered responsible staff ids of the customers the viewer may see (staff only: app accounts see cards). */
  async responsibleStaffIdsOf(viewer: Viewer, customerIds: readonly string[]): Promise<Map<string, string[]>> {
    if (!customerPolicy.can(viewer, "read")) return new Map();
    const rows = await this.deps.database.db
      .select({ customerId: customerResponsibleStaff.customerId, staffUserId: customerResponsibleStaff.staffUserId })
      .from(customerResponsibleStaff)
      .where(and(inArray(customerResponsibleStaff.customerId, [...customerIds]), customerScope(viewer, customerResponsibleStaff.customerId, customerResponsibleStaff.tenantId)))
      .orderBy(asc(customerResponsibleStaff.position));
    const map = new Map<string, string[]>(customerIds.map((id) => [id, []]));
    for (const r of rows) map.get(r.customerId)!.push(r.staffUserId);
    return map;
  }

  /** The customer if the viewer may see it, else NOT_FOUND (mutations; other modules check a customer id with it). */
  async require(on: Queryable, viewer: Viewer, id: string): Promise<CustomerRow> {
    const [row] = await on.select().from(customers).where(and(eq(customers.id, id), customerScope(viewer)));
    if (!row) throw notFound("Customer");
    return row;
  }

  /** Rule C1. */
  async create(viewer: Viewer, input: CreateCustomerInput) {
    const staff = customerPolicy.authorize(viewer, "create");
    const problems = new Problems();
    if (!input.firstName.trim()) problems.add("input.firstName", "REQUIRED", "must not be empty");
    if (!input.lastName.trim()) problems.add("input.lastName", "REQUIRED", "must not be empty");
    const birthDate = input.birthDate;
    this.checkBirthDate(problems, birthDate);
    problems.throwIfAny();
    const row = await this.deps.database.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(customers)
        .values({
          tenantId: staff.tenantId,
          firstName: input.firstName.trim(),
          lastName: input.lastName.trim(),
          birthDate: birthDate ?? null,
          email: clean(input.email)?.toLowerCase() ?? null,
          phone: clean(input.phone) ?? null,
          street: clean(input.street) ?? null,
          postalCode: clean(input.postalCode) ?? null,
          city: clean(input.city) ?? null,
        })
        .returning();
      if (input.responsibleStaffIds?.length) await this.replaceResponsible(tx, staff, created!.id, input.responsibleStaffIds, "input.responsibleStaffIds");
      return created!;
    });
    return { customer: Customer.from(row) };
  }

  /** Rule C1. */
  async update(viewer: Viewer, input: UpdateCustomerInput) {
    customerPolicy.authorize(viewer, "update");
    const id = decodeId(input.id, "Customer", "input.id");
    const problems = new Problems();
    // Names can be changed but not removed: null is refused like an empty string.
    if (input.firstName !== undefined && !input.firstName?.trim()) problems.add("input.firstName", "REQUIRED", "must not be empty");
    if (input.lastName !== undefined && !input.lastName?.trim()) problems.add("input.lastName", "REQUIRED", "must not be empty");
    const birthDate = input.birthDate;
    this.checkBirthDate(problems, birthDate);
    problems.throwIfAny();
    const set: Partial<typeof customers.$inferInsert> = { updatedAt: this.deps.clock.now() };
    if (input.firstName) set.firstName = input.firstName.trim();
    if (input.lastName) set.lastName = input.lastName.trim();
    if (birthDate !== undefined) set.birthDate = birthDate;
    if (input.email !== undefined) set.email = clean(input.email)?.toLowerCase() ?? null;
    if (input.phone !== undefined) set.phone = clean(input.phone);
    if (input.street !== undefined) set.street = clean(input.street);
    if (input.postalCode !== undefined) set.postalCode = clean(input.postalCode);
    if (input.city !== undefined) set.city = clean(input.city);
    const [row] = await this.deps.database.db
      .update(customers)
      .set(set)
      .where(and(eq(customers.id, id), customerScope(viewer)))
      .returning();
    if (!row) throw notFound("Customer");
    return { customer: Customer.from(row) };
  }

  /** Rule C1: replaces the ordered responsible staff. */
  async setResponsibleStaff(viewer: Viewer, input: SetResponsibleStaffInput) {
    const staff = customerPolicy.authorize(viewer, "setResponsibleStaff");
    const id = decodeId(input.customerId, "Customer", "input.customerId");
    const row = await this.deps.database.db.transaction(async (tx) => {
      const customer = await this.require(tx, staff, id);
      await this.replaceResponsible(tx, staff, id, input.staffUserIds, "input.staffUserIds");
      return customer;
    });
    return { customer: Customer.from(row) };
  }

  /** The staff module checks the list (the firm's, each once, none deactivated); then the new order replaces the old. */
  private async replaceResponsible(tx: Queryable, staff: StaffViewer, customerId: string, globalIds: string[], field: string): Promise<void> {
    const { tenantId } = staff;
    const ids = await activeStaffIds(tx, staff, globalIds, field);
    await tx.delete(customerResponsibleStaff).where(eq(customerResponsibleStaff.customerId, customerId));
    if (ids.length) await tx.insert(customerResponsibleStaff).values(ids.map((staffUserId, position) => ({ tenantId, customerId, staffUserId, position })));
  }

  private checkBirthDate(problems: Problems, birthDate: string | null | undefined): void {
    if (!birthDate) return;
    const today = this.deps.clock.now().toISOString().slice(0, 10);
    if (birthDate > today) problems.add("input.birthDate", "RANGE", "must not be in the future");
    if (birthDate < "1900-01-01") problems.add("input.birthDate", "RANGE", "must be after 1900-01-01");
  }

  /** Responsible staff ids of customers, in order (for loaders and notification routing). */
  async responsibleStaffIds(on: Queryable, customerIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await on
      .select()
      .from(customerResponsibleStaff)
      .where(inArray(customerResponsibleStaff.customerId, [...customerIds]))
      .orderBy(asc(customerResponsibleStaff.position));
    const map = new Map<string, string[]>(customerIds.map((id) => [id, []]));
    for (const r of rows) map.get(r.customerId)!.push(r.staffUserId);
    return map;
  }
}

/** The filters of the customer list (undefined: not set). */
interface CustomerFilter {
  term?: string;
  hasEmail?: boolean;
  appAccountStatus?: string;
  hasAppAccount?: boolean;
  responsible?: string;
}

/** The customers the viewer may see that match the filter; its values bound by `bind`. */
function customerFilter(db: Queryable, viewer: SessionViewer, f: CustomerFilter, bind: Bind): SQL {
  const accountsOf = (where: SQL | undefined) => db.select({ id: appAccounts.customerId }).from(appAccounts).where(and(accountScope(viewer), where));
  return and(
    customerScope(viewer),
    f.term !== undefined ? nameMatches(bind("term", f.term)) : undefined,
    f.hasEmail === true ? isNotNull(customers.email) : f.hasEmail === false ? isNull(customers.email) : undefined,
    f.appAccountStatus !== undefined ? inArray(customers.id, accountsOf(sql`${appAccounts.status} = ${bind("appAccountStatus", f.appAccountStatus)}`)) : undefined,
    f.hasAppAccount === true ? inArray(customers.id, accountsOf(undefined)) : f.hasAppAccount === false ? notInArray(customers.id, accountsOf(undefined)) : undefined,
    f.responsible !== undefined
      ? inArray(
          customers.id,
          db.select({ id: customerResponsibleStaff.customerId }).from(customerResponsibleStaff).where(eq(customerResponsibleStaff.staffUserId, bind("responsible", f.responsible))),
        )
      : undefined,
  )!;
}
