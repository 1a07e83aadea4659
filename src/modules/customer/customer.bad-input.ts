/** Bad inputs to the mutations of the customer module: each gets a clear error and changes nothing (run by src/test/bad-input.test.ts). */
import { CreateCustomerDocument, SetResponsibleStaffDocument, UpdateCustomerDocument } from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { long, longEmail, randomId, many, raw, type BadInputRows } from "../../test/bad-input-registry.js";

const customer = { firstName: "Kim", lastName: "Kunde" };

export const customerBadInput: BadInputRows = {
  createCustomer: [
    ["empty first name", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, firstName: "" } }), "BAD_USER_INPUT", "input.firstName"],
    ["blank first name", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, firstName: "  " } }), "BAD_USER_INPUT", "input.firstName"],
    ["too long last name", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, lastName: long(101) } }), "BAD_USER_INPUT", "input.lastName"],
    ["missing last name", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: raw<typeof customer>({ firstName: "Kim" }) }), "BAD_USER_INPUT", "input.lastName"],
    ["malformed email", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, email: "kim@@example" } }), "BAD_USER_INPUT", "input.email"],
    ["too long email", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, email: longEmail } }), "BAD_USER_INPUT", "input.email"],
    ["phone of letters", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, phone: "abc" } }), "BAD_USER_INPUT", "input.phone"],
    ["four-digit postal code", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, postalCode: "1234" } }), "BAD_USER_INPUT", "input.postalCode"],
    ["too long street", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, street: long(121) } }), "BAD_USER_INPUT", "input.street"],
    ["too long city", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, city: long(81) } }), "BAD_USER_INPUT", "input.city"],
    ["birth date in German format", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, birthDate: "31.12.1980" } }), "BAD_USER_INPUT", "input.birthDate"],
    ["birth date that does not exist", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, birthDate: "1980-02-30" } }), "BAD_USER_INPUT", "input.birthDate"],
    ["birth date in the future", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, birthDate: "2999-01-01" } }), "BAD_USER_INPUT", "input.birthDate"],
    ["birth date before 1900", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, birthDate: "1850-06-01" } }), "BAD_USER_INPUT", "input.birthDate"],
    ["malformed responsible staff id", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: ["abc"] } }), "BAD_USER_INPUT", "input.responsibleStaffIds.0"],
    ["unknown responsible staff id", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: [randomId("StaffUser")] } }), "NOT_FOUND"],
    ["responsible staff id of another type", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: [w.customer] } }), "NOT_FOUND"],
    ["a responsible staff user twice", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: many(2, toGlobalId("StaffUser", w.firm.admin.id)) } }), "BAD_USER_INPUT", "input.responsibleStaffIds"],
    ["too many responsible staff", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: many(21, toGlobalId("StaffUser", w.firm.admin.id)) } }), "BAD_USER_INPUT", "input.responsibleStaffIds"],
    ["a deactivated responsible staff user", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: { ...customer, responsibleStaffIds: [toGlobalId("StaffUser", w.firm.admin.id), w.deactivatedStaff] } }), "BAD_USER_INPUT", "input.responsibleStaffIds.1"],
    ["unknown field", (w) => w.firm.employeeClient.request(CreateCustomerDocument, { input: raw<typeof customer>({ ...customer, nickname: "Kimmy" }) }), "BAD_USER_INPUT", "input.nickname"],
  ],
  updateCustomer: [
    ["null first name", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, firstName: null } }), "BAD_USER_INPUT", "input.firstName"],
    ["null last name", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, lastName: null } }), "BAD_USER_INPUT", "input.lastName"],
    ["empty id", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: "", city: "Bremen" } }), "BAD_USER_INPUT", "input.id"],
    ["malformed id", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: "abc", city: "Bremen" } }), "BAD_USER_INPUT", "input.id"],
    ["too long id", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: long(300, "A"), city: "Bremen" } }), "BAD_USER_INPUT", "input.id"],
    ["unknown id", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: randomId("Customer"), city: "Bremen" } }), "NOT_FOUND"],
    ["id of another type", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: toGlobalId("StaffUser", w.firm.admin.id), city: "Bremen" } }), "NOT_FOUND"],
    ["empty first name", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, firstName: "" } }), "BAD_USER_INPUT", "input.firstName"],
    ["blank last name", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, lastName: " \t " } }), "BAD_USER_INPUT", "input.lastName"],
    ["too long first name", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, firstName: long(101) } }), "BAD_USER_INPUT", "input.firstName"],
    ["malformed email", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, email: "kim at example.test" } }), "BAD_USER_INPUT", "input.email"],
    ["postal code of letters", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, postalCode: "abcde" } }), "BAD_USER_INPUT", "input.postalCode"],
    ["too long phone", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, phone: long(41, "1") } }), "BAD_USER_INPUT", "input.phone"],
    ["birth date in the future", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, birthDate: "2999-01-01" } }), "BAD_USER_INPUT", "input.birthDate"],
    ["birth date of the wrong type", (w) => w.firm.employeeClient.request(UpdateCustomerDocument, { input: { id: w.customer, birthDate: raw<string>(19800101) } }), "BAD_USER_INPUT", "input.birthDate"],
  ],
  setResponsibleStaff: [
    ["empty customer id", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: "", staffUserIds: [] } }), "BAD_USER_INPUT", "input.customerId"],
    ["malformed customer id", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: "abc", staffUserIds: [] } }), "BAD_USER_INPUT", "input.customerId"],
    ["unknown customer id", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: randomId("Customer"), staffUserIds: [] } }), "NOT_FOUND"],
    ["customer id of another type", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: toGlobalId("StaffUser", w.firm.admin.id), staffUserIds: [] } }), "NOT_FOUND"],
    ["malformed staff id", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: [toGlobalId("StaffUser", w.firm.admin.id), "abc"] } }), "BAD_USER_INPUT", "input.staffUserIds.1"],
    ["unknown staff id", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: [randomId("StaffUser")] } }), "NOT_FOUND"],
    ["staff id of another type", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: [w.customer] } }), "NOT_FOUND"],
    ["a staff user twice", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: many(2, toGlobalId("StaffUser", w.firm.employee.id)) } }), "BAD_USER_INPUT", "input.staffUserIds"],
    ["too many staff users", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: many(21, toGlobalId("StaffUser", w.firm.employee.id)) } }), "BAD_USER_INPUT", "input.staffUserIds"],
    ["a deactivated staff user", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: { customerId: w.customer, staffUserIds: [w.deactivatedStaff] } }), "BAD_USER_INPUT", "input.staffUserIds.0"],
    ["missing staff list", (w) => w.firm.employeeClient.request(SetResponsibleStaffDocument, { input: raw<{ customerId: string; staffUserIds: string[] }>({ customerId: w.customer }) }), "BAD_USER_INPUT", "input.staffUserIds"],
  ],
};
