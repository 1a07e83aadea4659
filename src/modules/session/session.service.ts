import { and, eq, gt, inArray, ne, sql } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import { sessions } from "./session.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { appAccounts, appAccountAccess } from "../account/account.table.js";
import { tenants } from "../tenant/tenant.table.js";
import { normalizeBrokerId } from "../tenant/broker-id.js";
import { hashToken, newToken, safeEqual } from "../../auth/tokens.js";
import { KNOWN_ADDRESS_MS, KNOWN_ADDRESS_PREFIX, loginKeys } from "../../auth/rate-limit.js";
import { anonymous, type SessionViewer, type StaffPermission, type StaffRole, type Viewer } from "../../auth/viewer.js";
import { AppError, ErrorCode } from "../../errors.js";
import { sessionPolicy } from "./session.policy.js";
import { sessionScope } from "./session.scope.js";
import type { Queryable } from "../../db/client.js";
import { uuidArray, uuidArrayLiteral } from "../../db/compiled.js";

/** Bus topic: these sessions ended; every process closes their sockets. */
export const SESSIONS_ENDED = "sessions.ended";

/** How often `lastUsedAt` is written at most, so reads do not turn into writes. */
const TOUCH_EVERY_MS = 60_000;

export interface IssuedSession {
  token: string;
  sessionId: string;
  expiresAt: Date;
}

/** One error for every wrong part of a login (rule D6): nothing tells which part was wrong. */
export const invalidCredentials = () =>
  new AppError(ErrorCode.UNAUTHENTICATED, "The login details are not correct");

