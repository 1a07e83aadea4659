import { definePolicy, staff } from "../../auth/policy.js";

/** Notifications (rule H1) are staff users' own: they list, mark and follow theirs. */
export const notificationPolicy = definePolicy("notification", {
  list: staff(),
  markRead: staff(),
  follow: staff(),
});
