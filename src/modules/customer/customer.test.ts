import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { startTestServer, expectApiError, type TestServer } from "../../test/harness.js";
import { factories } from "../../test/factories.js";
import {
  CreateCustomerDocument,
  CustomerDocument,
  CustomersDocument,
  SetResponsibleStaffDocument,
  UpdateCustomerDocument,
  UpdateStaffUserDocument,
  type CustomersQuery,
  type CustomersQueryVariables,
  type KundenappClient,
} from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { customerResponsibleStaff, customers } from "./customer.table.js";

let t: TestServer;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  t = await startTestServer();
  f = factories(t);
});
afterAll(() => t.close());

type Firm = Awaited<ReturnType<ReturnType<typeof factories>["buildFirm"]>>;

const db = () => t.app.deps.database.db;
const gid = (type: string, id: string) => toGlobalId(type, id);
const customersOf = (tenantId: string) => db().select().from(customers).where(eq(customers.tenantId, tenantId)).orderBy(asc(customers.id));
const responsibleOf = async (customerId: string) =>
  (await db().select().from(customerResponsibleStaff).where(eq(customerResponsibleStaff.customerId, customerId)).orderBy(asc(customerResponsibleStaff.position))).map(
    (r) => r.staffUserId,
  );
const isoDay = (offsetDays: number) => new Date(t.clock.now().getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** Every customer a list query returns, walked page by page. */
async function listAll(client: KundenappClient, vars: Omit<CustomersQueryVariables, "after"> = {}) {
  const nodes: CustomersQuery["customers"]["edges"][number]["node"][] = [];
  let after: string | null = null;
  for (;;) {
    const { customers: page }: CustomersQuery = await client.request(CustomersDocument, { first: 100, ...vars, after });
    nodes.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor ?? null;
  }
}

describe("creating and editing customers (rule C1)", () => {
  let firm: Firm;
  let third: Awaited<ReturnType<typeof f.buildStaff>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    third = await f.buildStaff({ tenant: firm.tenant });
  });

  it("C1: createCustomer stores every field, with the responsible staff in the given order", async () => {
    const order = [firm.employee.id, third.id, firm.admin.id];
    const { createCustomer } = await firm.employeeClient.request(CreateCustomerDocument, {
      input: {
        firstName: "  Kim ",
        lastName: "Müller",
        birthDate: "1985-04-12",
        email: "Kim.Mueller@Example.TEST",
        phone: "+49 30 1234567",
        street: "Lindenstraße 5",
        postalCode: "10115",
        city: "Berlin",
        responsibleStaffIds: order.map((id) => gid("StaffUser", id)),
      },
    });
    expect(createCustomer.customer).toMatchObject({
      firstName: "Kim",
      lastName: "Müller",
      name: "Kim Müller",
      birthDate: "1985-04-12",
      email: "kim.mueller@example.test",
      phone: "+49 30 1234567",
      street: "Lindenstraße 5",
      postalCode: "10115",
      city: "Berlin",
    });
    expect(createCustomer.customer.responsibleStaff.map((s) => s.id)).toEqual(order.map((id) => gid("StaffUser", id)));

    // Read back through the API and in the database.
    const { customer } = await firm.adminClient.request(CustomerDocument, { id: createCustomer.customer.id });
    expect(customer).toMatchObject({ name: "Kim Müller", birthDate: "1985-04-12", postalCode: "10115" });
    expect(customer.responsibleStaff.map((s) => s.id)).toEqual(order.map((id) => gid("StaffUser", id)));
    const [row] = (await customersOf(firm.tenant.id)).filter((c) => gid("Customer", c.id) === createCustomer.customer.id);
    expect(row).toMatchObject({ tenantId: firm.tenant.id, birthDate: "1985-04-12", email: "kim.mueller@example.test" });
    expect(await responsibleOf(row!.id)).toEqual(order);
  });

  it("C1: createCustomer needs only the names; optional fields stay null", async () => {
    const { createCustomer } = await firm.adminClient.request(CreateCustomerDocument, { input: { firstName: "Nur", lastName: "Name" } });
    expect(createCustomer.customer).toMatchObject({ name: "Nur Name", birthDate: null, email: null, phone: null, street: null, postalCode: null, city: null });
    expect(createCustomer.customer.responsibleStaff).toEqual([]);
  });

  it("C1: updateCustomer changes only the given fields; null clears an optional one", async () => {
    const created = await f.buildCustomer({
      tenant: firm.tenant,
      firstName: "Eva",
      lastName: "Alt",
      birthDate: "1970-01-02",
      email: "eva@example.test",
      phone: "0301234",
      street: "Weg 1",
      postalCode: "20457",
      city: "Hamburg",
    });
    const id = gid("Customer", created.id);
    const first = await firm.employeeClient.request(UpdateCustomerDocument, { input: { id, lastName: "Neu", city: "Bremen" } });
    expect(first.updateCustomer.customer).toMatchObject({
      firstName: "Eva",
      lastName: "Neu",
      name: "Eva Neu",
      birthDate: "1970-01-02",
      email: "eva@example.test",
      phone: "0301234",
      street: "Weg 1",
      postalCode: "20457",
      city: "Bremen",
    });
    const cleared = await firm.employeeClient.request(UpdateCustomerDocument, { input: { id, email: null, phone: null, birthDate: null, street: null, postalCode: null } });
    expect(cleared.updateCustomer.customer).toMatchObject({ firstName: "Eva", lastName: "Neu", email: null, phone: null, birthDate: null, street: null, postalCode: null, city: "Bremen" });
    const [row] = await db().select().from(customers).where(eq(customers.id, created.id));
    expect(row).toMatchObject({ lastName: "Neu", city: "Bremen", email: null, phone: null, birthDate: null, street: null, postalCode: null });
    // An update naming nothing but the id changes nothing.
    const none = await firm.employeeClient.request(UpdateCustomerDocument, { input: { id } });
    expect(none.updateCustomer.customer).toMatchObject({ name: "Eva Neu", city: "Bremen" });
  });

  it("C1: updateCustomer of a customer that does not exist or of another firm is NOT_FOUND", async () => {
    const foreign = await f.buildCustomer();
    await expectApiError(firm.adminClient.request(UpdateCustomerDocument, { input: { id: gid("Customer", foreign.id), lastName: "Übernommen" } }), "NOT_FOUND");
    await expectApiError(firm.adminClient.request(UpdateCustomerDocument, { input: { id: gid("Customer", crypto.randomUUID()), lastName: "X" } }), "NOT_FOUND");
    const [row] = await db().select().from(customers).where(eq(customers.id, foreign.id));
    expect(row!.lastName).toBe(foreign.lastName);
  });
});

