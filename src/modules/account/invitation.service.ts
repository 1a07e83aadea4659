import { and, eq, inArray } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import type { Tx } from "../../db/client.js";
import { appAccounts } from "./account.table.js";
import { customers } from "../customer/customer.table.js";
import { documentCategories } from "../document/document.table.js";
import { tenants, type TenantRow } from "../tenant/tenant.table.js";
import { accountPolicy } from "./account.policy.js";
import { accountScope } from "./account.scope.js";
import { customerScope } from "../customer/customer.scope.js";
import { documentCategoryScope } from "../document/document.scope.js";
import { tenantScope } from "../tenant/tenant.scope.js";
import type { StaffViewer, Viewer } from "../../auth/viewer.js";
import { AppError, ErrorCode, badInput, conflict, notFound } from "../../errors.js";
import { INVITATION_MAIL_LIMITS } from "../../auth/rate-limit.js";
import { OneTimeTokens, linkWithToken } from "../../auth/one-time-tokens.js";
import { decodeId } from "../../graphql/relay.js";
import { customerInvitationMail, firmProfile } from "../../mail/templates.js";
import type { Outbox } from "../../mail/outbox.js";
import { Customer } from "../customer/customer.types.js";
import type { ReleaseFlow } from "../../flows/release.flow.js";
import { AppAccount, InviteStatus, type InviteCustomersInput, type InviteResult } from "./account.types.js";

/** Rule D2: how long an app invitation link stays valid. */
export const APP_INVITE_TTL_MS = 30 * 86_400_000;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Rules D1/D2: staff invite customers to the app. */
export class InvitationService {
  private readonly tokens: OneTimeTokens;

  constructor(
    private readonly deps: Deps,
    private readonly outbox: Outbox,
    private readonly release: ReleaseFlow,
  ) {
    this.tokens = new OneTimeTokens(deps.clock);
  }

  /**
   * Rules D1/D2: invites customers one by one, each in its own transaction, so one failure
   * changes and sends nothing for that customer and does not stop the others.
   */
  async invite(viewer: Viewer, input: InviteCustomersInput): Promise<{ results: InviteResult[] }> {
    const staff = accountPolicy.authorize(viewer, "invite");
    const { db } = this.deps.database;
    const [tenant] = await db.select().from(tenants).where(tenantScope(staff));
    // Rule A1.
    if (!tenant!.customerAppEnabled) throw new AppError(ErrorCode.APP_DISABLED, "The customer app of this firm is switched off");
    const categoryIds = input.categoryIds.map((c, i) => decodeId(c, "DocumentCategory", `input.categoryIds.${i}`));
    if (input.sharing === "SELECTED_CATEGORIES") {
      if (categoryIds.length === 0) throw badInput([{ field: "input.categoryIds", rule: "REQUIRED", message: "choose at least one category, or share all documents" }]);
      const found = await db
        .select({ id: documentCategories.id })
        .from(documentCategories)
        .where(and(inArray(documentCategories.id, categoryIds), documentCategoryScope(staff)));
      if (found.length !== new Set(categoryIds).size) throw notFound("Document category");
    }
    const results: InviteResult[] = [];
    const seen = new Set<string>();
    for (const [i, invitee] of input.customers.entries()) {
      const base = { customerId: invitee.customerId, customer: null, appAccount: null, errorCode: null, message: null };
      try {
        const customerId = decodeId(invitee.customerId, "Customer", `input.customers.${i}.customerId`);
        // A second invitation in the same call would void the link the first one just mailed (rule D2).
        if (seen.has(customerId)) throw badInput([{ field: `input.customers.${i}.customerId`, rule: "UNIQUE", message: "names a customer listed before" }]);
        seen.add(customerId);
        const supplied = invitee.email?.trim().toLowerCase() || null;
        if (supplied && !EMAIL.test(supplied)) throw badInput([{ field: `input.customers.${i}.email`, rule: "EMAIL", message: "is not an email address" }]);
        if (invitee.replaceEmail && !supplied) throw badInput([{ field: `input.customers.${i}.email`, rule: "REQUIRED", message: "is needed to replace the email on record" }]);
        const outcome = await this.deps.database.db.transaction((tx) =>
          this.inviteOne(tx as unknown as Tx, staff, tenant!, customerId, { email: supplied, replace: invitee.replaceEmail }, input, categoryIds),
        );
        results.push({ ...base, ...outcome });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({ ...base, status: InviteStatus.ERROR, errorCode: err.code, message: err.message });
      }
    }
    return { results };
  }

