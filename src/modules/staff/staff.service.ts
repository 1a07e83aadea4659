import { and, count, eq, ilike, inArray, or } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import { staffUsers, type StaffUserRow } from "./staff.table.js";
import type { Viewer } from "../../auth/viewer.js";
import { staffPolicy } from "./staff.policy.js";
import { staffScope } from "./staff.scope.js";
import { likeContains } from "../../graphql/search.js";
import { AppError, ErrorCode, Problems, badInput, conflict, notFound } from "../../errors.js";
import { CREDENTIAL_LIMITS, INVITATION_MAIL_LIMITS, type Limit } from "../../auth/rate-limit.js";
import { passwordProblems } from "../../auth/password.js";
import { OneTimeTokens, linkWithToken } from "../../auth/one-time-tokens.js";
import { afterCursor, orderBy, toConnection, uuidKey, type SortKey } from "../../graphql/connection.js";
import { decodeId, toGlobalId } from "../../graphql/relay.js";
import type { Queryable } from "../../db/client.js";
import type { SessionService } from "../session/session.service.js";
import type { Outbox } from "../../mail/outbox.js";
import { firmProfile, staffInvitationMail } from "../../mail/templates.js";
import { tenants } from "../tenant/tenant.table.js";
import {
  StaffCard,
  StaffUser,
  type ChangeMyPasswordInput,
  type InviteStaffUserInput,
  type StaffInvitationInput,
  type StaffUsersArgs,
  type UpdateMySettingsInput,
  type UpdateStaffUserInput,
} from "./staff.types.js";

export const STAFF_INVITE_TTL_MS = 7 * 86_400_000;

export class StaffService {
  private readonly tokens: OneTimeTokens;

  constructor(
    private readonly deps: Deps,
    private readonly sessions: SessionService,
    private readonly outbox: Outbox,
  ) {
    this.tokens = new OneTimeTokens(deps.clock);
  }

  /** Rule B1: the firm's staff, oldest first. */
  async list(viewer: Viewer, args: StaffUsersArgs) {
    staffPolicy.authorize(viewer, "list");
    const keys: SortKey[] = [{ column: staffUsers.id, direction: "asc", decode: uuidKey }];
    const term = args.search?.trim();
    const scope = and(
      staffScope(viewer),
      args.status ? eq(staffUsers.status, args.status) : undefined,
      term ? or(ilike(staffUsers.name, likeContains(term)), ilike(staffUsers.email, likeContains(term))) : undefined,
    );
    const rows = await this.deps.database.db
      .select()
      .from(staffUsers)
      .where(and(scope, afterCursor(keys, args.after)))
      .orderBy(...orderBy(keys))
      .limit(args.first + 1);
    return toConnection(rows, args, (r) => [r.id], StaffUser.from, async () => {
      const [c] = await this.deps.database.db.select({ n: count() }).from(staffUsers).where(scope);
      return c!.n;
    });
  }

  /** Staff users the viewer may see, by id (the staff loader). */
  async findMany(viewer: Viewer, ids: readonly string[]): Promise<StaffUser[]> {
    if (!staffPolicy.can(viewer, "list")) return [];
    const rows = await this.deps.database.db.select().from(staffUsers).where(and(inArray(staffUsers.id, [...ids]), staffScope(viewer)));
    return rows.map(StaffUser.from);
  }

  /** Public cards of the firm's staff users, for staff and app accounts alike (the card loader). */
  async cards(viewer: Viewer, ids: readonly string[]): Promise<StaffCard[]> {
    if (!staffPolicy.can(viewer, "readCard")) return [];
    const rows = await this.deps.database.db
      .select({ id: staffUsers.id, name: staffUsers.name, status: staffUsers.status })
      .from(staffUsers)
      .where(and(inArray(staffUsers.id, [...ids]), staffScope(viewer)));
    return rows.map(StaffCard.from);
  }

  /** A staff user of the viewer's firm by database id, or null (another firm's is indistinguishable from none). */
  async find(viewer: Viewer, id: string): Promise<StaffUser | null> {
    if (!staffPolicy.can(viewer, "list")) return null;
    const [row] = await this.deps.database.db
      .select()
      .from(staffUsers)
      .where(and(eq(staffUsers.id, id), staffScope(viewer)));
    return row ? StaffUser.from(row) : null;
  }

