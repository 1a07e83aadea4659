import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import type { Queryable } from "../../db/client.js";
import { documentCategories, documents, type DocumentCategoryRow, type DocumentRow } from "./document.table.js";
import { files, type FileRow } from "../../files/file.table.js";
import type { SessionViewer, Viewer } from "../../auth/viewer.js";
import { documentPolicy } from "./document.policy.js";
import { AppError, ErrorCode, badInput, notFound } from "../../errors.js";
import { afterCursor, orderBy, toConnection, uuidKey, type SortKey, countRows } from "../../graphql/connection.js";
import { decodeId } from "../../graphql/relay.js";
import type { FileService } from "../../files/file.service.js";
import type { Emit, EventLog } from "../../realtime/event-log.js";
import type { NotificationService } from "../notification/notification.service.js";
import type { CustomerService } from "../customer/customer.service.js";
import type { ContractLinks } from "../contract/contract.service.js";
import type { ClaimLinks } from "../claim/claim.service.js";
import { DEFAULT_CATEGORIES } from "./categories.js";
import { documentCategoryScope, documentScope } from "./document.scope.js";
import { customerResponsible, firstNonEmpty } from "../notification/recipients.js";
import { documentUploadedText } from "../../mail/notification-texts.js";

export { documentScope };

/** What the internal `createDocument` needs: every module that files a document at a customer goes through it. */
export interface NewDocument {
  tenantId: string;
  customerId: string;
  /** A category id of the firm, or the key of a default category ("CHAT_TRANSCRIPT", "POLICY", ...). */
  category: { id: string } | { key: string };
  title: string;
  /** An ATTACHED file (from `FileService.attach` or `attachGenerated`). */
  file: FileRow;
  visibleToCustomer: boolean;
  uploadedBy?: { staffUserId: string } | { appAccountId: string } | null;
  contractId?: string | null;
  claimId?: string | null;
}
import {
  Document,
  DocumentCategory,
  type CreateDocumentCategoryInput,
  type DocumentCategoriesArgs,
  type DocumentsArgs,
  type SetDocumentVisibilityInput,
  type SetRecommendedCategoriesInput,
  type UploadDocumentInput,
} from "./document.types.js";

export class DocumentService {
  private contracts: ContractLinks | undefined;
  private claims: ClaimLinks | undefined;
  constructor(
    private readonly deps: Deps,
    private readonly files: FileService,
    private readonly events: EventLog,
    private readonly notifications: NotificationService,
    private readonly customers: CustomerService,
  ) {}

  /** Rule C2: every firm starts with the default categories (created on first need). */
  async ensureDefaultCategories(on: Queryable, tenantId: string): Promise<void> {
    const [existing] = await on.select({ n: count() }).from(documentCategories).where(eq(documentCategories.tenantId, tenantId));
    if (existing!.n > 0) return;
    await on
      .insert(documentCategories)
      .values(DEFAULT_CATEGORIES.map((c, position) => ({ tenantId, key: c.key, name: c.name, recommended: c.recommended, position })))
      .onConflictDoNothing();
  }

  /** Rules C2/C4: the firm's categories; `recommended: true` gives the invitation dialog's preselection. */
  async categories(viewer: Viewer, args: DocumentCategoriesArgs): Promise<DocumentCategory[]> {
    const staff = documentPolicy.authorize(viewer, "listCategories");
    const { db } = this.deps.database;
    await this.ensureDefaultCategories(db, staff.tenantId);
    const rows = await db
      .select()
      .from(documentCategories)
      .where(and(documentCategoryScope(staff), args.recommended === undefined || args.recommended === null ? undefined : eq(documentCategories.recommended, args.recommended)))
      .orderBy(asc(documentCategories.position), asc(documentCategories.name));
    return rows.map(DocumentCategory.from);
  }

