import type { Services } from "../../services.js";
import type { Viewer } from "../../auth/viewer.js";
import { batchLoader, listLoader } from "../../graphql/batch-loader.js";

export function accountLoaders(services: Services, viewer: Viewer) {
  return {
    /** The app login of each customer: staff see every customer's; an app account only its own. */
    appAccountOfCustomer: batchLoader((customerIds) => services.accountAdmin.ofCustomers(viewer, customerIds), (a) => a.customerId),
    /** The customers each account may access now (rule D9), own first: one query for a page of accounts. */
    accessibleCustomers: listLoader((accountIds) => services.household.accessibleCustomersOf(viewer, accountIds)),
  };
}