  private async inviteOne(
    tx: Tx,
    staff: StaffViewer,
    tenant: TenantRow,
    customerId: string,
    supplied: { email: string | null; replace: boolean },
    input: InviteCustomersInput,
    categoryIds: string[],
  ): Promise<Pick<InviteResult, "status" | "customer" | "appAccount"> & { message?: string }> {
    const [customerRow] = await tx
      .select()
      .from(customers)
      .where(and(eq(customers.id, customerId), customerScope(staff)))
      .for("update");
    if (!customerRow) throw notFound("Customer");
    const customer = Customer.from(customerRow);
    // An existing login decides first: an active one needs no email from the customer record.
    const [existing] = await tx.select().from(appAccounts).where(eq(appAccounts.customerId, customerId));
    if (existing?.status === "ACTIVE") return { status: InviteStatus.ALREADY_ACTIVE, customer, appAccount: AppAccount.from(existing) };
    // Rule D5: a deactivated login is reactivated, not invited again.
    if (existing?.status === "DEACTIVATED") throw conflict("This customer's login is deactivated; reactivate it instead");
    // Never rewrite an email on record silently: the caller says so with `replaceEmail`.
    const onRecord = customerRow.email ?? existing?.email ?? null;
    if (supplied.email && onRecord && supplied.email !== onRecord && !supplied.replace) {
      return {
        status: InviteStatus.EMAIL_MISMATCH,
        customer,
        appAccount: existing ? AppAccount.from(existing) : null,
        message: `The customer's email on record is ${onRecord}; invite with replaceEmail to replace it with ${supplied.email}`,
      };
    }
    const email = supplied.email ?? onRecord;
    if (!email) return { status: InviteStatus.MISSING_EMAIL, customer, appAccount: null };
    // Rule D1: one login per email address within a firm. A couple sharing an address shares one login (rule D9).
    const [taken] = await tx
      .select()
      .from(appAccounts)
      .where(and(accountScope(staff), eq(appAccounts.email, email)));
    if (taken && taken.id !== existing?.id) {
      return {
        status: InviteStatus.EMAIL_IN_USE,
        customer,
        appAccount: AppAccount.from(taken),
        message: "Another customer's login uses this email; grant this customer household access on that login instead",
      };
    }

    const now = this.deps.clock.now();
    const updatedCustomer = supplied.email && supplied.email !== customerRow.email
      ? (await tx.update(customers).set({ email: supplied.email, updatedAt: now }).where(eq(customers.id, customerId)).returning())[0]!
      : customerRow;
    const values = { email, salutation: input.salutation, status: "INVITED" as const, invitedAt: now, updatedAt: now };
    const [account] = existing
      ? await tx.update(appAccounts).set(values).where(eq(appAccounts.id, existing.id)).returning()
      : await tx.insert(appAccounts).values({ ...values, tenantId: tenant.id, customerId }).returning();
    await this.release.toCustomer(tx, { tenantId: tenant.id, customerId, sharing: input.sharing, categoryIds });
    // However many staff users send it: a few invitation mails per recipient and login an hour.
    await this.deps.rateLimiter.consume(
      [
        [`mail:invite:to:${email}`, INVITATION_MAIL_LIMITS.recipient],
        [`mail:invite:account:app:${account!.id}`, INVITATION_MAIL_LIMITS.account],
      ],
      undefined,
      tx,
    );
    // A fresh link voids the earlier one (rule D2).
    const { token } = await this.tokens.issue(tx, { tenantId: tenant.id, purpose: "APP_INVITE", subject: { appAccountId: account!.id }, ttlMs: APP_INVITE_TTL_MS });
    const link = linkWithToken(this.deps.config.appLinkBase, token);
    const mail = customerInvitationMail({ salutation: input.salutation, recipientName: `${updatedCustomer.firstName} ${updatedCustomer.lastName}`, link, firm: firmProfile(tenant) });
    await this.outbox.enqueue(tx, { ...mail, to: email, template: "app-invitation", tenantId: tenant.id });
    return { status: InviteStatus.INVITED, customer: Customer.from(updatedCustomer), appAccount: AppAccount.from(account!) };
  }
}
