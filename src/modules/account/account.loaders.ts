import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import type { Viewer } from "../../auth/viewer.js";
import { batchLoader, none } from "../../graphql/batch-loader.js";
import { appAccounts } from "./account.table.js";
import { AppAccount } from "./account.types.js";

export function accountLoaders(db: Db, viewer: Viewer) {
  return {
    /** The app login of each customer: staff see every customer's; an app account only its own. */
    appAccountOfCustomer: batchLoader(
      viewer.kind !== "staff" && viewer.kind !== "app"
        ? none
        : async (customerIds) =>
            (
              await db
                .select()
                .from(appAccounts)
                .where(
                  and(
                    inArray(appAccounts.customerId, [...customerIds]),
                    eq(appAccounts.tenantId, viewer.tenantId),
                    viewer.kind === "app" ? eq(appAccounts.id, viewer.accountId) : undefined,
                  ),
                )
            ).map(AppAccount.from),
      (a) => a.customerId,
    ),
  };
}
