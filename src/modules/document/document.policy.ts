import { admin, definePolicy, session, staff } from "../../auth/policy.js";

/**
 * Documents (rules C2-C5). Who sees which document is the scope's (`document.scope.ts`); the policy says
 * what a viewer may do: both sides list and upload, staff release and withdraw, admins manage categories.
 */
export const documentPolicy = definePolicy("document", {
  list: session(),
  upload: session(),
  setVisibility: staff(),
  listCategories: staff(),
  manageCategories: admin(),
});