  /**
   * Creates an invited staff user and the single-use link to set a password, and mails the link (through the outbox).
   * The email of a pending invitation of the same firm sends that invitation again (with the name, role and
   * permissions given now) instead of a CONFLICT. The link is redeemed by `CredentialsService.acceptStaffInvitation`.
   */
  async createInvited(
    on: Queryable,
    tenantId: string,
    input: { email: string; name: string; role: StaffUserRow["role"]; permissions: StaffUserRow["permissions"] },
    emailField = "input.email",
  ): Promise<{ row: StaffUserRow; link: string }> {
    const email = input.email.trim().toLowerCase();
    const values = { name: input.name.trim(), role: input.role, permissions: [...new Set(input.permissions)] };
    const [existing] = await on.select().from(staffUsers).where(eq(staffUsers.email, email)).for("update");
    if (existing && !(existing.tenantId === tenantId && existing.status === "INVITED")) {
      throw new AppError(ErrorCode.CONFLICT, "A staff user with this email exists already", { fields: [{ field: emailField, rule: "UNIQUE", message: "is already in use" }] });
    }
    const [row] = existing
      ? await on.update(staffUsers).set({ ...values, updatedAt: this.deps.clock.now() }).where(eq(staffUsers.id, existing.id)).returning()
      : await on.insert(staffUsers).values({ tenantId, email, ...values, status: "INVITED" }).returning();
    return { row: row!, link: await this.sendInvitation(on, row!) };
  }

  /** Mails an invited staff user a fresh single-use link; the earlier one stops working. Returns the link. */
  private async sendInvitation(on: Queryable, row: StaffUserRow): Promise<string> {
    // However many admins (or firms) send it: a few invitation mails per recipient and login an hour.
    await this.deps.rateLimiter.consume(
      [
        [`mail:invite:to:${row.email}`, INVITATION_MAIL_LIMITS.recipient],
        [`mail:invite:account:staff:${row.id}`, INVITATION_MAIL_LIMITS.account],
      ],
      undefined,
      on,
    );
    const { token } = await this.tokens.issue(on, { tenantId: row.tenantId, purpose: "STAFF_INVITE", subject: { staffUserId: row.id }, ttlMs: STAFF_INVITE_TTL_MS });
    const link = linkWithToken(this.deps.config.staffLinkBase, token);
    const [tenant] = await on.select().from(tenants).where(eq(tenants.id, row.tenantId));
    const mail = staffInvitationMail({ recipientName: row.name, link, firm: firmProfile(tenant!) });
    await this.outbox.enqueue(on, { ...mail, to: row.email, template: "staff-invitation", tenantId: row.tenantId });
    return link;
  }

  /** Rule B1: admins send a pending invitation again; the old link stops working. */
  async resendInvitation(viewer: Viewer, input: StaffInvitationInput) {
    const admin = staffPolicy.authorize(viewer, "manage");
    const id = decodeId(input.id, "StaffUser", "input.id");
    return this.deps.database.db.transaction(async (tx) => {
      const row = await this.pendingInvitation(tx, admin, id);
      return { staffUser: StaffUser.from(row), invitationLink: await this.sendInvitation(tx, row) };
    });
  }

  /** Rule B1: admins withdraw a pending invitation: the invited staff user and the link are removed. */
  async withdrawInvitation(viewer: Viewer, input: StaffInvitationInput) {
    const admin = staffPolicy.authorize(viewer, "manage");
    const id = decodeId(input.id, "StaffUser", "input.id");
    await this.deps.database.db.transaction(async (tx) => {
      await this.pendingInvitation(tx, admin, id);
      // Its tokens (and any place it was named responsible) go with it (ON DELETE CASCADE).
      await tx.delete(staffUsers).where(eq(staffUsers.id, id));
    });
    return { withdrawnId: toGlobalId("StaffUser", id) };
  }

  /** The firm's staff user, locked, if its invitation is pending; NOT_FOUND or CONFLICT otherwise. */
  private async pendingInvitation(on: Queryable, admin: Viewer, id: string): Promise<StaffUserRow> {
    const [row] = await on.select().from(staffUsers).where(and(eq(staffUsers.id, id), staffScope(admin))).for("update");
    if (!row) throw notFound("Staff user");
    if (row.status !== "INVITED") {
      const message = row.status === "ACTIVE" ? "has accepted the invitation already" : "is deactivated; reactivate them first";
      throw new AppError(ErrorCode.CONFLICT, `No pending invitation: this staff user ${message}`, {
        fields: [{ field: "input.id", rule: "PENDING_INVITATION", message: `names a staff user who ${message}` }],
      });
    }
    return row;
  }

  /** Rule B1: admins invite staff users. */
  async invite(viewer: Viewer, input: InviteStaffUserInput) {
    const admin = staffPolicy.authorize(viewer, "manage");
    if (!input.name.trim()) throw badInput([{ field: "input.name", rule: "REQUIRED", message: "must not be empty" }]);
    const { row, link } = await this.deps.database.db.transaction((tx) => this.createInvited(tx, admin.tenantId, input));
    return { staffUser: StaffUser.from(row), invitationLink: link };
  }

