import type { Queryable } from "../db/client.js";
import type { DocumentService } from "../modules/document/document.service.js";
import type { ContractService } from "../modules/contract/contract.service.js";

export interface Release {
  tenantId: string;
  customerId: string;
  sharing: "ALL_DOCUMENTS" | "SELECTED_CATEGORIES";
  /** With SELECTED_CATEGORIES: the categories whose documents are released. */
  categoryIds: string[];
}

/**
 * Rules D1/C3: what inviting a customer releases to the app, decided in one place. It spans modules (the
 * account module invites; documents, and with the contracts module the customer's contracts, are released),
 * so it lives here in `src/flows/`: flows call the modules' internal APIs inside the caller's transaction,
 * and modules call flows, never each other's tables, so no two services depend on each other.
 */
export class ReleaseFlow {
  constructor(
    private readonly documents: DocumentService,
    private readonly contracts: ContractService,
  ) {}

  async toCustomer(tx: Queryable, r: Release): Promise<{ documents: number; contracts: number }> {
    const categoryIds = r.sharing === "ALL_DOCUMENTS" ? undefined : r.categoryIds;
    return {
      documents: await this.documents.release(tx, { tenantId: r.tenantId, customerId: r.customerId, categoryIds }),
      // Rule D1: inviting releases the customer's contracts, whatever the document sharing.
      contracts: await this.contracts.release(tx, { tenantId: r.tenantId, customerId: r.customerId }),
    };
  }
}
