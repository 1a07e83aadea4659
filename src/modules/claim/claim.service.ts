import { and, asc, count, desc, eq, ilike, inArray, or, sql } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Deps } from "../../deps.js";
import type { Queryable } from "../../db/client.js";
import type { SessionViewer, Viewer } from "../../auth/viewer.js";
import { Problems, badInput, notFound } from "../../errors.js";
import { afterCursor, orderBy, toConnection, uuidKey, type SortKey, countRows } from "../../graphql/connection.js";
import { decodeId } from "../../graphql/relay.js";
import { eventCursor, type Emit, type EventLog } from "../../realtime/event-log.js";
import type { FileService } from "../../files/file.service.js";
import type { FileRow } from "../../files/file.table.js";
import { renditions, type Renditions } from "../../files/images.js";
import type { Mime } from "../../files/sniff.js";
import { DuplicateRequest, type Idempotency, type IdempotentRequest } from "../../idempotency/idempotency.js";
import type { CustomerService } from "../customer/customer.service.js";
import type { ContractService } from "../contract/contract.service.js";
import type { NotificationService } from "../notification/notification.service.js";
import { admins, customerResponsible, firstNonEmpty } from "../notification/recipients.js";
import { claimReportedText } from "../../mail/notification-texts.js";
import { customerResponsibleStaff } from "../customer/customer.table.js";
import { likeContains } from "../customer/customer.service.js";
import { MAX_PREMIUM_CENTS } from "../contract/contract.types.js";
import { claimPolicy } from "./claim.policy.js";
import { claimScope } from "./claim.scope.js";
import { ClaimStatus, OPEN_CLAIM_STATUSES } from "./claim.enums.js";
import { claimCounters, claimPhotos, claimStatusChanges, claims, type ClaimRow } from "./claim.table.js";
import { Claim, ClaimPhoto, ClaimStatusChange, MAX_CLAIM_PHOTOS, type ClaimsArgs, type ReportClaimInput, type UpdateClaimInput } from "./claim.types.js";

/** Every change of a claim the customer's app and the office follow; its audience is the customer. */
export const CLAIM_CHANGED = "claim.changed";
/** A new claim: the office's alert (rule G3), for staff who may work with claims. */
export const CLAIM_ALERT = "claim.alert";

/** What the document module needs to file a document at a claim (see DocumentService.useClaims). */
export interface ClaimLinks {
  require(on: Queryable, viewer: SessionViewer, id: string): Promise<ClaimRow>;
}

const trimmed = (s: string | null | undefined) => (s === undefined ? undefined : s === null || s.trim() === "" ? null : s.trim());

export class ClaimService implements ClaimLinks {
  constructor(
    private readonly deps: Deps,
    private readonly events: EventLog,
    private readonly files: FileService,
    private readonly customers: CustomerService,
    private readonly contracts: ContractService,
    private readonly notifications: NotificationService,
    private readonly idempotency: Idempotency,
  ) {}

  // ---- report (rule G1) -----------------------------------------------------------------------------------