  /** Rule B1: admins change name, role, permissions and activity. The firm always keeps an active admin. */
  async update(viewer: Viewer, input: UpdateStaffUserInput) {
    const admin = staffPolicy.authorize(viewer, "manage");
    const id = decodeId(input.id, "StaffUser", "input.id");
    const problems = new Problems();
    if (input.name !== undefined && input.name !== null && !input.name.trim()) problems.add("input.name", "REQUIRED", "must not be empty");
    problems.throwIfAny();
    const ended: string[] = [];
    const row = await this.deps.database.db.transaction(async (tx) => {
      // Lock the firm's admins, so two concurrent demotions cannot leave the firm without one.
      const admins = await tx
        .select({ id: staffUsers.id })
        .from(staffUsers)
        .where(and(staffScope(admin), eq(staffUsers.role, "ADMIN"), eq(staffUsers.status, "ACTIVE")))
        .for("update");
      const [current] = await tx.select().from(staffUsers).where(and(eq(staffUsers.id, id), staffScope(admin))).for("update");
      if (!current) throw notFound("Staff user");
      const next = {
        name: input.name?.trim() ?? current.name,
        role: input.role ?? current.role,
        permissions: input.permissions ? [...new Set(input.permissions)] : current.permissions,
        status: input.active === undefined || input.active === null ? current.status : input.active ? (current.passwordHash ? "ACTIVE" : "INVITED") : "DEACTIVATED",
      } as const;
      const losesAdmin = current.role === "ADMIN" && current.status === "ACTIVE" && (next.role !== "ADMIN" || next.status !== "ACTIVE");
      // Rule B1.
      if (losesAdmin && admins.length <= 1) throw conflict("The firm must keep at least one active admin");
      const [updated] = await tx
        .update(staffUsers)
        .set({ ...next, updatedAt: this.deps.clock.now() })
        .where(eq(staffUsers.id, id))
        .returning();
      if (next.status === "DEACTIVATED" && current.status !== "DEACTIVATED") ended.push(...(await this.sessions.endAllOfStaff(id, tx)));
      return updated!;
    });
    await this.sessions.announceEnded(ended);
    return { staffUser: StaffUser.from(row) };
  }

  /** Rule B2. */
  async updateMySettings(viewer: Viewer, input: UpdateMySettingsInput) {
    const staff = staffPolicy.authorize(viewer, "updateOwnSettings");
    const [row] = await this.deps.database.db
      .update(staffUsers)
      .set({
        ...(input.emailNotifications === undefined || input.emailNotifications === null ? {} : { emailNotifications: input.emailNotifications }),
        updatedAt: this.deps.clock.now(),
      })
      .where(eq(staffUsers.id, staff.userId))
      .returning({ emailNotifications: staffUsers.emailNotifications });
    return { settings: row! };
  }

  /** Needs the current password; ends every other session of the user. */
  async changeMyPassword(viewer: Viewer, input: ChangeMyPasswordInput) {
    const staff = staffPolicy.authorize(viewer, "updateOwnSettings");
    // A stolen session must not become a way to guess the password: counted before it is checked, with growing delays.
    const keys = CREDENTIAL_LIMITS.user.map((limit, i): [string, Limit] => [`change-password${i}:staff:${staff.userId}`, limit]);
    await this.deps.rateLimiter.consume(keys);
    const [user] = await this.deps.database.db.select().from(staffUsers).where(eq(staffUsers.id, staff.userId));
    const problems = passwordProblems(input.newPassword, "input.newPassword", user ? [user.email, user.name] : []);
    const currentOk = await this.sessions.verify(user?.passwordHash ?? null, input.currentPassword);
    if (!currentOk) problems.unshift({ field: "input.currentPassword", rule: "CURRENT_PASSWORD", message: "is not correct" });
    // Only wrong guesses use the budget up: the right current password (with a new one that is refused) clears it.
    else await Promise.all(keys.map(([key]) => this.deps.rateLimiter.reset(key)));
    if (problems.length) throw badInput(problems);
    const hash = await this.deps.hasher.hash(input.newPassword);
    const ended = await this.deps.database.db.transaction(async (tx) => {
      await tx.update(staffUsers).set({ passwordHash: hash, updatedAt: this.deps.clock.now() }).where(eq(staffUsers.id, staff.userId));
      return this.sessions.endAllOfStaff(staff.userId, tx, staff.sessionId);
    });
    await this.sessions.announceEnded(ended);
    return { ok: true };
  }
}
