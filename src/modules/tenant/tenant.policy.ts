import { admin, definePolicy, session } from "../../auth/policy.js";

/** The firm and its broker profile: every member reads them (the app's home screen); admins edit the profile. */
export const tenantPolicy = definePolicy("tenant", {
  read: session(),
  updateBrokerProfile: admin(),
});
