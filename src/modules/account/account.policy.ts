import { admin, app, definePolicy, session, staff } from "../../auth/policy.js";

/**
 * App accounts (rules D1-D9): staff invite customers and grant household access; admins list, activate,
 * deactivate, reactivate and delete logins; an account reads itself and follows its own access.
 */
export const accountPolicy = definePolicy("appAccount", {
  read: session(),
  invite: staff(),
  manage: admin(),
  grant: staff(),
  followAccess: app(),
});