export class SessionService {
  private readonly byToken;
  private readonly byId;
  private readonly byIds;
  // A real argon2id hash of a random string: unknown emails cost as much time as wrong passwords.
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: Deps) {
    const { db } = deps.database;
    const columns = {
      id: sessions.id,
      tenantId: sessions.tenantId,
      staffUserId: sessions.staffUserId,
      lastUsedAt: sessions.lastUsedAt,
      expiresAt: sessions.expiresAt,
      role: staffUsers.role,
      permissions: staffUsers.permissions,
      staffStatus: staffUsers.status,
      appAccountId: sessions.appAccountId,
      accountStatus: appAccounts.status,
      accountCustomerId: appAccounts.customerId,
      appEnabled: tenants.customerAppEnabled,
      // Rule D9: the grants as they are now, in the same round trip.
      grantedCustomerIds: sql<string[]>`array(select ${appAccountAccess.customerId} from ${appAccountAccess} where ${appAccountAccess.appAccountId} = ${sessions.appAccountId})`,
    };
    const base = () =>
      db
        .select(columns)
        .from(sessions)
        .innerJoin(tenants, eq(tenants.id, sessions.tenantId))
        .leftJoin(staffUsers, eq(staffUsers.id, sessions.staffUserId))
        .leftJoin(appAccounts, eq(appAccounts.id, sessions.appAccountId));
    // The hottest read of the API: every authenticated request runs it.
    this.byToken = base().where(eq(sessions.tokenHash, sql.placeholder("hash"))).prepare("session_by_token");
    // Every realtime event re-reads the subscriber's session with it.
    this.byId = base().where(eq(sessions.id, sql.placeholder("id"))).prepare("session_by_id");
    // Every realtime event re-reads its subscribers' sessions with it, all at once (`reloadMany`).
    this.byIds = base().where(sql`${sessions.id} = any(${sql.placeholder("ids")}::uuid[])`).prepare("sessions_by_ids");
  }

  /** Bearer token -> viewer. Unknown, expired or idle tokens and deactivated users give an anonymous viewer. */
  async authenticate(token: string | undefined): Promise<Viewer> {
    if (!token) return anonymous;
    const operatorToken = this.deps.config.operatorToken;
    if (operatorToken && safeEqual(token, operatorToken)) return { kind: "operator" };
    const [row] = await this.byToken.execute({ hash: hashToken(token) });
    if (!row) return anonymous;
    const now = this.deps.clock.now().getTime();
    if (!this.alive(row, now)) {
      await this.end([row.id]);
      return anonymous;
    }
    if (now - row.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await this.deps.database.db
        .update(sessions)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(sessions.id, row.id));
    }
    return this.toViewer(row);
  }

  /** The viewer of a session as it is now (rights may have changed since the socket opened); anonymous if it ended. */
  async reload(sessionId: string): Promise<Viewer> {
    const [row] = await this.byId.execute({ id: sessionId });
    if (!row || !this.alive(row, this.deps.clock.now().getTime())) return anonymous;
    return this.toViewer(row);
  }

  /** The viewers of several sessions in one query (subscriptions re-check theirs on every event); ended ones are absent. */
  async reloadMany(sessionIds: string[]): Promise<Map<string, Viewer>> {
    const found = new Map<string, Viewer>();
    if (sessionIds.length === 0) return found;
    const now = this.deps.clock.now().getTime();
    // One array parameter, not one per id: 10,000 subscribers' sessions are one short statement (prepared once,
    // whatever their number) instead of a statement with 10,000 parameters to bind for every event.
    for (const row of await this.byIds.execute({ ids: uuidArrayLiteral(sessionIds) })) {
      if (this.alive(row, now)) found.set(row.id, this.toViewer(row));
    }
    return found;
  }

  private alive(row: { lastUsedAt: Date; expiresAt: Date }, now: number): boolean {
    return row.expiresAt.getTime() > now && row.lastUsedAt.getTime() + this.deps.config.sessionIdleMs > now;
  }

  private toViewer(row: {
    id: string;
    tenantId: string;
    staffUserId: string | null;
    role: StaffRole | null;
    permissions: StaffPermission[] | null;
    staffStatus: string | null;
    appAccountId: string | null;
    accountStatus: string | null;
    accountCustomerId: string | null;
    appEnabled: boolean;
    grantedCustomerIds: string[] | null;
  }): Viewer {
    if (row.staffUserId && row.staffStatus === "ACTIVE" && row.role) {
      return {
        kind: "staff",
        sessionId: row.id,
        tenantId: row.tenantId,
        userId: row.staffUserId,
        role: row.role,
        permissions: new Set<StaffPermission>(row.permissions ?? []),
      };
    }
    // Rule A1: while the firm's app is off, no app session works.
    if (row.appAccountId && row.accountStatus === "ACTIVE" && row.accountCustomerId && row.appEnabled) {
      return {
        kind: "app",
        sessionId: row.id,
        tenantId: row.tenantId,
        accountId: row.appAccountId,
        customerId: row.accountCustomerId,
        customerIds: new Set([row.accountCustomerId, ...(row.grantedCustomerIds ?? [])]),
      };
    }
    return anonymous;
  }

  /** Of these session ids, the ones no longer valid (the socket sweep closes their sockets). */
  async endedOf(sessionIds: string[]): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const now = this.deps.clock.now();
    // One array parameter, and only the ended ones back: the sweep asks every second for every open socket's session.
    // Starts with SWEEP_QUERY_START: tests leave the sweep's statement out of a screen's count.
    const rows = await this.deps.database.rows<{ id: string }>(sql`select asked.id from unnest(${uuidArray(sessionIds)}) as asked(id)
      where not exists (
        select 1 from ${sessions}
        join ${tenants} on ${tenants.id} = ${sessions.tenantId}
        left join ${staffUsers} on ${staffUsers.id} = ${sessions.staffUserId}
        left join ${appAccounts} on ${appAccounts.id} = ${sessions.appAccountId}
        where ${sessions.id} = asked.id
          and ${sessions.expiresAt} > ${now.toISOString()}::timestamptz
          and ${sessions.lastUsedAt} > ${new Date(now.getTime() - this.deps.config.sessionIdleMs).toISOString()}::timestamptz
          and (${staffUsers.status} = 'ACTIVE' or (${appAccounts.status} = 'ACTIVE' and ${tenants.customerAppEnabled}))
      )`);
    return rows.map((r) => r.id);
  }

  /** Creates a session for a subject; the plain token is returned once and never stored. */
  async issue(
    subject: { tenantId: string; staffUserId: string } | { tenantId: string; appAccountId: string },
    on: Queryable = this.deps.database.db,
  ): Promise<IssuedSession> {
    const token = newToken("ks");
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + this.deps.config.sessionMaxMs);
    const [row] = await on
      .insert(sessions)
      .values({ ...subject, tokenHash: hashToken(token), createdAt: now, lastUsedAt: now, expiresAt })
      .returning({ id: sessions.id });
    return { token, sessionId: row!.id, expiresAt };
  }

  /** Staff login (email + password). Same error for unknown email and wrong password; throttled. */
  async loginStaff(input: { email: string; password: string }, clientAddress: string): Promise<IssuedSession> {
    const email = input.email.trim().toLowerCase();
    // Counted before the password is checked, so parallel guesses cannot slip past the limit.
    const throttle = await this.throttle(`staff:${email}`, clientAddress);
    const [user] = await this.deps.database.db.select().from(staffUsers).where(eq(staffUsers.email, email));
    const ok = await this.verify(user?.passwordHash ?? null, input.password);
    if (!user || !ok) throw invalidCredentials();
    if (user.status === "DEACTIVATED") {
      // Rule D6: told only after a correct password.
      throw new AppError(ErrorCode.ACCOUNT_DEACTIVATED, "This login has been deactivated");
    }
    await throttle.succeeded();
    return this.issue({ tenantId: user.tenantId, staffUserId: user.id });
  }

  /**
   * Rule D6 for app accounts: email + broker ID + password. Any wrong part gives the same error;
   * ACCOUNT_DEACTIVATED and APP_DISABLED (rule A1) are told only after a correct password. Throttled.
   */
  async loginApp(input: { email: string; password: string; brokerId: string }, clientAddress: string): Promise<IssuedSession> {
    const email = input.email.trim().toLowerCase();
    const brokerId = normalizeBrokerId(input.brokerId);
    const throttle = await this.throttle(`app:${brokerId}:${email}`, clientAddress);
    const [found] = await this.deps.database.db
      .select({ account: appAccounts, appEnabled: tenants.customerAppEnabled })
      .from(appAccounts)
      .innerJoin(tenants, eq(tenants.id, appAccounts.tenantId))
      .where(and(eq(tenants.brokerId, brokerId), eq(appAccounts.email, email)));
    const ok = await this.verify(found?.account.passwordHash ?? null, input.password);
    if (!found || !ok) throw invalidCredentials();
    if (found.account.status === "DEACTIVATED") {
      throw new AppError(ErrorCode.ACCOUNT_DEACTIVATED, "This login has been deactivated by the broker"); // rule D6
    }
    // Rule A1: no app login while the firm's app is off.
    if (!found.appEnabled) throw new AppError(ErrorCode.APP_DISABLED, "The customer app of this broker is switched off");
    if (found.account.status !== "ACTIVE") throw invalidCredentials();
    await throttle.succeeded();
    return this.issue({ tenantId: found.account.tenantId, appAccountId: found.account.id });
  }

  /**
   * Counts a login attempt for `account` from `clientAddress` (see LOGIN_LIMITS) before anything is checked and
   * refuses it when over a limit. `succeeded()` gives the attempt back, clears the pair and marks the address as known.
   */
  private async throttle(account: string, clientAddress: string): Promise<{ succeeded(): Promise<void> }> {
    const limiter = this.deps.rateLimiter;
    const keys = loginKeys(account, clientAddress);
    const knownKey = `${KNOWN_ADDRESS_PREFIX}${account}|${clientAddress}`;
    const accountKey = `login:account:${account}`;
    const addressKey = `login:addr:${clientAddress}`;
    const known = await limiter.marked(knownKey, KNOWN_ADDRESS_MS);
    // The owner's usual address is not held back by the ceiling an attack from elsewhere filled.
    await limiter.consume(keys, (c) => known && c.key === accountKey);
    return {
      succeeded: async () => {
        await Promise.all([
          ...keys.filter(([key]) => key.startsWith("login:pair")).map(([key]) => limiter.reset(key)),
          limiter.giveBack(accountKey),
          limiter.giveBack(addressKey),
          limiter.mark(knownKey),
        ]);
      },
    };
  }

  /** Ends every session of an app account; returns the ended ids (announce them after commit). */
  async endAllOfAccount(appAccountId: string, on: Queryable, exceptSessionId?: string): Promise<string[]> {
    const rows = await on
      .delete(sessions)
      .where(and(eq(sessions.appAccountId, appAccountId), exceptSessionId ? ne(sessions.id, exceptSessionId) : undefined))
      .returning({ id: sessions.id });
    return rows.map((r) => r.id);
  }

  /** Verifies a password, spending the same time when there is no hash to check against. */
  async verify(hash: string | null, password: string): Promise<boolean> {
    if (hash) return this.deps.hasher.verify(hash, password);
    this.dummyHash ??= this.deps.hasher.hash(newToken("dummy"));
    await this.deps.hasher.verify(await this.dummyHash, password);
    return false;
  }

  /** Rule D8: ends the viewer's own session (and its sockets, through the bus). */
  async logout(viewer: Viewer): Promise<void> {
    const own = sessionPolicy.authorize(viewer, "logout");
    const ended = await this.deps.database.db.delete(sessions).where(sessionScope(own)).returning({ id: sessions.id });
    await this.announceEnded(ended.map((r) => r.id));
  }

  /** Ends sessions and tells every process to close their sockets. */
  async end(sessionIds: string[], on: Queryable = this.deps.database.db): Promise<void> {
    if (sessionIds.length === 0) return;
    await on.delete(sessions).where(inArray(sessions.id, sessionIds));
    if (on === this.deps.database.db) await this.announceEnded(sessionIds);
  }

  /** Ends every session of a staff user (except one, when a user changes their own password). Returns the ended ids. */
  async endAllOfStaff(staffUserId: string, on: Queryable, exceptSessionId?: string): Promise<string[]> {
    const rows = await on
      .delete(sessions)
      .where(and(eq(sessions.staffUserId, staffUserId), exceptSessionId ? ne(sessions.id, exceptSessionId) : undefined))
      .returning({ id: sessions.id });
    return rows.map((r) => r.id);
  }

  /** Publish after commit: the bus must never announce what a rolled-back transaction did. */
  async announceEnded(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    // The change is committed: a bus failure must not turn it into an error. The socket sweep closes them anyway.
    await this.deps.bus
      .publish({ topic: SESSIONS_ENDED, payload: { sessionIds } })
      .catch((err: unknown) => this.deps.log.warn({ err }, "could not announce ended sessions; the sweep will close their sockets"));
  }
}

/** How the socket sweep's statement (`endedOf`) begins. */
export const SWEEP_QUERY_START = "select asked.id from unnest(";