describe("responsible staff (rule C1)", () => {
  let firm: Firm;
  let third: Awaited<ReturnType<typeof f.buildStaff>>;
  let stranger: Awaited<ReturnType<typeof f.buildStaff>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    third = await f.buildStaff({ tenant: firm.tenant });
    stranger = await f.buildStaff();
  });
  const set = (customerId: string, staffIds: string[]) =>
    firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: gid("Customer", customerId), staffUserIds: staffIds.map((id) => gid("StaffUser", id)) } });

  it("C1: setResponsibleStaff keeps the order, replaces the list, and an empty list clears it", async () => {
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    const first = await set(customer.id, [third.id, firm.admin.id]);
    expect(first.setResponsibleStaff.customer.responsibleStaff.map((s) => s.id)).toEqual([gid("StaffUser", third.id), gid("StaffUser", firm.admin.id)]);
    expect(await responsibleOf(customer.id)).toEqual([third.id, firm.admin.id]);

    const reordered = await set(customer.id, [firm.admin.id, firm.employee.id, third.id]);
    expect(reordered.setResponsibleStaff.customer.responsibleStaff.map((s) => s.id)).toEqual([firm.admin.id, firm.employee.id, third.id].map((id) => gid("StaffUser", id)));
    const { customer: read } = await firm.adminClient.request(CustomerDocument, { id: gid("Customer", customer.id) });
    expect(read.responsibleStaff.map((s) => s.id)).toEqual([firm.admin.id, firm.employee.id, third.id].map((id) => gid("StaffUser", id)));

    const replaced = await set(customer.id, [firm.employee.id]);
    expect(replaced.setResponsibleStaff.customer.responsibleStaff.map((s) => s.id)).toEqual([gid("StaffUser", firm.employee.id)]);
    expect(await responsibleOf(customer.id)).toEqual([firm.employee.id]);

    const cleared = await set(customer.id, []);
    expect(cleared.setResponsibleStaff.customer.responsibleStaff).toEqual([]);
    expect(await responsibleOf(customer.id)).toEqual([]);
  });

  it("C1: a staff user of another firm (or one that does not exist) is NOT_FOUND and nothing changes", async () => {
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    await set(customer.id, [third.id, firm.admin.id]);
    await expectApiError(set(customer.id, [firm.employee.id, stranger.id]), "NOT_FOUND");
    await expectApiError(set(customer.id, [crypto.randomUUID()]), "NOT_FOUND");
    expect(await responsibleOf(customer.id)).toEqual([third.id, firm.admin.id]);
    // Nor when creating: the customer is not created either.
    const before = (await customersOf(firm.tenant.id)).length;
    await expectApiError(
      firm.adminClient.request(CreateCustomerDocument, { input: { firstName: "Nie", lastName: "Angelegt", responsibleStaffIds: [gid("StaffUser", stranger.id)] } }),
      "NOT_FOUND",
    );
    expect(await customersOf(firm.tenant.id)).toHaveLength(before);
  });

  it("C1: naming a staff user twice is BAD_USER_INPUT and nothing changes", async () => {
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    await set(customer.id, [third.id]);
    const err = await expectApiError(set(customer.id, [firm.admin.id, third.id, firm.admin.id]), "BAD_USER_INPUT");
    expect(err.fields[0]).toMatchObject({ field: "input.staffUserIds", rule: "UNIQUE" });
    expect(await responsibleOf(customer.id)).toEqual([third.id]);
  });

  it("C1: setResponsibleStaff on another firm's customer is NOT_FOUND", async () => {
    const foreign = await f.buildCustomer({ tenant: stranger.tenant });
    await expectApiError(set(foreign.id, [firm.admin.id]), "NOT_FOUND");
    expect(await responsibleOf(foreign.id)).toEqual([]);
  });
});

