import { admin, app, definePolicy, session, staff } from "../../auth/policy.js";

/**
 * Contracts and offers (rules E0-E5). Which contracts a viewer sees is the scope's (`contract.scope.ts`):
 * the firm's for staff; the visible ones of the customers an app account may access.
 */
export const contractPolicy = definePolicy("contract", {
  list: session(),
  /** Staff create any contract or offer; an app account adds one for a customer it may access (rule E2). */
  create: session(),
  /** Staff correct and enrich contracts and move them through the statuses (rule E3). */
  update: staff(),
  /** The customer answers an offer (rule E5). */
  answerOffer: app(),
  /** The app's start screen (rule E1). */
  overview: app(),
  follow: session(),
  listInsurers: session(),
  manageInsurers: admin(),
  /** Risks are the customer's own objects: staff keep them, the app reads its customers'. */
  manageRisks: staff(),
  /** Staff-only fields (notes, responsible staff). */
  readInternal: staff(),
});
