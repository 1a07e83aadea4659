import { app, definePolicy, either, permitted, session } from "../../auth/policy.js";

/**
 * Claims (rules G1-G4, B1). Staff work with claims only with the CLAIMS permission (FORBIDDEN without);
 * an app account reports claims and follows those of the customers it may access (the scope decides which).
 */
export const claimPolicy = definePolicy("claim", {
  report: app(),
  list: either(permitted("CLAIMS"), app()),
  update: permitted("CLAIMS"),
  /** The office's alert of new claims. */
  followAlerts: permitted("CLAIMS"),
  follow: either(permitted("CLAIMS"), app()),
  /** Staff-only fields (internal notes, internal amounts). */
  readInternal: permitted("CLAIMS"),
  /** Files a document at a claim (customer and staff alike, for claims they may see). */
  attach: session(),
});