describe("deactivated staff stay out of the work (rules B1, C1; issue 12)", () => {
  let firm: Firm;
  beforeAll(async () => {
    firm = await f.buildFirm();
  });
  const set = (customerId: string, staffIds: string[]) =>
    firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: gid("Customer", customerId), staffUserIds: staffIds.map((id) => gid("StaffUser", id)) } });
  const deactivate = (staffId: string) => firm.adminClient.request(UpdateStaffUserDocument, { input: { id: gid("StaffUser", staffId), active: false } });

  it("setResponsibleStaff refuses a deactivated staff user (BAD_USER_INPUT naming each such entry, rule ACTIVE_STAFF) and nothing changes", async () => {
    const [gone, alsoGone] = [await f.buildStaff({ tenant: firm.tenant }), await f.buildStaff({ tenant: firm.tenant })];
    await deactivate(gone.id);
    await deactivate(alsoGone.id);
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    await set(customer.id, [firm.employee.id]);

    const err = await expectApiError(set(customer.id, [firm.admin.id, gone.id, firm.employee.id, alsoGone.id]), "BAD_USER_INPUT");
    expect(err.fields).toEqual([
      { field: "input.staffUserIds.1", rule: "ACTIVE_STAFF", message: expect.any(String) },
      { field: "input.staffUserIds.3", rule: "ACTIVE_STAFF", message: expect.any(String) },
    ]);
    expect(err.message).toMatch(/deactivated/);
    expect(await responsibleOf(customer.id)).toEqual([firm.employee.id]);
    // An invited user, who has not set a password yet, may be named: they are about to start.
    const invited = await f.buildStaff({ tenant: firm.tenant, status: "INVITED", passwordHash: null });
    await set(customer.id, [invited.id, firm.employee.id]);
    expect(await responsibleOf(customer.id)).toEqual([invited.id, firm.employee.id]);
  });

  it("createCustomer refuses a deactivated responsible staff user and creates nothing", async () => {
    const gone = await f.buildStaff({ tenant: firm.tenant });
    await deactivate(gone.id);
    const before = await customersOf(firm.tenant.id);
    const err = await expectApiError(
      firm.employeeClient.request(CreateCustomerDocument, {
        input: { firstName: "Nie", lastName: "Angelegt", responsibleStaffIds: [gid("StaffUser", firm.employee.id), gid("StaffUser", gone.id)] },
      }),
      "BAD_USER_INPUT",
    );
    expect(err.fields).toEqual([{ field: "input.responsibleStaffIds.1", rule: "ACTIVE_STAFF", message: expect.any(String) }]);
    expect(await customersOf(firm.tenant.id)).toEqual(before);
  });

  it("a staff user deactivated after being made responsible stays in Customer.responsibleStaff, marked DEACTIVATED, so the office can replace them", async () => {
    const leaving = await f.buildStaff({ tenant: firm.tenant, name: "Lea Leaving" });
    const customer = await f.buildCustomer({ tenant: firm.tenant });
    await set(customer.id, [leaving.id, firm.employee.id]);
    await deactivate(leaving.id);

    const { customer: read } = await firm.employeeClient.request(CustomerDocument, { id: gid("Customer", customer.id) });
    expect(read.responsibleStaff).toEqual([
      { id: gid("StaffUser", leaving.id), name: "Lea Leaving", status: "DEACTIVATED" },
      { id: gid("StaffUser", firm.employee.id), name: firm.employee.name, status: "ACTIVE" },
    ]);
    // Keeping them in a new list is refused; replacing them works, and the list then shows only active staff.
    await expectApiError(set(customer.id, [firm.employee.id, leaving.id]), "BAD_USER_INPUT");
    const { setResponsibleStaff } = await set(customer.id, [firm.employee.id, firm.admin.id]);
    expect(setResponsibleStaff.customer.responsibleStaff.map((s) => [s.id, s.status])).toEqual([
      [gid("StaffUser", firm.employee.id), "ACTIVE"],
      [gid("StaffUser", firm.admin.id), "ACTIVE"],
    ]);
  });
});

