/** Who may call the customer module's operations, and what of another firm they must not reach (run by src/test/isolation.test.ts). */
import { eq } from "drizzle-orm";
import { CreateCustomerDocument, CustomerDocument, CustomersDocument, NodeDocument, SetResponsibleStaffDocument, UpdateCustomerDocument } from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import type { ModuleAccess } from "../../test/access-registry.js";
import { customers } from "./customer.table.js";

export const customerAccess: ModuleAccess = {
  operations: [
    { name: "customers", access: "staff", call: (c) => c.request(CustomersDocument, { first: 10 }) },
    { name: "customer", access: "staff", app: "ok", call: (c, own, w) => c.request(CustomerDocument, { id: toGlobalId("Customer", w.of(own).customer) }) },
    { name: "node(Customer)", access: "staff", app: "ok", call: (c, own, w) => c.request(NodeDocument, { id: toGlobalId("Customer", w.of(own).customer) }) },
    { name: "createCustomer", access: "staff", call: (c) => c.request(CreateCustomerDocument, { input: { firstName: "Iso", lastName: "Neukunde" } }) },
    {
      name: "updateCustomer",
      access: "staff",
      call: (c, own, w) => c.request(UpdateCustomerDocument, { input: { id: toGlobalId("Customer", w.of(own).customer), city: "Bremen" } }),
    },
    {
      name: "setResponsibleStaff",
      access: "staff",
      call: (c, own, w) =>
        c.request(SetResponsibleStaffDocument, {
          input: { customerId: toGlobalId("Customer", w.of(own).customer), staffUserIds: [toGlobalId("StaffUser", own.employee.id)] },
        }),
    },
  ],
  byId: [
    { name: "node(id) of a Customer", argument: "node.id", type: "Customer", objectOf: (firm, w) => w.of(firm).customer, call: (c, id) => c.request(NodeDocument, { id }) },
    { name: "customer", argument: "customer.id", type: "Customer", objectOf: (firm, w) => w.of(firm).customer, call: (c, id) => c.request(CustomerDocument, { id }) },
    {
      name: "updateCustomer",
      argument: "updateCustomer.input.id",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).customer,
      call: (c, id) => c.request(UpdateCustomerDocument, { input: { id, city: "Übernommen" } }),
    },
    {
      name: "setResponsibleStaff (customer)",
      argument: "setResponsibleStaff.input.customerId",
      type: "Customer",
      objectOf: (firm, w) => w.of(firm).customer,
      call: (c, id) => c.request(SetResponsibleStaffDocument, { input: { customerId: id, staffUserIds: [] } }),
    },
    {
      name: "setResponsibleStaff (staff user)",
      argument: "setResponsibleStaff.input.staffUserIds",
      type: "StaffUser",
      objectOf: (firm) => firm.employee.id,
      call: (c, id, w) => c.request(SetResponsibleStaffDocument, { input: { customerId: toGlobalId("Customer", w.of(w.a).customer), staffUserIds: [id] } }),
    },
    {
      name: "createCustomer (responsible staff)",
      argument: "createCustomer.input.responsibleStaffIds",
      type: "StaffUser",
      objectOf: (firm) => firm.employee.id,
      call: (c, id) => c.request(CreateCustomerDocument, { input: { firstName: "Iso", lastName: "Verantwortet", responsibleStaffIds: [id] } }),
    },
    {
      // The admin is responsible for the firm's `other` customer, which no row changes.
      name: "customers (responsible staff filter)",
      argument: "customers.responsibleStaffId",
      type: "StaffUser",
      objectOf: (firm) => firm.admin.id,
      call: async (c, id) => (await c.request(CustomersDocument, { first: 100, responsibleStaffId: id })).customers.edges.map((e) => e.node.id),
      filter: true,
    },
  ],
  lists: [
    {
      name: "customers",
      listed: async (c) => (await c.request(CustomersDocument, { first: 100 })).customers.edges.map((e) => e.node.id),
      rowsOf: async (firmId, w) =>
        (await w.db().select({ id: customers.id }).from(customers).where(eq(customers.tenantId, firmId))).map((r) => toGlobalId("Customer", r.id)),
    },
  ],
  subscriptions: [],
  open: [],
  pending: [],
};
