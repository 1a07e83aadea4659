import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
import type { LiveEvent } from "../../realtime/event-log.js";
import { adopt } from "../../realtime/live.js";
import { decodeId } from "../../graphql/relay.js";
import { notFound } from "../../errors.js";
import { Customer } from "../customer/customer.types.js";
import { Document } from "../document/document.types.js";
import { AppOverview, Contract, Money } from "../contract/contract.types.js";
import { claimPolicy } from "./claim.policy.js";
import { Claim, ClaimConnection, ClaimEvent, ClaimPayload, ClaimPhoto, ClaimStatusChange, ClaimsArgs, ReportClaimInput, UpdateClaimInput } from "./claim.types.js";

@Resolver(() => Claim)
export class ClaimResolver {
  @Authorized("STAFF", "APP")
  @Query(() => ClaimConnection, {
    description:
      "Newest report first. Staff with the CLAIMS permission: the firm's claims, filtered and searched by claim number (FORBIDDEN without the permission). App accounts: the claims of the customers they may access.",
  })
  claims(@Args(() => ClaimsArgs) args: ClaimsArgs, @Ctx() ctx: Context) {
    return ctx.services.claim.list(ctx.viewer, args);
  }

  @Authorized("STAFF", "APP")
  @Query(() => Claim, { description: "One claim the viewer may see; any other id gives NOT_FOUND, exactly like a missing one." })
  async claim(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Claim> {
    // Rule B1: staff without CLAIMS get FORBIDDEN, as on `claims`, not a NOT_FOUND that hides the missing permission.
    claimPolicy.authorize(ctx.viewer, "list");
    const found = await ctx.loaders.claim.load(decodeId(id, "Claim", "id"));
    if (!found) throw notFound("Claim");
    return found;
  }

  @Authorized("APP")
  @Mutation(() => ClaimPayload, {
    description:
      "The customer reports a claim: date of loss (not in the future), description, optionally one of the customer's contracts, and 0-10 photos uploaded before (purpose CLAIM_PHOTO). Each photo gets a JPEG and a thumbnail; the office is alerted at once. Send an `idempotencyKey`: a retry after a timeout returns the first claim (`replayed: true`).",
  })
  reportClaim(@Arg("input", () => ReportClaimInput) input: ReportClaimInput, @Ctx() ctx: Context) {
    return ctx.services.claim.report(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => ClaimPayload, {
    description:
      "The office works on a claim (CLAIMS permission, else FORBIDDEN): status (the customer's app is told at once), the insurer's claim number, amounts claimed and paid (exact cents; each can be kept internal), internal notes the app never sees.",
  })
  updateClaim(@Arg("input", () => UpdateClaimInput) input: UpdateClaimInput, @Ctx() ctx: Context) {
    return ctx.services.claim.update(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Subscription(() => ClaimEvent, {
    description: "New claims, for staff with the CLAIMS permission (the office's alert). With `after:` it first replays what was missed.",
    subscribe: ({ args, context }) => (context as Context).services.claim.subscribeAlerts((context as Context).viewer, args.after as string | undefined),
  })
  claimAlert(
    @Root() event: LiveEvent<Claim>,
    @Ctx() ctx: Context,
    @Arg("after", () => String, { nullable: true, description: "The cursor of the last event received; what came after it is sent first." }) _after?: string,
  ): ClaimEvent {
    return { cursor: event.cursor, claim: adopt(ctx, event) };
  }

  @Authorized("STAFF", "APP")
  @Subscription(() => ClaimEvent, {
    description:
      "Claims as they change: the customer's app hears at once when the office changes a claim's status (never internal notes or internal amounts); staff with CLAIMS hear of every change. With `after:` it first replays what was missed.",
    subscribe: ({ args, context }) => (context as Context).services.claim.subscribeChanges((context as Context).viewer, args.after as string | undefined),
  })
  claimChanged(
    @Root() event: LiveEvent<Claim>,
    @Ctx() ctx: Context,
    @Arg("after", () => String, { nullable: true, description: "The cursor of the last event received; what came after it is sent first." }) _after?: string,
  ): ClaimEvent {
    return { cursor: event.cursor, claim: adopt(ctx, event) };
  }

  @FieldResolver(() => Customer)
  async customer(@Root() c: Claim, @Ctx() ctx: Context): Promise<Customer> {
    return (await ctx.loaders.customer.load(c.customerId))!;
  }

  @FieldResolver(() => Contract, { nullable: true, description: "The contract the claim is about, if the customer named one (and the viewer may see it)." })
  contract(@Root() c: Claim, @Ctx() ctx: Context): Promise<Contract | null> | null {
    return c.contractId ? ctx.loaders.contract.load(c.contractId) : null;
  }

  @FieldResolver(() => [ClaimPhoto], { description: "The photos, in the order the customer sent them." })
  photos(@Root() c: Claim, @Ctx() ctx: Context): Promise<ClaimPhoto[]> {
    return ctx.loaders.claimPhotos.load(c.dbId);
  }

  @FieldResolver(() => [ClaimStatusChange], { description: "The timeline: every status with its date, oldest first, beginning with the report." })
  timeline(@Root() c: Claim, @Ctx() ctx: Context): Promise<ClaimStatusChange[]> {
    return ctx.loaders.claimTimeline.load(c.dbId);
  }

  @FieldResolver(() => [Document], { description: "Documents filed at this claim, newest first (for app accounts only the released ones)." })
  documents(@Root() c: Claim, @Ctx() ctx: Context): Promise<Document[]> {
    return ctx.loaders.documentsOfClaim.load(c.dbId);
  }

  @FieldResolver(() => Money, { nullable: true, description: "The amount claimed; null while unknown, and for the app while the office keeps it internal." })
  amountClaimed(@Root() c: Claim, @Ctx() ctx: Context): Money | null {
    if (c.amountClaimedCents === null) return null;
    return c.amountClaimedInternal && !claimPolicy.can(ctx.viewer, "readInternal") ? null : Money.of(c.amountClaimedCents);
  }

  @FieldResolver(() => Money, { nullable: true, description: "The amount paid out; null while unknown, and for the app while the office keeps it internal." })
  amountPaid(@Root() c: Claim, @Ctx() ctx: Context): Money | null {
    if (c.amountPaidCents === null) return null;
    return c.amountPaidInternal && !claimPolicy.can(ctx.viewer, "readInternal") ? null : Money.of(c.amountPaidCents);
  }

  @FieldResolver(() => Boolean, { nullable: true, description: "Staff: whether the claimed amount is kept from the app (null for app accounts)." })
  amountClaimedInternal(@Root() c: Claim, @Ctx() ctx: Context): boolean | null {
    return claimPolicy.can(ctx.viewer, "readInternal") ? c.amountClaimedInternal : null;
  }

  @FieldResolver(() => Boolean, { nullable: true, description: "Staff: whether the paid amount is kept from the app (null for app accounts)." })
  amountPaidInternal(@Root() c: Claim, @Ctx() ctx: Context): boolean | null {
    return claimPolicy.can(ctx.viewer, "readInternal") ? c.amountPaidInternal : null;
  }

  @FieldResolver(() => String, { nullable: true, description: "Internal notes: staff only (always null for app accounts)." })
  internalNotes(@Root() c: Claim, @Ctx() ctx: Context): string | null {
    return claimPolicy.can(ctx.viewer, "readInternal") ? c.internalNotesText : null;
  }
}

@Resolver(() => ClaimPhoto)
export class ClaimPhotoResolver {
  @FieldResolver(() => String, { description: "The photo as a JPEG (at most 2560 px on its longest side): a short-lived download URL bound to the viewer's session." })
  url(@Root() p: ClaimPhoto, @Ctx() ctx: Context): string {
    return ctx.services.file.downloadUrl(p.jpegFileId, ctx.baseUrl, ctx.viewer)!;
  }

  @FieldResolver(() => String, { description: "A JPEG thumbnail (at most 320 px): a short-lived download URL." })
  thumbnailUrl(@Root() p: ClaimPhoto, @Ctx() ctx: Context): string {
    return ctx.services.file.downloadUrl(p.thumbnailFileId, ctx.baseUrl, ctx.viewer)!;
  }

  @FieldResolver(() => String, { description: "The original as the phone sent it (JPEG, PNG or HEIC): a short-lived download URL." })
  originalUrl(@Root() p: ClaimPhoto, @Ctx() ctx: Context): string {
    return ctx.services.file.downloadUrl(p.originalFileId, ctx.baseUrl, ctx.viewer)!;
  }
}

/** The claims module's fields on other modules' types: Customer.claims and the overview's open claims. */
@Resolver(() => Customer)
export class CustomerClaimsResolver {
  @FieldResolver(() => [Claim], { description: "The customer's claims the viewer may see, newest report first (staff need the CLAIMS permission)." })
  claims(@Root() customer: Customer, @Ctx() ctx: Context): Promise<Claim[]> {
    return ctx.loaders.claimsOfCustomer.load(customer.dbId);
  }
}

@Resolver(() => AppOverview)
export class OverviewClaimsResolver {
  @FieldResolver(() => Int, { description: "Claims still open (reported, in progress, with the insurer): `claims(status: [REPORTED, IN_PROGRESS, WITH_INSURER])`." })
  openClaimCount(@Root() overview: AppOverview, @Ctx() ctx: Context): Promise<number> | number {
    // Computed with the overview in its one statement (ContractService.addOverviewFigure).
    return overview.figures?.get("openClaimCount") ?? ctx.services.claim.openCount(ctx.viewer);
  }
}