describe("the customer list (rule C1)", () => {
  let firm: Firm;
  let named: Record<string, string>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    const people: Array<[first: string, last: string, email: string | null]> = [
      ["Kim", "Müller", "kim@example.test"],
      ["Anna", "Müllerschön", null],
      ["Kim", "Meier", "meier@example.test"],
      ["Jonas", "Zander", null],
      ["Berta", "Albers", "albers@example.test"],
      ["Paul", "Prozent 50% Sofort", "rabatt@example.test"],
      ["Paula", "Rabatt 500 Sofort", null],
      ["Carl", "Schmidt", "schmidt@example.test"],
    ];
    named = {};
    for (const [firstName, lastName, email] of people) named[`${firstName} ${lastName}`] = (await f.buildCustomer({ tenant: firm.tenant, firstName, lastName, email })).id;
    // Another firm's customer with a matching name never appears.
    await f.buildCustomer({ firstName: "Kim", lastName: "Müller" });
  });
  const names = (nodes: Array<{ name: string }>) => nodes.map((n) => n.name);

  it("C1: sorted by last name (then first name), with the total count", async () => {
    const { customers: page } = await firm.employeeClient.request(CustomersDocument, { first: 100 });
    expect(page.totalCount).toBe(8);
    const lastNames = page.edges.map((e) => e.node.lastName);
    expect(lastNames).toEqual(["Albers", "Meier", "Müller", "Müllerschön", "Prozent 50% Sofort", "Rabatt 500 Sofort", "Schmidt", "Zander"]);
  });

  it("C1: cursor pagination walks every customer exactly once, in order", async () => {
    const all = await listAll(firm.employeeClient);
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(10);
      const { customers: page }: CustomersQuery = await firm.employeeClient.request(CustomersDocument, { first: 3, after });
      expect(page.totalCount).toBe(8);
      expect(page.edges.length).toBeLessThanOrEqual(3);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual(all.map((n) => n.id));
    expect(new Set(seen).size).toBe(8);
  });

  it("C1: search is case-insensitive and partial, over first and last name", async () => {
    const search = async (term: string) => names(await listAll(firm.employeeClient, { search: term }));
    expect(await search("müll")).toEqual(["Kim Müller", "Anna Müllerschön"]);
    expect(await search("MÜLLER")).toEqual(["Kim Müller", "Anna Müllerschön"]);
    expect(await search("kim mü")).toEqual(["Kim Müller"]);
    expect(await search("  KIM  ")).toEqual(["Kim Meier", "Kim Müller"]);
    expect(await search("müller, kim")).toEqual(["Kim Müller"]);
    expect(await search("ande")).toEqual(["Jonas Zander"]);
    expect(await search("niemand")).toEqual([]);
    const { customers: counted } = await firm.employeeClient.request(CustomersDocument, { search: "müll" });
    expect(counted.totalCount).toBe(2);
  });

  it("C1: LIKE wildcards in the search are literal", async () => {
    expect(names(await listAll(firm.employeeClient, { search: "%" }))).toEqual(["Paul Prozent 50% Sofort"]);
    expect(names(await listAll(firm.employeeClient, { search: "50%" }))).toEqual(["Paul Prozent 50% Sofort"]);
    expect(names(await listAll(firm.employeeClient, { search: "Prozent 50_ Sofort" }))).toEqual([]);
    expect(names(await listAll(firm.employeeClient, { search: "Rabatt 50_" }))).toEqual([]);
    expect(names(await listAll(firm.employeeClient, { search: "Rabatt 50" }))).toEqual(["Paula Rabatt 500 Sofort"]);
    expect(names(await listAll(firm.employeeClient, { search: "\\" }))).toEqual([]);
  });

  it("C1: hasEmail filters customers with or without an email", async () => {
    expect(names(await listAll(firm.employeeClient, { hasEmail: true }))).toEqual(["Berta Albers", "Kim Meier", "Kim Müller", "Paul Prozent 50% Sofort", "Carl Schmidt"]);
    expect(names(await listAll(firm.employeeClient, { hasEmail: false }))).toEqual(["Anna Müllerschön", "Paula Rabatt 500 Sofort", "Jonas Zander"]);
    const { customers: page } = await firm.employeeClient.request(CustomersDocument, { hasEmail: false, first: 1 });
    expect(page.totalCount).toBe(3);
    expect(names(await listAll(firm.employeeClient, { hasEmail: true, search: "kim" }))).toEqual(["Kim Meier", "Kim Müller"]);
  });

  it("C1: responsibleStaffId lists the customers a staff user is responsible for", async () => {
    await firm.adminClient.request(SetResponsibleStaffDocument, {
      input: { customerId: gid("Customer", named["Jonas Zander"]!), staffUserIds: [gid("StaffUser", firm.admin.id), gid("StaffUser", firm.employee.id)] },
    });
    await firm.adminClient.request(SetResponsibleStaffDocument, { input: { customerId: gid("Customer", named["Kim Meier"]!), staffUserIds: [gid("StaffUser", firm.employee.id)] } });
    expect(names(await listAll(firm.adminClient, { responsibleStaffId: gid("StaffUser", firm.employee.id) }))).toEqual(["Kim Meier", "Jonas Zander"]);
    expect(names(await listAll(firm.adminClient, { responsibleStaffId: gid("StaffUser", firm.admin.id) }))).toEqual(["Jonas Zander"]);
    expect(names(await listAll(firm.adminClient, { responsibleStaffId: gid("StaffUser", firm.employee.id), search: "kim" }))).toEqual(["Kim Meier"]);
    const { customers: page } = await firm.adminClient.request(CustomersDocument, { responsibleStaffId: gid("StaffUser", firm.employee.id) });
    expect(page.totalCount).toBe(2);
  });
});