  /**
   * Rule G1: an app account reports a claim for a customer it may access, with 0-10 photos uploaded before.
   * Every photo gets a JPEG rendition and a thumbnail (made before the transaction: the slow part); the
   * claim, its photos and its first timeline entry are then written in one transaction, so a photo that
   * fails leaves no claim behind. A retry with the same idempotency key returns the first claim.
   */
  async report(viewer: Viewer, input: ReportClaimInput): Promise<{ claim: Claim; replayed: boolean }> {
    const app = claimPolicy.authorize(viewer, "report");
    const customerId = decodeId(input.customerId, "Customer", "input.customerId");
    const contractId = input.contractId ? decodeId(input.contractId, "Contract", "input.contractId") : null;
    const description = input.description.trim();
    const problems = new Problems();
    if (!description) problems.add("input.description", "REQUIRED", "describe what happened");
    const today = this.deps.clock.now().toISOString().slice(0, 10);
    if (input.dateOfLoss > today) problems.add("input.dateOfLoss", "RANGE", "must not be in the future");
    else if (input.dateOfLoss < "1900-01-01") problems.add("input.dateOfLoss", "RANGE", "must be after 1900-01-01");
    if (input.photoFileIds.length > MAX_CLAIM_PHOTOS) problems.add("input.photoFileIds", "LENGTH", `at most ${MAX_CLAIM_PHOTOS} photos`);
    const photoIds = input.photoFileIds.map((g, i) => decodeId(g, "File", `input.photoFileIds.${i}`));
    if (new Set(photoIds).size !== photoIds.length) problems.add("input.photoFileIds", "UNIQUE", "names a photo twice");
    problems.throwIfAny();
    const idem: IdempotentRequest = {
      tenantId: app.tenantId,
      principalId: app.accountId,
      operation: "reportClaim",
      key: input.idempotencyKey,
      input: { customerId, contractId, dateOfLoss: input.dateOfLoss, description, photoIds },
      field: "input.idempotencyKey",
    };
    const { db } = this.deps.database;
    const earlier = await this.idempotency.replay(db, idem);
    if (earlier) return { claim: await this.byId(earlier), replayed: true };

    await this.customers.require(db, app, customerId);
    if (contractId) {
      const contract = await this.contracts.require(db, app, contractId);
      if (contract.customerId !== customerId) throw badInput([{ field: "input.contractId", rule: "SAME_CUSTOMER", message: "is a contract of another customer" }]);
    }
    // Every photo is checked, then rendered in memory, before anything is stored: a refused photo writes nothing.
    const originals: FileRow[] = [];
    try {
      for (const [index, globalId] of input.photoFileIds.entries()) {
        originals.push(await this.files.ownUpload(db, app, globalId, "CLAIM_PHOTO", `input.photoFileIds.${index}`));
      }
    } catch (err) {
      // A twin of this request may have committed since the replay check above and used the photos: answer as it did.
      const first = await this.idempotency.replay(db, idem);
      if (first) return { claim: await this.byId(first), replayed: true };
      throw err;
    }
    const rendered: Renditions[] = [];
    for (const [index, original] of originals.entries()) {
      try {
        rendered.push(await renditions(await this.files.bytes(original), original.mimeType as Mime));
      } catch {
        throw badInput([{ field: `input.photoFileIds.${index}`, rule: "FILE_UNREADABLE", message: "could not be read as a photo" }]);
      }
    }
    const made: Array<{ index: number; original: FileRow; jpeg: FileRow; thumbnail: FileRow; width: number; height: number }> = [];
    for (const [index, original] of originals.entries()) {
      const r = rendered[index]!;
      const base = original.fileName.replace(/\.[^.]*$/, "") || "foto";
      const jpeg = await this.files.storeGenerated({ tenantId: app.tenantId, purpose: "CLAIM_PHOTO", fileName: `${base}.jpg`, bytes: r.jpeg });
      const thumbnail = await this.files.storeGenerated({ tenantId: app.tenantId, purpose: "CLAIM_PHOTO", fileName: `${base}-klein.jpg`, bytes: r.thumbnail });
      made.push({ index, original, jpeg, thumbnail, width: r.width, height: r.height });
    }

    try {
      const row = await this.events.transact(async (tx, emit) => {
        const id = uuidv7();
        const first = await this.idempotency.claim(tx, idem, id);
        if (first) throw new DuplicateRequest(first);
        const now = this.deps.clock.now();
        const [created] = await tx
          .insert(claims)
          .values({
            id,
            tenantId: app.tenantId,
            customerId,
            contractId,
            number: await this.nextNumber(tx, app.tenantId, now),
            status: ClaimStatus.REPORTED,
            dateOfLoss: input.dateOfLoss,
            description,
            reportedAt: now,
            reportedByAccountId: app.accountId,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        for (const p of made) {
          await this.files.attach(tx, app, input.photoFileIds[p.index]!, "CLAIM_PHOTO", `input.photoFileIds.${p.index}`);
          await this.files.attachGenerated(tx, p.jpeg);
          await this.files.attachGenerated(tx, p.thumbnail);
          await tx.insert(claimPhotos).values({
            tenantId: app.tenantId,
            claimId: id,
            position: p.index,
            originalFileId: p.original.id,
            jpegFileId: p.jpeg.id,
            thumbnailFileId: p.thumbnail.id,
            width: p.width,
            height: p.height,
          });
        }
        // The timeline's first entry is the report itself, at the report's time.
        await this.recordStatus(tx, app, id, null, ClaimStatus.REPORTED, now);
        const customer = await this.customers.require(tx, app, customerId);
        // Rule G3: the customer's responsible staff, else every admin; through notifications, so F4's mail applies.
        await this.notifications.notify(tx, emit, {
          tenantId: app.tenantId,
          staffUserIds: await firstNonEmpty(
            () => customerResponsible(tx, app.tenantId, [customerId]),
            () => admins(tx, app.tenantId),
          ),
          kind: "CLAIM_REPORTED",
          ...claimReportedText({ customerName: `${customer.firstName} ${customer.lastName}`, number: created!.number, dateOfLoss: input.dateOfLoss }),
          subject: { type: "Claim", id },
        });
        await emit({ tenantId: app.tenantId, topic: CLAIM_ALERT, entityId: id });
        await this.announce(emit, created!);
        return created!;
      });
      return { claim: Claim.from(row), replayed: false };
    } catch (err) {
      // A twin request with the same key committed first: answer as it did (our renditions are abandoned).
      if (err instanceof DuplicateRequest) return { claim: await this.byId(err.resultId), replayed: true };
      throw err;
    }
  }

  private async byId(id: string): Promise<Claim> {
    const [row] = await this.deps.database.db.select().from(claims).where(eq(claims.id, id));
    if (!row) throw notFound("Claim");
    return Claim.from(row);
  }

  /** The firm's next claim number, "S-<year>-<5 digits>", counted in the report's transaction (no gaps, no twins). */
  private async nextNumber(tx: Queryable, tenantId: string, now: Date): Promise<string> {
    const [row] = await tx
      .insert(claimCounters)
      .values({ tenantId, last: 1 })
      .onConflictDoUpdate({ target: claimCounters.tenantId, set: { last: sql`${claimCounters.last} + 1` } })
      .returning({ last: claimCounters.last });
    return `S-${now.getUTCFullYear()}-${String(row!.last).padStart(5, "0")}`;
  }

  // ---- reads ----------------------------------------------------------------------------------------------

  /** Rules G2/G4: the firm's claims (CLAIMS permission) or the app's customers' claims, newest report first. */
  async list(viewer: Viewer, args: ClaimsArgs) {
    const session = claimPolicy.authorize(viewer, "list");
    const { db } = this.deps.database;
    const customerId = args.customerId ? decodeId(args.customerId, "Customer", "customerId") : undefined;
    if (customerId) await this.customers.require(db, session, customerId);
    const contractId = args.contractId ? decodeId(args.contractId, "Contract", "contractId") : undefined;
    if (contractId) await this.contracts.require(db, session, contractId);
    const staffOnly = session.kind === "staff";
    const responsible = staffOnly && args.responsibleStaffId ? decodeId(args.responsibleStaffId, "StaffUser", "responsibleStaffId") : undefined;
    const term = staffOnly ? args.search?.trim() : undefined;
    const scope = and(
      claimScope(viewer),
      customerId ? eq(claims.customerId, customerId) : undefined,
      contractId ? eq(claims.contractId, contractId) : undefined,
      args.status?.length ? inArray(claims.status, args.status) : undefined,
      responsible
        ? inArray(claims.customerId, db.select({ id: customerResponsibleStaff.customerId }).from(customerResponsibleStaff).where(eq(customerResponsibleStaff.staffUserId, responsible)))
        : undefined,
      term ? or(ilike(claims.number, likeContains(term)), ilike(claims.insurerClaimNumber, likeContains(term))) : undefined,
    );
    const keys: SortKey[] = [
      { column: claims.reportedAt, direction: "desc", decode: (v) => new Date(String(v)) },
      { column: claims.id, direction: "desc", decode: uuidKey },
    ];
    const rows = await db
      .select()
      .from(claims)
      .where(and(scope, afterCursor(keys, args.after)))
      .orderBy(...orderBy(keys))
      .limit(args.first + 1);
    return toConnection(rows, args, (r) => [r.reportedAt.toISOString(), r.id], Claim.from, countRows(db, claims, scope));
  }

  async findMany(viewer: Viewer, ids: readonly string[]): Promise<Claim[]> {
    if (!claimPolicy.can(viewer, "list")) return [];
    const rows = await this.deps.database.db.select().from(claims).where(and(inArray(claims.id, [...ids]), claimScope(viewer)));
    return rows.map(Claim.from);
  }

  async photosOf(viewer: Viewer, claimIds: readonly string[]): Promise<Map<string, ClaimPhoto[]>> {
    const found = new Map<string, ClaimPhoto[]>(claimIds.map((id) => [id, []]));
    if (!claimPolicy.can(viewer, "list")) return found;
    const rows = await this.deps.database.db
      .select({ p: claimPhotos })
      .from(claimPhotos)
      .innerJoin(claims, eq(claims.id, claimPhotos.claimId))
      .where(and(inArray(claimPhotos.claimId, [...claimIds]), claimScope(viewer)))
      .orderBy(asc(claimPhotos.position));
    for (const r of rows) found.get(r.p.claimId)?.push(ClaimPhoto.from(r.p));
    return found;
  }

  async timelineOf(viewer: Viewer, claimIds: readonly string[]): Promise<Map<string, ClaimStatusChange[]>> {
    const found = new Map<string, ClaimStatusChange[]>(claimIds.map((id) => [id, []]));
    if (!claimPolicy.can(viewer, "list")) return found;
    const rows = await this.deps.database.db
      .select({ c: claimStatusChanges })
      .from(claimStatusChanges)
      .innerJoin(claims, eq(claims.id, claimStatusChanges.claimId))
      .where(and(inArray(claimStatusChanges.claimId, [...claimIds]), claimScope(viewer)))
      .orderBy(asc(claimStatusChanges.changedAt), asc(claimStatusChanges.id));
    for (const r of rows) found.get(r.c.claimId)?.push(ClaimStatusChange.from(r.c));
    return found;
  }

  /** Customer.claims: each customer's claims the viewer may see, newest report first. */
  async ofCustomers(viewer: Viewer, customerIds: readonly string[]): Promise<Map<string, Claim[]>> {
    const found = new Map<string, Claim[]>(customerIds.map((id) => [id, []]));
    if (!claimPolicy.can(viewer, "list")) return found;
    const rows = await this.deps.database.db
      .select()
      .from(claims)
      .where(and(inArray(claims.customerId, [...customerIds]), claimScope(viewer)))
      .orderBy(desc(claims.reportedAt), desc(claims.id));
    for (const r of rows) found.get(r.customerId)?.push(Claim.from(r));
    return found;
  }

  /** The app's overview: claims still open (reported, in progress, with the insurer) of its customers. */
  async openCount(viewer: Viewer): Promise<number> {
    if (!claimPolicy.can(viewer, "list")) return 0;
    const [c] = await this.openCountQuery(viewer);
    return c!.n;
  }

  /** The query of `openCount`, also a subquery of the app's overview (computed in its one statement). */
  openCountQuery(viewer: Viewer) {
    return this.deps.database.db
      .select({ n: count() })
      .from(claims)
      .where(and(claimPolicy.can(viewer, "list") ? claimScope(viewer) : sql`false`, inArray(claims.status, [...OPEN_CLAIM_STATUSES])));
  }

  /** The claim if the viewer may see it, else NOT_FOUND (the document module files documents with it). */
  async require(on: Queryable, viewer: SessionViewer, id: string): Promise<ClaimRow> {
    const [row] = await on.select().from(claims).where(and(eq(claims.id, id), claimScope(viewer)));
    if (!row) throw notFound("Claim");
    return row;
  }

  // ---- the office (rule G2) -------------------------------------------------------------------------------

  async update(viewer: Viewer, input: UpdateClaimInput) {
    const staff = claimPolicy.authorize(viewer, "update");
    const id = decodeId(input.id, "Claim", "input.id");
    const problems = new Problems();
    for (const f of ["amountClaimedCents", "amountPaidCents"] as const) {
      const v = input[f];
      if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 0 || v > MAX_PREMIUM_CENTS)) problems.add(`input.${f}`, "RANGE", `must be whole cents from 0 to ${MAX_PREMIUM_CENTS}`);
    }
    if (input.status === null) problems.add("input.status", "REQUIRED", "every claim has a status");
    for (const f of ["amountClaimedInternal", "amountPaidInternal"] as const) if (input[f] === null) problems.add(`input.${f}`, "REQUIRED", "give true or false");
    problems.throwIfAny();
    const row = await this.events.transact(async (tx, emit) => {
      const [current] = await tx.select().from(claims).where(and(eq(claims.id, id), claimScope(staff))).for("update");
      if (!current) throw notFound("Claim");
      const set: Partial<typeof claims.$inferInsert> = { updatedAt: this.deps.clock.now() };
      if (input.insurerClaimNumber !== undefined) set.insurerClaimNumber = trimmed(input.insurerClaimNumber) ?? null;
      if (input.amountClaimedCents !== undefined) set.amountClaimedCents = input.amountClaimedCents;
      if (input.amountPaidCents !== undefined) set.amountPaidCents = input.amountPaidCents;
      if (input.amountClaimedInternal !== undefined && input.amountClaimedInternal !== null) set.amountClaimedInternal = input.amountClaimedInternal;
      if (input.amountPaidInternal !== undefined && input.amountPaidInternal !== null) set.amountPaidInternal = input.amountPaidInternal;
      if (input.internalNotes !== undefined) set.internalNotes = trimmed(input.internalNotes) ?? null;
      if (input.status && input.status !== current.status) {
        set.status = input.status;
        await this.recordStatus(tx, staff, id, current.status as ClaimStatus, input.status);
      }
      const [updated] = await tx.update(claims).set(set).where(eq(claims.id, id)).returning();
      await this.announce(emit, updated!);
      return updated!;
    });
    return { claim: Claim.from(row), replayed: false };
  }

