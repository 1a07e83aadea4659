import { definePolicy, session } from "../../auth/policy.js";

/**
 * Sessions (rules D6, D8): staff and app accounts end their own session. Logins, resets and registration are
 * open operations (no viewer); which sessions exist is never listed to anyone.
 */
export const sessionPolicy = definePolicy("session", {
  logout: session(),
});
