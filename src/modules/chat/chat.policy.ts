import { app, definePolicy, either, permitted } from "../../auth/policy.js";

/**
 * Chats (rules F1-F9, B1). Staff work with chats only with the CHAT permission (FORBIDDEN without; they
 * never see chats nor are notified of them); an app account chats for each customer it may access.
 */
export const chatPolicy = definePolicy("chat", {
  list: either(permitted("CHAT"), app()),
  send: either(permitted("CHAT"), app()),
  start: permitted("CHAT"),
  setOperator: permitted("CHAT"),
  archive: permitted("CHAT"),
  markRead: either(permitted("CHAT"), app()),
  follow: either(permitted("CHAT"), app()),
  /** Rule E5: the app's offer actions. */
  answerOffer: app(),
  manageSettings: permitted("CHAT", (v) => v.role === "ADMIN"),
});
