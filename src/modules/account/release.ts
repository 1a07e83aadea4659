import { and, eq, inArray } from "drizzle-orm";
import type { Queryable } from "../../db/client.js";
import { documents } from "../document/document.table.js";

export interface Release {
  tenantId: string;
  customerId: string;
  sharing: "ALL_DOCUMENTS" | "SELECTED_CATEGORIES";
  /** With SELECTED_CATEGORIES: the categories whose documents are released. */
  categoryIds: string[];
}

/**
 * Rule D1/C3: what inviting a customer releases to the app. The one place that decides it:
 * the contracts module adds "and the customer's contracts" here.
 */
export async function releaseToCustomer(tx: Queryable, r: Release): Promise<{ documents: number }> {
  const which =
    r.sharing === "ALL_DOCUMENTS"
      ? undefined
      : r.categoryIds.length > 0
        ? inArray(documents.categoryId, r.categoryIds)
        : null;
  if (which === null) return { documents: 0 };
  const released = await tx
    .update(documents)
    .set({ visibleToCustomer: true })
    .where(and(eq(documents.tenantId, r.tenantId), eq(documents.customerId, r.customerId), which))
    .returning({ id: documents.id });
  return { documents: released.length };
}
