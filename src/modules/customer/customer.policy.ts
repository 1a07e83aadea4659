import { definePolicy, session, staff } from "../../auth/policy.js";

/**
 * Customers (rule C1): staff work with every customer of the firm; an app account reads the customers it
 * may access (its own and household grants, rule D9), which the scope decides.
 */
export const customerPolicy = definePolicy("customer", {
  list: staff(),
  read: session(),
  create: staff(),
  update: staff(),
  setResponsibleStaff: staff(),
});
