/** Who may call the tenant module's operations, and what of another firm they must not reach (run by src/test/isolation.test.ts). */
import { BrokerProfileDocument, CreateTenantDocument, NodeDocument, SetCustomerAppEnabledDocument, TenantDocument, UpdateBrokerProfileDocument } from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { uniqueMail, type ModuleAccess } from "../../test/access-registry.js";

const profile = { name: "Übernahme GmbH", phone: "030 1234567", street: "Hauptstraße 1", postalCode: "10115", city: "Berlin" };

export const tenantAccess: ModuleAccess = {
  operations: [
    { name: "tenant", access: "staff", app: "ok", call: (c) => c.request(TenantDocument) },
    { name: "brokerProfile", access: "staff", app: "ok", call: (c) => c.request(BrokerProfileDocument) },
    { name: "node(Tenant)", access: "staff", app: "ok", call: (c, own) => c.request(NodeDocument, { id: toGlobalId("Tenant", own.tenant.id) }) },
    { name: "updateBrokerProfile", access: "admin", call: (c) => c.request(UpdateBrokerProfileDocument, { input: profile }) },
    { name: "createTenant", access: "operator", call: (c) => c.request(CreateTenantDocument, { input: { name: "Neue Firma", adminEmail: uniqueMail(), adminName: "Admin" } }) },
    {
      name: "setCustomerAppEnabled",
      access: "operator",
      call: (c, own) => c.request(SetCustomerAppEnabledDocument, { input: { brokerId: own.tenant.brokerId, enabled: !own.tenant.customerAppEnabled } }),
    },
  ],
  byId: [
    { name: "node(id) of a Tenant", argument: "node.id", type: "Tenant", objectOf: (firm) => firm.tenant.id, call: (c, id) => c.request(NodeDocument, { id }) },
    {
      name: "updateBrokerProfile (logo)",
      argument: "updateBrokerProfile.input.logoFileId",
      type: "File",
      objectOf: (firm, w) => w.of(firm).logo,
      call: (c, id) => c.request(UpdateBrokerProfileDocument, { input: { ...profile, logoFileId: id } }),
    },
  ],
  lists: [],
  subscriptions: [],
  open: [],
  pending: [],
};