describe("bad customer input (rule C1)", () => {
  let firm: Firm;
  let existing: Awaited<ReturnType<typeof f.buildCustomer>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    existing = await f.buildCustomer({ tenant: firm.tenant, firstName: "Bleibt", lastName: "So", birthDate: "1990-05-05", postalCode: "12345" });
  });
  const base = { firstName: "Gut", lastName: "Name" };
  // The rule is the API's vocabulary, whichever layer refused the value (validator, scalar or service).
  const cases: Array<[wrong: string, input: Record<string, unknown>, field: string, rule: string]> = [
    ["empty first name", { firstName: "" }, "input.firstName", "LENGTH"],
    ["blank first name", { firstName: "   " }, "input.firstName", "REQUIRED"],
    ["first name of 101 characters", { firstName: "x".repeat(101) }, "input.firstName", "LENGTH"],
    ["empty last name", { lastName: "" }, "input.lastName", "LENGTH"],
    ["blank last name", { lastName: " \t " }, "input.lastName", "REQUIRED"],
    ["postal code of four digits", { postalCode: "1234" }, "input.postalCode", "FORMAT"],
    ["postal code with letters", { postalCode: "1O115" }, "input.postalCode", "FORMAT"],
    ["phone with letters", { phone: "0800 HALLO" }, "input.phone", "FORMAT"],
    ["birth date in the future", { birthDate: "__tomorrow__" }, "input.birthDate", "RANGE"],
    ["birth date far in the future", { birthDate: "2999-01-01" }, "input.birthDate", "RANGE"],
    ["birth date before 1900", { birthDate: "1899-12-31" }, "input.birthDate", "RANGE"],
    ["birth date that is no date", { birthDate: "2020-02-30" }, "input.birthDate", "TYPE"],
    ["email without @", { email: "kim.example.test" }, "input.email", "EMAIL"],
    ["email with a space", { email: "kim @example.test" }, "input.email", "EMAIL"],
  ];
  const withTomorrow = (input: Record<string, unknown>) => (input.birthDate === "__tomorrow__" ? { ...input, birthDate: isoDay(1) } : input);

  it.each(cases)("C1: createCustomer with %s is BAD_USER_INPUT naming the field and its rule, and nothing is written", async (_, wrong, field, rule) => {
    const before = await customersOf(firm.tenant.id);
    const err = await expectApiError(firm.employeeClient.request(CreateCustomerDocument, { input: { ...base, ...withTomorrow(wrong) } as never }), "BAD_USER_INPUT");
    expect(err.fields.map((p) => p.field)).toContain(field);
    expect(err.fields).toContainEqual(expect.objectContaining({ field, rule }));
    expect(await customersOf(firm.tenant.id)).toEqual(before);
  });

  it.each(cases)("C1: updateCustomer with %s is BAD_USER_INPUT naming the field and its rule, and nothing is written", async (_, wrong, field, rule) => {
    const before = await customersOf(firm.tenant.id);
    const err = await expectApiError(firm.employeeClient.request(UpdateCustomerDocument, { input: { id: gid("Customer", existing.id), ...withTomorrow(wrong) } as never }), "BAD_USER_INPUT");
    expect(err.fields.map((p) => p.field)).toContain(field);
    expect(err.fields).toContainEqual(expect.objectContaining({ field, rule }));
    expect(await customersOf(firm.tenant.id)).toEqual(before);
  });

  it("C1: today's date is a valid birth date", async () => {
    const { createCustomer } = await firm.employeeClient.request(CreateCustomerDocument, { input: { ...base, birthDate: isoDay(0) } });
    expect(createCustomer.customer.birthDate).toBe(isoDay(0));
  });
});

