// Every table of every feature, for drizzle's relational queries and drizzle-kit.
export * from "../modules/tenant/tenant.table.js";
export * from "../modules/staff/staff.table.js";
export * from "../modules/session/session.table.js";
export * from "../modules/notification/notification.table.js";
export * from "../mail/outbox.table.js";
export * from "../realtime/events.table.js";
export * from "../modules/customer/customer.table.js";
export * from "../modules/account/account.table.js";
export * from "../modules/document/document.table.js";
export * from "../files/file.table.js";
