/** Bad inputs to the mutations of the notification module: each gets a clear error and changes nothing (run by src/test/bad-input.test.ts). */
import { MarkNotificationsReadDocument } from "../../sdk/client.js";
import { randomId, many, raw, type BadInputRows } from "../../test/bad-input-registry.js";

export const notificationBadInput: BadInputRows = {
  markNotificationsRead: [
    ["neither ids nor all", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: {} }), "BAD_USER_INPUT", "input.ids"],
    ["empty ids, all false", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [], all: false } }), "BAD_USER_INPUT", "input.ids"],
    ["both ids and all", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [w.notification], all: true } }), "BAD_USER_INPUT", "input.all"],
    ["malformed id", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [w.notification, "abc"] } }), "BAD_USER_INPUT", "input.ids.1"],
    ["unknown id", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [w.notification, randomId("Notification")] } }), "NOT_FOUND"],
    ["id of another type", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [w.customer] } }), "NOT_FOUND"],
    ["another user's notification", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: [w.notification, w.adminNotification] } }), "NOT_FOUND"],
    ["too many ids", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { ids: many(101, w.notification) } }), "BAD_USER_INPUT", "input.ids"],
    ["all of the wrong type", (w) => w.firm.employeeClient.request(MarkNotificationsReadDocument, { input: { all: raw<boolean>("alle") } }), "BAD_USER_INPUT", "input.all"],
  ],
};
