import { and, eq } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import { appAccounts } from "./account.table.js";
import { customers } from "../customer/customer.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { tenants } from "../tenant/tenant.table.js";
import { AppError, ErrorCode, badInput, notFound } from "../../errors.js";
import { passwordProblems } from "../../auth/password.js";
import { OneTimeTokens, linkWithToken } from "../../auth/one-time-tokens.js";
import { CREDENTIAL_LIMITS, MAIL_LIMITS, type Limit } from "../../auth/rate-limit.js";
import { normalizeBrokerId } from "../tenant/broker-id.js";
import { firmProfile, passwordResetMail, staffPasswordResetMail } from "../../mail/templates.js";
import type { Outbox } from "../../mail/outbox.js";
import type { IssuedSession, SessionService } from "../session/session.service.js";
import type { AcceptStaffInvitationInput, RequestStaffPasswordResetInput, ResetStaffPasswordInput } from "../staff/staff.types.js";
import { BrokerProfile } from "../tenant/tenant.types.js";
import { LinkInfo, LinkPurpose, type RegisterInput, type RequestPasswordResetInput, type ResetPasswordInput } from "./account.types.js";

/** Rule D7: a reset link is valid for one hour (staff reset links too). */
export const PASSWORD_RESET_TTL_MS = 3_600_000;