describe("customers and app accounts (rules C1, C3)", () => {
  let firm: Firm;
  let app: KundenappClient;
  let own: Awaited<ReturnType<typeof f.buildCustomer>>;
  let granted: Awaited<ReturnType<typeof f.buildCustomer>>;
  let other: Awaited<ReturnType<typeof f.buildCustomer>>;
  beforeAll(async () => {
    firm = await f.buildFirm();
    own = await f.buildCustomer({ tenant: firm.tenant, firstName: "Eigene", lastName: "Kundin" });
    granted = await f.buildCustomer({ tenant: firm.tenant, firstName: "Haushalt", lastName: "Mitglied" });
    other = await f.buildCustomer({ tenant: firm.tenant, firstName: "Fremde", lastName: "Nachbarin" });
    const account = await f.buildAppAccount({ customer: own });
    await f.grantAccess(account, granted);
    app = await f.appClient(account);
    await firm.adminClient.request(SetResponsibleStaffDocument, { input: { customerId: gid("Customer", own.id), staffUserIds: [gid("StaffUser", firm.employee.id)] } });
  });

  it("C3: an app account reads its own customer and a granted one", async () => {
    const mine = await app.request(CustomerDocument, { id: gid("Customer", own.id) });
    expect(mine.customer).toMatchObject({ id: gid("Customer", own.id), name: "Eigene Kundin" });
    // The firm's staff assignments are not the app's business.
    expect(mine.customer.responsibleStaff).toEqual([]);
    const household = await app.request(CustomerDocument, { id: gid("Customer", granted.id) });
    expect(household.customer.name).toBe("Haushalt Mitglied");
  });

  it("C3: another customer of the same firm (or of another firm) is NOT_FOUND for the app account", async () => {
    const missing = await expectApiError(app.request(CustomerDocument, { id: gid("Customer", crypto.randomUUID()) }), "NOT_FOUND");
    const sameFirm = await expectApiError(app.request(CustomerDocument, { id: gid("Customer", other.id) }), "NOT_FOUND");
    const foreign = await f.buildCustomer();
    await expectApiError(app.request(CustomerDocument, { id: gid("Customer", foreign.id) }), "NOT_FOUND");
    expect(sameFirm.message).toBe(missing.message);
  });

  it("C1: app accounts get FORBIDDEN on the customer list and on every customer mutation, and nothing changes", async () => {
    const before = await customersOf(firm.tenant.id);
    await expectApiError(app.request(CustomersDocument, {}), "FORBIDDEN");
    await expectApiError(app.request(CreateCustomerDocument, { input: { firstName: "Neu", lastName: "Angelegt" } }), "FORBIDDEN");
    await expectApiError(app.request(UpdateCustomerDocument, { input: { id: gid("Customer", own.id), lastName: "Geändert" } }), "FORBIDDEN");
    await expectApiError(app.request(SetResponsibleStaffDocument, { input: { customerId: gid("Customer", own.id), staffUserIds: [] } }), "FORBIDDEN");
    expect(await customersOf(firm.tenant.id)).toEqual(before);
    expect(await responsibleOf(own.id)).toEqual([firm.employee.id]);
  });
});