  // ---- live -----------------------------------------------------------------------------------------------

  /** Rule G3: new claims, for staff who may work with claims (a removed CLAIMS permission stops them at once). */
  subscribeAlerts(viewer: Viewer, after: string | null | undefined) {
    const staff = claimPolicy.authorize(viewer, "followAlerts");
    return this.watch(staff, CLAIM_ALERT, after);
  }

  /** Rule G4: claims as they change; the app hears of its customers' claims, staff with CLAIMS of the firm's. */
  subscribeChanges(viewer: Viewer, after: string | null | undefined) {
    const session = claimPolicy.authorize(viewer, "follow");
    return this.watch(session, CLAIM_CHANGED, after);
  }

  private watch(viewer: SessionViewer, topic: string, after: string | null | undefined) {
    return this.events.watch<Claim>({
      viewer,
      topic,
      after,
      audience: (v) => (v.kind === "app" ? v.customerIds : v.permissions.has("CLAIMS") ? "firm" : null),
      load: async (v, rows) => {
        const found = await this.deps.database.db
          .select()
          .from(claims)
          .where(and(inArray(claims.id, [...new Set(rows.map((r) => r.entityId))]), claimScope(v)));
        const byId = new Map(found.map((c) => [c.id, c]));
        return rows.flatMap((r) => {
          const c = byId.get(r.entityId);
          return c ? [{ cursor: eventCursor(r.id), value: Claim.from(c) }] : [];
        });
      },
    });
  }

  private announce(emit: Emit, c: ClaimRow): Promise<void> {
    return emit({ tenantId: c.tenantId, topic: CLAIM_CHANGED, entityId: c.id, audienceId: c.customerId });
  }

  private async recordStatus(tx: Queryable, by: SessionViewer, claimId: string, from: ClaimStatus | null, to: ClaimStatus, at: Date = this.deps.clock.now()): Promise<void> {
    await tx.insert(claimStatusChanges).values({
      tenantId: by.tenantId,
      claimId,
      fromStatus: from,
      toStatus: to,
      changedByStaffId: by.kind === "staff" ? by.userId : null,
      changedByAccountId: by.kind === "app" ? by.accountId : null,
      changedAt: at,
    });
  }
}

