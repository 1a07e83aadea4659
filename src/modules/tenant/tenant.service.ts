import { eq, sql, type SQL } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import { tenants, type TenantRow } from "./tenant.table.js";
import { requireOperator, type SessionViewer, type Viewer } from "../../auth/viewer.js";
import type { Db } from "../../db/client.js";
import { tenantPolicy } from "./tenant.policy.js";
import { tenantScope } from "./tenant.scope.js";
import { badInput, notFound, Problems } from "../../errors.js";
import { decodeId } from "../../graphql/relay.js";
import { generateBrokerId, normalizeBrokerId } from "./broker-id.js";
import type { StaffService } from "../staff/staff.service.js";
import type { FileService } from "../../files/file.service.js";
import {
  BrokerProfile,
  Tenant,
  type CreateTenantInput,
  type SetCustomerAppEnabledInput,
  type UpdateBrokerProfileInput,
} from "./tenant.types.js";

export class TenantService {
  // Read by `viewer`, `tenant` and `brokerProfile`: nearly every screen of both apps.
  private readonly byId;

  constructor(
    private readonly deps: Deps,
    private readonly staff: StaffService,
    private readonly files: FileService,
  ) {
    this.byId = deps.database.db.select().from(tenants).where(eq(tenants.id, sql.placeholder("id"))).prepare("tenant_by_id");
  }

  private async row(id: string): Promise<TenantRow | undefined> {
    const [row] = await this.byId.execute({ id });
    return row;
  }

  /** The viewer's own firm. */
  async current(viewer: Viewer): Promise<Tenant> {
    const session = tenantPolicy.authorize(viewer, "read");
    // The hottest read after the session: a prepared statement by the viewer's own firm (what tenantScope allows).
    return Tenant.from((await this.row(session.tenantId))!);
  }

  /**
   * The viewer's own firm with more columns computed in the same statement: the app's overview reads the broker's
   * card and its figures (subqueries the other modules build) in one round trip.
   */
  async currentWith(viewer: Viewer, columns: Record<string, SQL | SQL.Aliased>): Promise<{ tenant: Tenant; extra: Record<string, unknown> }> {
    const session = tenantPolicy.authorize(viewer, "read");
    return this.splitCurrent(await this.currentWithQuery(this.deps.database.db, session, columns));
  }

  /** `currentWith` as a query, for a compiled read (the viewer may be a template: see db/compiled.ts). */
  currentWithQuery(db: Db, viewer: SessionViewer, columns: Record<string, SQL | SQL.Aliased>) {
    return db
      .select({ ...columns, tenant: tenants })
      .from(tenants)
      .where(tenantScope(viewer));
  }

  /** The firm's row and the extra columns of a `currentWithQuery`'s result. */
  splitCurrent(rows: unknown[]): { tenant: Tenant; extra: Record<string, unknown> } {
    const { tenant, ...extra } = rows[0] as Record<string, unknown> & { tenant: TenantRow };
    return { tenant: Tenant.from(tenant), extra };
  }

  /** Rule A3: readable by every member of the firm. */
  async brokerProfile(viewer: Viewer): Promise<BrokerProfile> {
    return (await this.current(viewer)).brokerProfile;
  }

  /** Rule A3: admins save all profile fields at once. */
  async updateBrokerProfile(viewer: Viewer, input: UpdateBrokerProfileInput) {
    const admin = tenantPolicy.authorize(viewer, "updateBrokerProfile");
    const clean = (s: string) => (s.trim() === "" ? null : s.trim());
    let replacedLogo: string | null = null;
    const row = await this.deps.database.db.transaction(async (tx) => {
      const [current] = await tx.select().from(tenants).where(tenantScope(admin)).for("update");
      let logo = current!.profileLogoFileId;
      if (input.logoFileId !== undefined) {
        logo = input.logoFileId === null ? null : (await this.files.attach(tx, admin, input.logoFileId, "LOGO", "input.logoFileId")).id;
        if (current!.profileLogoFileId !== logo) replacedLogo = current!.profileLogoFileId;
      }
      const [updated] = await tx
        .update(tenants)
        .set({
          profileName: clean(input.name),
          profilePhone: clean(input.phone),
          profileStreet: clean(input.street),
          profilePostalCode: clean(input.postalCode),
          profileCity: clean(input.city),
          profileLogoFileId: logo,
          updatedAt: this.deps.clock.now(),
        })
        .where(tenantScope(admin))
        .returning();
      return updated!;
    });
    // The old logo's bytes go only after the new profile is committed.
    if (replacedLogo) await this.files.remove([replacedLogo]);
    return { brokerProfile: BrokerProfile.from(row) };
  }

  /** Rule A1/A2: the operator creates a firm with a fresh broker ID and invites its first admin. */
  async create(viewer: Viewer, input: CreateTenantInput) {
    requireOperator(viewer);
    const problems = new Problems();
    if (!input.name.trim()) problems.add("input.name", "REQUIRED", "must not be empty");
    if (!input.adminName.trim()) problems.add("input.adminName", "REQUIRED", "must not be empty");
    problems.throwIfAny();
    return this.deps.database.db.transaction(async (tx) => {
      let row: TenantRow | undefined;
      // 31^6 ≈ 887 million IDs: a collision is rare, and a retry settles it.
      for (let attempt = 0; !row && attempt < 10; attempt++) {
        [row] = await tx
          .insert(tenants)
          .values({ name: input.name.trim(), brokerId: generateBrokerId(), profileName: input.name.trim() })
          .onConflictDoNothing({ target: tenants.brokerId })
          .returning();
      }
      if (!row) throw new Error("could not find a free broker ID");
      const { link } = await this.staff.createInvited(tx, row.id, {
        email: input.adminEmail,
        name: input.adminName,
        role: "ADMIN",
        permissions: ["CHAT", "CLAIMS"],
      }, "input.adminEmail");
      return { tenant: Tenant.from(row), adminInvitationLink: link };
    });
  }

  /** Rule A1: only the operator turns a firm's customer app on or off. */
  async setCustomerAppEnabled(viewer: Viewer, input: SetCustomerAppEnabledInput) {
    requireOperator(viewer);
    const brokerId = input.brokerId == null ? null : normalizeBrokerId(input.brokerId);
    const where = input.tenantId
      ? eq(tenants.id, decodeId(input.tenantId, "Tenant", "input.tenantId"))
      : brokerId
        ? eq(tenants.brokerId, brokerId)
        : undefined;
    if (!where) {
      // A blank broker ID is the field to fix; with neither given, either will do.
      if (brokerId === "") throw badInput([{ field: "input.brokerId", rule: "REQUIRED", message: "must not be empty" }]);
      throw badInput([{ field: "input.tenantId", rule: "REQUIRED", message: "give tenantId or brokerId" }]);
    }
    const [row] = await this.deps.database.db
      .update(tenants)
      .set({ customerAppEnabled: input.enabled, updatedAt: this.deps.clock.now() })
      .where(where)
      .returning();
    if (!row) throw notFound("Tenant");
    return { tenant: Tenant.from(row) };
  }

  /** For `node(id)`: only the viewer's own firm exists for it. */
  async find(viewer: Viewer, id: string): Promise<Tenant | null> {
    if (!tenantPolicy.can(viewer, "read") || viewer.kind === "anonymous" || viewer.kind === "operator" || id !== viewer.tenantId) return null;
    return this.current(viewer);
  }
}
