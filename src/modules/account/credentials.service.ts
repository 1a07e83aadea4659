import { and, eq } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import { appAccounts } from "./account.table.js";
import { customers } from "../customer/customer.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { tenants } from "../tenant/tenant.table.js";
import { AppError, ErrorCode, badInput } from "../../errors.js";
import { passwordProblems } from "../../auth/password.js";
import { OneTimeTokens } from "../../auth/one-time-tokens.js";
import { LOGIN_LIMITS } from "../../auth/rate-limit.js";
import { normalizeBrokerId } from "../tenant/broker-id.js";
import { firmProfile, passwordResetMail } from "../../mail/templates.js";
import type { Outbox } from "../../mail/outbox.js";
import type { IssuedSession, SessionService } from "../session/session.service.js";
import type { AcceptStaffInvitationInput } from "../staff/staff.types.js";
import { appLink } from "./invitation.service.js";
import type { RegisterInput, RequestPasswordResetInput, ResetPasswordInput } from "./account.types.js";

/** Rule D7: a reset link is valid for one hour. */
export const PASSWORD_RESET_TTL_MS = 3_600_000;

/**
 * Setting a password through a single-use link: an app account's registration (D4) and reset (D7),
 * and an invited staff user's first password (B1). Each checks the password rules, consumes the link's
 * token in the same transaction as the write, and hashes before the transaction so it stays short.
 */
export class CredentialsService {
  private readonly tokens: OneTimeTokens;

  constructor(
    private readonly deps: Deps,
    private readonly sessions: SessionService,
    private readonly outbox: Outbox,
  ) {
    this.tokens = new OneTimeTokens(deps.clock);
  }

  /** Rule D4: registration with the invited email, the link's token and a password. Logs in. */
  async register(input: RegisterInput): Promise<IssuedSession> {
    const problems = passwordProblems(input.password);
    if (problems.length) throw badInput(problems);
    await this.tokens.check(this.deps.database.db, "APP_INVITE", input.token);
    const hash = await this.deps.hasher.hash(input.password);
    return this.deps.database.db.transaction(async (tx) => {
      const token = await this.tokens.consume(tx, "APP_INVITE", input.token);
      const [found] = await tx
        .select({ account: appAccounts, appEnabled: tenants.customerAppEnabled })
        .from(appAccounts)
        .innerJoin(tenants, eq(tenants.id, appAccounts.tenantId))
        .where(eq(appAccounts.id, token.appAccountId!));
      if (!found || found.account.status !== "INVITED") throw badInput([{ field: "input.token", rule: "TOKEN_VALID", message: "this invitation is no longer valid" }]);
      if (found.account.email !== input.email.trim().toLowerCase()) {
        throw badInput([{ field: "input.email", rule: "INVITED_EMAIL", message: "is not the address the invitation was sent to" }]);
      }
      // Rule A1.
      if (!found.appEnabled) throw new AppError(ErrorCode.APP_DISABLED, "The customer app of this broker is switched off");
      const now = this.deps.clock.now();
      await tx.update(appAccounts).set({ passwordHash: hash, status: "ACTIVE", activatedAt: now, updatedAt: now }).where(eq(appAccounts.id, found.account.id));
      return this.sessions.issue({ tenantId: found.account.tenantId, appAccountId: found.account.id }, tx);
    });
  }

  /** Rule D7: always the same answer; a mail with a one-hour single-use link only if the account exists. */
  async requestPasswordReset(input: RequestPasswordResetInput, clientAddress: string): Promise<{ ok: true }> {
    const keys: Array<[string, typeof LOGIN_LIMITS.address]> = [[`reset:addr:${clientAddress}`, LOGIN_LIMITS.address]];
    await this.deps.rateLimiter.check(keys);
    await this.deps.rateLimiter.hit(keys);
    if (!normalizeBrokerId(input.brokerId)) throw badInput([{ field: "input.brokerId", rule: "REQUIRED", message: "must not be empty" }]);
    const email = input.email.trim().toLowerCase();
    const { db } = this.deps.database;
    await db.transaction(async (tx) => {
      const [found] = await tx
        .select({ account: appAccounts, tenant: tenants, customer: customers })
        .from(appAccounts)
        .innerJoin(tenants, eq(tenants.id, appAccounts.tenantId))
        .innerJoin(customers, eq(customers.id, appAccounts.customerId))
        .where(and(eq(tenants.brokerId, normalizeBrokerId(input.brokerId)), eq(appAccounts.email, email)));
      if (!found || found.account.status !== "ACTIVE" || !found.tenant.customerAppEnabled) return;
      const { token } = await this.tokens.issue(tx, {
        tenantId: found.tenant.id,
        purpose: "APP_PASSWORD_RESET",
        subject: { appAccountId: found.account.id },
        ttlMs: PASSWORD_RESET_TTL_MS,
      });
      const link = appLink(this.deps.config.appLinkBase, "reset-password", { brokerId: found.tenant.brokerId, token });
      const mail = passwordResetMail({
        salutation: found.account.salutation,
        recipientName: `${found.customer.firstName} ${found.customer.lastName}`,
        link,
        firm: firmProfile(found.tenant),
      });
      await this.outbox.enqueue(tx, { ...mail, to: email, template: "app-password-reset", tenantId: found.tenant.id });
    });
    return { ok: true };
  }

  /** Rule D7: sets the new password (D4 rules) and ends every session of the account. */
  async resetPassword(input: ResetPasswordInput): Promise<{ ok: true }> {
    const problems = passwordProblems(input.password);
    if (problems.length) throw badInput(problems);
    await this.tokens.check(this.deps.database.db, "APP_PASSWORD_RESET", input.token);
    const hash = await this.deps.hasher.hash(input.password);
    const ended = await this.deps.database.db.transaction(async (tx) => {
      const token = await this.tokens.consume(tx, "APP_PASSWORD_RESET", input.token);
      const [account] = await tx
        .update(appAccounts)
        .set({ passwordHash: hash, updatedAt: this.deps.clock.now() })
        .where(and(eq(appAccounts.id, token.appAccountId!), eq(appAccounts.status, "ACTIVE")))
        .returning();
      if (!account) throw badInput([{ field: "input.token", rule: "TOKEN_VALID", message: "this link is no longer valid" }]);
      return this.sessions.endAllOfAccount(account.id, tx);
    });
    await this.sessions.announceEnded(ended);
    return { ok: true };
  }

  /** Rule B1: an invited staff user sets a password through the link (issued by `StaffService.createInvited`) and is logged in. */
  async acceptStaffInvitation(input: AcceptStaffInvitationInput): Promise<IssuedSession> {
    const problems = passwordProblems(input.password);
    if (problems.length) throw badInput(problems);
    await this.tokens.check(this.deps.database.db, "STAFF_INVITE", input.token);
    const hash = await this.deps.hasher.hash(input.password);
    return this.deps.database.db.transaction(async (tx) => {
      const token = await this.tokens.consume(tx, "STAFF_INVITE", input.token);
      const [user] = await tx
        .update(staffUsers)
        .set({ passwordHash: hash, status: "ACTIVE", updatedAt: this.deps.clock.now() })
        .where(and(eq(staffUsers.id, token.staffUserId!), eq(staffUsers.status, "INVITED")))
        .returning();
      if (!user) throw badInput([{ field: "input.token", rule: "TOKEN_VALID", message: "this invitation is no longer valid" }]);
      return this.sessions.issue({ tenantId: user.tenantId, staffUserId: user.id }, tx);
    });
  }
}
