import { admin, definePolicy, session, staff } from "../../auth/policy.js";

/**
 * Staff users (rule B1): staff list and read their colleagues; admins invite and manage them. App accounts
 * read only a staff user's public card (name), e.g. the author of a message or a chat's operator.
 */
export const staffPolicy = definePolicy("staff", {
  list: staff(),
  readCard: session(),
  manage: admin(),
  updateOwnSettings: staff(),
});