  async createCategory(viewer: Viewer, input: CreateDocumentCategoryInput) {
    const admin = documentPolicy.authorize(viewer, "manageCategories");
    const name = input.name.trim();
    if (!name) throw badInput([{ field: "input.name", rule: "REQUIRED", message: "must not be empty" }]);
    await this.ensureDefaultCategories(this.deps.database.db, admin.tenantId);
    const [row] = await this.deps.database.db
      .insert(documentCategories)
      .values({ tenantId: admin.tenantId, name, recommended: input.recommended, position: 1000 })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      // Rule C2: category names are unique within the firm.
      throw new AppError(ErrorCode.CONFLICT, "A category with this name exists already", { fields: [{ field: "input.name", rule: "UNIQUE", message: "is already in use" }] });
    }
    return { category: DocumentCategory.from(row) };
  }

  /** Rule C4: admins choose which categories the invitation preselects. */
  async setRecommended(viewer: Viewer, input: SetRecommendedCategoriesInput) {
    const admin = documentPolicy.authorize(viewer, "manageCategories");
    const ids = input.categoryIds.map((c, i) => decodeId(c, "DocumentCategory", `input.categoryIds.${i}`));
    const { db } = this.deps.database;
    await this.ensureDefaultCategories(db, admin.tenantId);
    await db.transaction(async (tx) => {
      const found = ids.length
        ? await tx.select({ id: documentCategories.id }).from(documentCategories).where(and(inArray(documentCategories.id, ids), documentCategoryScope(admin)))
        : [];
      if (found.length !== new Set(ids).size) throw notFound("Document category");
      await tx
        .update(documentCategories)
        .set({ recommended: ids.length ? inArray(documentCategories.id, ids) : sql`false` })
        .where(documentCategoryScope(admin));
    });
    return { categories: await this.categories(viewer, {}) };
  }

  /** A category the viewer's firm has, or NOT_FOUND. */
  private async category(on: Queryable, viewer: SessionViewer, globalId: string, field: string): Promise<DocumentCategoryRow> {
    const id = decodeId(globalId, "DocumentCategory", field);
    const [row] = await on.select().from(documentCategories).where(and(eq(documentCategories.id, id), documentCategoryScope(viewer)));
    if (!row) throw notFound("Document category");
    return row;
  }

  /** Documents, newest first; scoped per rule C3. */
  async list(viewer: Viewer, args: DocumentsArgs) {
    const session = documentPolicy.authorize(viewer, "list");
    const { db } = this.deps.database;
    const customerId = args.customerId ? decodeId(args.customerId, "Customer", "customerId") : undefined;
    // A customer the viewer may not see is NOT_FOUND, for staff (another firm) and app accounts alike.
    if (customerId) await this.customers.require(db, session, customerId);
    const categoryId = args.categoryId ? decodeId(args.categoryId, "DocumentCategory", "categoryId") : undefined;
    const keys: SortKey[] = [{ column: documents.id, direction: "desc", decode: uuidKey }];
    const scope = and(
      documentScope(viewer),
      customerId ? eq(documents.customerId, customerId) : undefined,
      categoryId ? eq(documents.categoryId, categoryId) : undefined,
      session.kind === "staff" && args.visibleToCustomer !== undefined && args.visibleToCustomer !== null ? eq(documents.visibleToCustomer, args.visibleToCustomer) : undefined,
    );
    const rows = await db
      .select({ d: documents, f: files })
      .from(documents)
      .innerJoin(files, eq(files.id, documents.fileId))
      .where(and(scope, afterCursor(keys, args.after)))
      .orderBy(...orderBy(keys))
      .limit(args.first + 1);
    return toConnection(rows, args, (r) => [r.d.id], (r) => Document.from(r.d, r.f), countRows(db, documents, scope));
  }

  async findMany(viewer: Viewer, ids: readonly string[]): Promise<Document[]> {
    if (!documentPolicy.can(viewer, "list")) return [];
    const rows = await this.deps.database.db
      .select({ d: documents, f: files })
      .from(documents)
      .innerJoin(files, eq(files.id, documents.fileId))
      .where(and(inArray(documents.id, [...ids]), documentScope(viewer)));
    return rows.map((r) => Document.from(r.d, r.f));
  }

  /**
   * Staff attach an uploaded file to a customer (rule C2); app accounts upload to a customer they may
   * access (rule C5), visible to them, which notifies the responsible staff.
   */
  async upload(viewer: Viewer, input: UploadDocumentInput) {
    const session = documentPolicy.authorize(viewer, "upload");
    const customerId = decodeId(input.customerId, "Customer", "input.customerId");
    if (session.kind === "staff" && !input.categoryId) throw badInput([{ field: "input.categoryId", rule: "REQUIRED", message: "choose a category" }]);
    if (session.kind === "app" && input.visibleToCustomer === false) {
      // Rule C5.
      throw badInput([{ field: "input.visibleToCustomer", rule: "ALWAYS_VISIBLE", message: "a customer's own upload is always visible to them" }]);
    }
    const { row, file } = await this.events.transact(async (tx, emit) => {
      const customer = await this.customers.require(tx, session, customerId);
      const category = input.categoryId ? await this.category(tx, session, input.categoryId, "input.categoryId") : { key: "OTHER" };
      // Rule C5: a document at a contract the uploader may see (of the same customer).
      const contract = input.contractId ? await this.contractLinks().require(tx, session, decodeId(input.contractId, "Contract", "input.contractId")) : null;
      if (contract && contract.customerId !== customerId) {
        throw badInput([{ field: "input.contractId", rule: "SAME_CUSTOMER", message: "is a contract of another customer" }]);
      }
      // A document at a claim the uploader may see (of the same customer).
      const claim = input.claimId ? await this.claimLinks().require(tx, session, decodeId(input.claimId, "Claim", "input.claimId")) : null;
      if (claim && claim.customerId !== customerId) {
        throw badInput([{ field: "input.claimId", rule: "SAME_CUSTOMER", message: "is a claim of another customer" }]);
      }
      const file = await this.files.attach(tx, session, input.fileId, "DOCUMENT", "input.fileId");
      const row = await this.createDocument(tx, {
        tenantId: session.tenantId,
        customerId,
        category,
        title: input.title?.trim() || file.fileName,
        file,
        visibleToCustomer: session.kind === "app" ? true : (input.visibleToCustomer ?? false),
        uploadedBy: session.kind === "staff" ? { staffUserId: session.userId } : { appAccountId: session.accountId },
        contractId: contract?.id ?? null,
        claimId: claim?.id ?? null,
      });
      if (session.kind === "app") {
        // Rule C5: the contract's responsible staff, else the customer's, else nobody.
        const responsible = contract ? await this.contractLinks().recipients(tx, contract) : await firstNonEmpty(() => customerResponsible(tx, session.tenantId, [customerId]));
        await this.notifications.notify(tx, emit, {
          tenantId: session.tenantId,
          staffUserIds: responsible,
          kind: "DOCUMENT_UPLOADED",
          ...documentUploadedText({ customerFirstName: customer.firstName, customerLastName: customer.lastName, documentTitle: row.title }),
          subject: { type: "Document", id: row.id },
        });
      }
      return { row, file };
    });
    return { document: Document.from(row, file) };
  }

  /** The documents filed at contracts the viewer may see (Contract.documents), newest first, scoped like every read. */
  async ofContracts(viewer: Viewer, contractIds: readonly string[]): Promise<Map<string, Document[]>> {
    const found = new Map<string, Document[]>(contractIds.map((id) => [id, []]));
    if (!documentPolicy.can(viewer, "list")) return found;
    const rows = await this.deps.database.db
      .select({ d: documents, f: files })
      .from(documents)
      .innerJoin(files, eq(files.id, documents.fileId))
      .where(and(inArray(documents.contractId, [...contractIds]), documentScope(viewer)))
      .orderBy(desc(documents.id));
    for (const r of rows) found.get(r.d.contractId!)?.push(Document.from(r.d, r.f));
    return found;
  }

  /**
   * The contracts module, handed in after both are built (it files documents through this service, and this
   * service checks contract ids through it): a setter, so neither constructor needs the other.
   */
  useContracts(links: ContractLinks): void {
    this.contracts = links;
  }

  /** The claims module, handed in likewise (rule C5: documents at a claim). */
  useClaims(links: ClaimLinks): void {
    this.claims = links;
  }

  private claimLinks(): ClaimLinks {
    if (!this.claims) throw new Error("DocumentService: the claims module is not wired");
    return this.claims;
  }

  /** The documents filed at claims the viewer may see (Claim.documents), newest first. */
  async ofClaims(viewer: Viewer, claimIds: readonly string[]): Promise<Map<string, Document[]>> {
    const found = new Map<string, Document[]>(claimIds.map((id) => [id, []]));
    if (!documentPolicy.can(viewer, "list")) return found;
    const rows = await this.deps.database.db
      .select({ d: documents, f: files })
      .from(documents)
      .innerJoin(files, eq(files.id, documents.fileId))
      .where(and(inArray(documents.claimId, [...claimIds]), documentScope(viewer)))
      .orderBy(desc(documents.id));
    for (const r of rows) found.get(r.d.claimId!)?.push(Document.from(r.d, r.f));
    return found;
  }

  private contractLinks(): ContractLinks {
    if (!this.contracts) throw new Error("DocumentService: the contracts module is not wired");
    return this.contracts;
  }

  /**
   * Internal API: files a document at a customer inside the caller's transaction. Uploads, the demo seed and
   * (later) chat transcripts and policy photos all go through it, so a document is made in one way only.
   * The caller has checked that the customer (and contract or claim) belong to the firm.
   */
  async createDocument(tx: Queryable, d: NewDocument): Promise<DocumentRow> {
    let categoryId: string;
    if ("id" in d.category) categoryId = d.category.id;
    else {
      await this.ensureDefaultCategories(tx, d.tenantId);
      const [found] = await tx
        .select({ id: documentCategories.id })
        .from(documentCategories)
        .where(and(eq(documentCategories.tenantId, d.tenantId), eq(documentCategories.key, d.category.key)));
      if (!found) throw new Error(`no default category ${d.category.key}`);
      categoryId = found.id;
    }
    const by = d.uploadedBy ?? null;
    const [row] = await tx
      .insert(documents)
      .values({
        tenantId: d.tenantId,
        customerId: d.customerId,
        categoryId,
        contractId: d.contractId ?? null,
        claimId: d.claimId ?? null,
        title: d.title,
        fileId: d.file.id,
        visibleToCustomer: d.visibleToCustomer,
        uploadedByStaffId: by && "staffUserId" in by ? by.staffUserId : null,
        uploadedByAccountId: by && "appAccountId" in by ? by.appAccountId : null,
        createdAt: this.deps.clock.now(),
      })
      .returning();
    return row!;
  }

  /**
   * Internal API: releases a customer's documents to the app (all, or those of some categories), inside the
   * caller's transaction. Inviting a customer uses it (through the release flow). Returns how many changed.
   */
  async release(tx: Queryable, r: { tenantId: string; customerId: string; categoryIds?: readonly string[] }): Promise<number> {
    if (r.categoryIds && r.categoryIds.length === 0) return 0;
    const released = await tx
      .update(documents)
      .set({ visibleToCustomer: true, updatedAt: this.deps.clock.now() })
      .where(
        and(
          eq(documents.tenantId, r.tenantId),
          eq(documents.customerId, r.customerId),
          r.categoryIds ? inArray(documents.categoryId, [...r.categoryIds]) : undefined,
          eq(documents.visibleToCustomer, false),
        ),
      )
      .returning({ id: documents.id });
    return released.length;
  }

  /** Rule C2: the green eye, per document or in bulk (a customer's documents, a category, or both). */
  async setVisibility(viewer: Viewer, input: SetDocumentVisibilityInput) {
    const staff = documentPolicy.authorize(viewer, "setVisibility");
    const ids = input.documentIds?.map((d, i) => decodeId(d, "Document", `input.documentIds.${i}`));
    const customerId = input.customerId ? decodeId(input.customerId, "Customer", "input.customerId") : undefined;
    if (!ids?.length && !customerId && !input.categoryId) {
      throw badInput([{ field: "input", rule: "SELECTOR", message: "give documentIds, a customerId and/or a categoryId" }]);
    }
    const { db } = this.deps.database;
    const changed = await db.transaction(async (tx) => {
      if (customerId) await this.customers.require(tx, staff, customerId);
      const category = input.categoryId ? await this.category(tx, staff, input.categoryId, "input.categoryId") : undefined;
      if (ids?.length) {
        const found = await tx.select({ id: documents.id }).from(documents).where(and(inArray(documents.id, ids), documentScope(staff)));
        if (found.length !== new Set(ids).size) throw notFound("Document");
      }
      // Returns the changed documents as they are now (with their files), so a client's cache updates without a refetch.
      const rows = await tx
        .update(documents)
        .set({ visibleToCustomer: input.visible, updatedAt: this.deps.clock.now() })
        .from(files)
        .where(
          and(
            eq(files.id, documents.fileId),
            documentScope(staff),
            ids?.length ? inArray(documents.id, ids) : undefined,
            customerId ? eq(documents.customerId, customerId) : undefined,
            category ? eq(documents.categoryId, category.id) : undefined,
            sql`${documents.visibleToCustomer} <> ${input.visible}`,
          ),
        )
        .returning({ d: documents, f: files });
      // Newest first, like the `documents` list (ids sort by creation).
      return rows.sort((x, y) => (x.d.id < y.d.id ? 1 : x.d.id > y.d.id ? -1 : 0));
    });
    return { changed: changed.length, documents: changed.map((r) => Document.from(r.d, r.f)) };
  }

  /** Categories of the viewer's firm, by id (the category loader; app accounts see the names of their documents' categories). */
  async categoriesByIds(viewer: Viewer, ids: readonly string[]): Promise<DocumentCategory[]> {
    const rows = await this.deps.database.db
      .select()
      .from(documentCategories)
      .where(and(inArray(documentCategories.id, [...ids]), documentCategoryScope(viewer)));
    return rows.map(DocumentCategory.from);
  }
}
