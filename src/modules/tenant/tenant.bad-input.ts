/** Bad inputs to the mutations of the tenant module: each gets a clear error and changes nothing (run by src/test/bad-input.test.ts). */
import { CreateTenantDocument, SetCustomerAppEnabledDocument, UpdateBrokerProfileDocument } from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { long, longEmail, randomId, raw, profile, type BadInputRows } from "../../test/bad-input-registry.js";

export const tenantBadInput: BadInputRows = {
  updateBrokerProfile: [
    ["four-digit postal code", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, postalCode: "1234" } }), "BAD_USER_INPUT", "input.postalCode"],
    ["postal code of letters", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, postalCode: "abcde" } }), "BAD_USER_INPUT", "input.postalCode"],
    ["phone of letters", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, phone: "abc" } }), "BAD_USER_INPUT", "input.phone"],
    ["too long phone", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, phone: long(41, "1") } }), "BAD_USER_INPUT", "input.phone"],
    ["too long name", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, name: long(121) } }), "BAD_USER_INPUT", "input.name"],
    ["too long street", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, street: long(121) } }), "BAD_USER_INPUT", "input.street"],
    ["too long city", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: { ...profile, city: long(81) } }), "BAD_USER_INPUT", "input.city"],
    ["missing city", (w) => w.firm.adminClient.request(UpdateBrokerProfileDocument, { input: raw<typeof profile>({ ...profile, city: undefined }) }), "BAD_USER_INPUT", "input.city"],
  ],
  createTenant: [
    ["empty name", (w) => w.operator.request(CreateTenantDocument, { input: { name: "", adminEmail: "chef@example.test", adminName: "Chef" } }), "BAD_USER_INPUT", "input.name"],
    ["blank name", (w) => w.operator.request(CreateTenantDocument, { input: { name: "   ", adminEmail: "chef@example.test", adminName: "Chef" } }), "BAD_USER_INPUT", "input.name"],
    ["too long name", (w) => w.operator.request(CreateTenantDocument, { input: { name: long(121), adminEmail: "chef@example.test", adminName: "Chef" } }), "BAD_USER_INPUT", "input.name"],
    ["empty admin email", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: "", adminName: "Chef" } }), "BAD_USER_INPUT", "input.adminEmail"],
    ["malformed admin email", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: "chef at example.test", adminName: "Chef" } }), "BAD_USER_INPUT", "input.adminEmail"],
    ["too long admin email", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: longEmail, adminName: "Chef" } }), "BAD_USER_INPUT", "input.adminEmail"],
    ["admin email in use", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: w.firm.admin.email, adminName: "Chef" } }), "CONFLICT", "input.adminEmail"],
    ["empty admin name", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: "chef@example.test", adminName: "" } }), "BAD_USER_INPUT", "input.adminName"],
    ["blank admin name", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: "chef@example.test", adminName: "  " } }), "BAD_USER_INPUT", "input.adminName"],
    ["too long admin name", (w) => w.operator.request(CreateTenantDocument, { input: { name: "Firma", adminEmail: "chef@example.test", adminName: long(121) } }), "BAD_USER_INPUT", "input.adminName"],
  ],
  setCustomerAppEnabled: [
    ["neither tenantId nor brokerId", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { enabled: false } }), "BAD_USER_INPUT", "input.tenantId"],
    ["empty broker ID", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { brokerId: "", enabled: false } }), "BAD_USER_INPUT", "input.brokerId"],
    ["blank broker ID", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { brokerId: "   ", enabled: false } }), "BAD_USER_INPUT", "input.brokerId"],
    ["empty tenantId", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { tenantId: "", enabled: false } }), "BAD_USER_INPUT", "input.tenantId"],
    ["too long broker ID", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { brokerId: long(21, "K"), enabled: false } }), "BAD_USER_INPUT", "input.brokerId"],
    ["unknown broker ID", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { brokerId: "ZZZZZZ", enabled: false } }), "NOT_FOUND"],
    ["malformed tenantId", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { tenantId: "abc", enabled: false } }), "BAD_USER_INPUT", "input.tenantId"],
    ["unknown tenantId", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { tenantId: randomId("Tenant"), enabled: false } }), "NOT_FOUND"],
    ["tenantId of another type", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: { tenantId: toGlobalId("StaffUser", w.firm.admin.id), enabled: false } }), "NOT_FOUND"],
    ["missing enabled", (w) => w.operator.request(SetCustomerAppEnabledDocument, { input: raw<{ enabled: boolean }>({ brokerId: w.firm.tenant.brokerId }) }), "BAD_USER_INPUT", "input.enabled"],
  ],
};