/** The longest token any link carries; a longer one is unknown without a look-up. */
const MAX_TOKEN_LENGTH = 200;

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
  async register(input: RegisterInput, clientAddress: string): Promise<IssuedSession> {
    await this.throttleLink("register", clientAddress);
    const problems = passwordProblems(input.password, "input.password", [input.email]);
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
    await this.deps.rateLimiter.consume([[`reset:addr:${clientAddress}`, MAIL_LIMITS.address]]);
    if (!normalizeBrokerId(input.brokerId)) throw badInput([{ field: "input.brokerId", rule: "REQUIRED", message: "must not be empty" }]);
    const email = input.email.trim().toLowerCase();
    const mailAllowed = await this.mailAllowed(email, `app:${normalizeBrokerId(input.brokerId)}:${email}`);
    const { db } = this.deps.database;
    await db.transaction(async (tx) => {
      const [found] = await tx
        .select({ account: appAccounts, tenant: tenants, customer: customers })
        .from(appAccounts)
        .innerJoin(tenants, eq(tenants.id, appAccounts.tenantId))
        .innerJoin(customers, eq(customers.id, appAccounts.customerId))
        .where(and(eq(tenants.brokerId, normalizeBrokerId(input.brokerId)), eq(appAccounts.email, email)));
      if (!found || found.account.status !== "ACTIVE" || !found.tenant.customerAppEnabled) return;
      if (!mailAllowed) return;
      const { token } = await this.tokens.issue(tx, {
        tenantId: found.tenant.id,
        purpose: "APP_PASSWORD_RESET",
        subject: { appAccountId: found.account.id },
        ttlMs: PASSWORD_RESET_TTL_MS,
      });
      const link = linkWithToken(this.deps.config.appLinkBase, token);
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
  async resetPassword(input: ResetPasswordInput, clientAddress: string): Promise<{ ok: true }> {
    await this.throttleLink("reset", clientAddress);
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
  async acceptStaffInvitation(input: AcceptStaffInvitationInput, clientAddress: string): Promise<IssuedSession> {
    await this.throttleLink("staff-invite", clientAddress);
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

  /**
   * A staff user who forgot the password: always the same answer; a mail with a one-hour single-use link only if an
   * ACTIVE staff user has this email. Throttled per client address like the customer reset.
   */
  async requestStaffPasswordReset(input: RequestStaffPasswordResetInput, clientAddress: string): Promise<{ ok: true }> {
    await this.deps.rateLimiter.consume([[`staff-reset:addr:${clientAddress}`, MAIL_LIMITS.address]]);
    const email = input.email.trim().toLowerCase();
    const mailAllowed = await this.mailAllowed(email, `staff:${email}`);
    await this.deps.database.db.transaction(async (tx) => {
      const [found] = await tx
        .select({ user: staffUsers, tenant: tenants })
        .from(staffUsers)
        .innerJoin(tenants, eq(tenants.id, staffUsers.tenantId))
        .where(eq(staffUsers.email, email));
      if (!found || found.user.status !== "ACTIVE") return;
      if (!mailAllowed) return;
      const { token } = await this.tokens.issue(tx, {
        tenantId: found.tenant.id,
        purpose: "PASSWORD_RESET",
        subject: { staffUserId: found.user.id },
        ttlMs: PASSWORD_RESET_TTL_MS,
      });
      const link = linkWithToken(this.deps.config.staffLinkBase, token);
      const mail = staffPasswordResetMail({ recipientName: found.user.name, link, firm: firmProfile(found.tenant) });
      await this.outbox.enqueue(tx, { ...mail, to: email, template: "staff-password-reset", tenantId: found.tenant.id });
    });
    return { ok: true };
  }

  /** Sets a staff user's new password (the password rules) through the reset link and ends every session of the user. */
  async resetStaffPassword(input: ResetStaffPasswordInput, clientAddress: string): Promise<{ ok: true }> {
    await this.throttleLink("staff-reset-link", clientAddress);
    const problems = passwordProblems(input.password);
    if (problems.length) throw badInput(problems);
    await this.tokens.check(this.deps.database.db, "PASSWORD_RESET", input.token);
    const hash = await this.deps.hasher.hash(input.password);
    const ended = await this.deps.database.db.transaction(async (tx) => {
      const token = await this.tokens.consume(tx, "PASSWORD_RESET", input.token);
      const [user] = await tx
        .update(staffUsers)
        .set({ passwordHash: hash, updatedAt: this.deps.clock.now() })
        .where(and(eq(staffUsers.id, token.staffUserId!), eq(staffUsers.status, "ACTIVE")))
        .returning();
      if (!user) throw badInput([{ field: "input.token", rule: "TOKEN_VALID", message: "this link is no longer valid" }]);
      return this.sessions.endAllOfStaff(user.id, tx);
    });
    await this.sessions.announceEnded(ended);
    return { ok: true };
  }

  /**
   * Counts an attempt to use a link from this address before the token is looked up or a password hashed:
   * each costs an argon2id hash, and the limit keeps anyone from trying tokens or burning CPU in bulk.
   */
  private async throttleLink(kind: string, clientAddress: string): Promise<void> {
    await this.deps.rateLimiter.consume([[`link:${kind}:addr:${clientAddress}`, CREDENTIAL_LIMITS.address]]);
  }

  /**
   * Reset mails per recipient address and per account, whichever address asks: a flood from many addresses
   * sends a few mails and then nothing. Counted whether or not the account exists, so the count tells nothing;
   * over the limit the answer stays the same (rule D7), only no mail goes out.
   */
  private async mailAllowed(recipient: string, account: string): Promise<boolean> {
    const keys: Array<[string, Limit]> = [
      [`mail:reset:to:${recipient}`, MAIL_LIMITS.recipient],
      [`mail:reset:account:${account}`, MAIL_LIMITS.account],
    ];
    const counted = await this.deps.rateLimiter.count(keys);
    const allowed = counted.every((c) => c.count <= c.limit.max);
    if (!allowed) this.deps.log.warn({ template: "password-reset" }, "reset mail held back: too many for this recipient or account");
    return allowed;
  }

  /**
   * What a link's token is for, without logging in and without using it up: the purpose, the firm's profile and
   * broker ID, and the email to prefill. NOT_FOUND for a token that is unknown, used, expired, or whose login can
   * no longer use it (a registered or deactivated account, a withdrawn invitation).
   */
  async linkInfo(token: string): Promise<LinkInfo> {
    const { db } = this.deps.database;
    const row = token.length <= MAX_TOKEN_LENGTH ? await this.tokens.find(db, token) : null;
    if (!row) throw notFound("Link");
    const [tenant] = await db.select().from(tenants).where(eq(tenants.id, row.tenantId));
    let found: { purpose: LinkPurpose; email: string } | null = null;
    if (row.staffUserId) {
      const [user] = await db.select().from(staffUsers).where(eq(staffUsers.id, row.staffUserId));
      if (user?.status === "INVITED" && row.purpose === "STAFF_INVITE") found = { purpose: LinkPurpose.STAFF_INVITATION, email: user.email };
      if (user?.status === "ACTIVE" && row.purpose === "PASSWORD_RESET") found = { purpose: LinkPurpose.STAFF_PASSWORD_RESET, email: user.email };
    } else if (row.appAccountId) {
      const [account] = await db.select().from(appAccounts).where(eq(appAccounts.id, row.appAccountId));
      if (account?.status === "INVITED" && row.purpose === "APP_INVITE") found = { purpose: LinkPurpose.APP_REGISTRATION, email: account.email };
      if (account?.status === "ACTIVE" && row.purpose === "APP_PASSWORD_RESET") {
        // An account activated by hand has no password yet: the same link sets the first one.
        found = { purpose: account.passwordHash ? LinkPurpose.APP_PASSWORD_RESET : LinkPurpose.APP_SET_PASSWORD, email: account.email };
      }
    }
    if (!found || !tenant) throw notFound("Link");
    return Object.assign(new LinkInfo(), {
      ...found,
      brokerId: tenant.brokerId,
      firmName: firmProfile(tenant).name,
      brokerProfile: BrokerProfile.from(tenant),
      expiresAt: row.expiresAt,
    });
  }
}