describe("customers by their app login (rules C1, D5, F1)", () => {
  it("filters by app login status and by having one, and shows the login on the customer", async () => {
    const firm = await f.buildFirm();
    const active = await f.buildAppAccount({ tenant: firm.tenant });
    const invited = await f.buildAppAccount({ tenant: firm.tenant, status: "INVITED", passwordHash: null });
    const without = await f.buildCustomer({ tenant: firm.tenant });
    const names = async (vars: CustomersQueryVariables) =>
      (await firm.adminClient.request(CustomersDocument, vars)).customers.edges.map((e) => e.node.id).sort();
    const id = (c: { id: string }) => gid("Customer", c.id);

    // Rule F1's "+" dialog: only customers with an ACTIVE login.
    expect(await names({ appAccountStatus: "ACTIVE" })).toEqual([id(active.customer)]);
    expect(await names({ appAccountStatus: "INVITED" })).toEqual([id(invited.customer)]);
    expect(await names({ hasAppAccount: true })).toEqual([id(active.customer), id(invited.customer)].sort());
    expect(await names({ hasAppAccount: false })).toEqual([id(without)]);

    const { customer } = await firm.adminClient.request(CustomerDocument, { id: id(active.customer) });
    expect(customer.appAccount).toEqual({ id: gid("AppAccount", active.id), status: "ACTIVE" });
    expect((await firm.adminClient.request(CustomerDocument, { id: id(without) })).customer.appAccount).toBeNull();
  });

  it("an app account sees its own login on its customer, and no other customer's", async () => {
    const firm = await f.buildFirm();
    const account = await f.buildAppAccount({ tenant: firm.tenant });
    const partnerAccount = await f.buildAppAccount({ tenant: firm.tenant });
    await f.grantAccess(account, partnerAccount.customer);
    const app = await f.appClient(account);
    expect((await app.request(CustomerDocument, { id: gid("Customer", account.customerId) })).customer.appAccount?.id).toBe(gid("AppAccount", account.id));
    // A household member's login is not this account's business.
    expect((await app.request(CustomerDocument, { id: gid("Customer", partnerAccount.customerId) })).customer.appAccount).toBeNull();
  });
});
