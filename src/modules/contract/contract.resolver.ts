import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../context.js";
import type { LiveEvent } from "../../realtime/event-log.js";
import { adopt } from "../../realtime/live.js";
import { decodeId } from "../../graphql/relay.js";
import { notFound } from "../../errors.js";
import { Customer } from "../customer/customer.types.js";
import { Document } from "../document/document.types.js";
import { StaffCard, StaffUser } from "../staff/staff.types.js";
import { contractPolicy } from "./contract.policy.js";
import { TRANSITIONS } from "./contract.service.js";
import {
  AcceptOfferInput,
  AppOverview,
  Contract,
  ContractConnection,
  ContractEvent,
  ContractPayload,
  ContractStatus,
  ContractStatusChange,
  ContractsArgs,
  CreateContractInput,
  CreateInsurerInput,
  CreateRiskInput,
  Insurer,
  InsurerPayload,
  Risk,
  RiskPayload,
  UpdateContractInput,
} from "./contract.types.js";

@Resolver(() => Contract)
export class ContractResolver {
  @Authorized("STAFF", "APP")
  @Query(() => ContractConnection, {
    description:
      "Staff: the firm's contracts, filtered, sorted (`orderBy`) and searched by contract number. App accounts: the visible contracts of the customers they may access, open offers first, then newest first.",
  })
  contracts(@Args(() => ContractsArgs) args: ContractsArgs, @Ctx() ctx: Context) {
    return ctx.services.contract.list(ctx.viewer, args);
  }

  @Authorized("STAFF", "APP")
  @Query(() => Contract, { description: "One contract the viewer may see; any other id gives NOT_FOUND, exactly like a missing one." })
  async contract(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Contract> {
    const found = await ctx.loaders.contract.load(decodeId(id, "Contract", "id"));
    if (!found) throw notFound("Contract");
    return found;
  }

  @Authorized("STAFF", "APP")
  @Query(() => [Insurer], { description: "The firm's insurers (Gesellschaften) by name: the common German ones and those the firm added." })
  insurers(@Ctx() ctx: Context) {
    return ctx.services.contract.insurers(ctx.viewer);
  }

  @Authorized("APP")
  @Query(() => AppOverview, { description: "The customer app's start screen: the broker's card and the key figures, each leading to its list." })
  overview(@Ctx() ctx: Context) {
    return ctx.services.contract.overview(ctx.viewer);
  }

  @Authorized("STAFF", "APP")
  @Mutation(() => ContractPayload, {
    description:
      "Staff add any contract, or an offer (status ANGEBOT: visible to the customer at once, optionally with its PDF). App accounts add a contract the broker does not know yet, with as little as insurer and contract number (and optionally a photo or PDF of the policy): it starts as START, is visible, and the responsible staff are notified.",
  })
  createContract(@Arg("input", () => CreateContractInput) input: CreateContractInput, @Ctx() ctx: Context) {
    return ctx.services.contract.create(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => ContractPayload, {
    description:
      "Staff correct and enrich a contract and move it to another status (only moves in `allowedNextStatuses`; BAD_USER_INPUT with rule TRANSITION otherwise). Every status change is recorded in `statusHistory`.",
  })
  updateContract(@Arg("input", () => UpdateContractInput) input: UpdateContractInput, @Ctx() ctx: Context) {
    return ctx.services.contract.update(ctx.viewer, input);
  }

  @Authorized("APP")
  @Mutation(() => ContractPayload, {
    description:
      "The customer accepts an open offer: `acceptedAt` is recorded and a message in the customer's chat (opened if needed) tells the office, which is notified like for any customer message. CONFLICT (rule OFFER_ACCEPTED) if accepted before, CONFLICT (rule OFFER_OPEN) if it is no longer an open offer.",
  })
  acceptOffer(@Arg("input", () => AcceptOfferInput) input: AcceptOfferInput, @Ctx() ctx: Context) {
    return ctx.services.flows.offers.accept(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => InsurerPayload, { description: "Admins add an insurer to the firm's list; CONFLICT if the name (ignoring case) is there already." })
  createInsurer(@Arg("input", () => CreateInsurerInput) input: CreateInsurerInput, @Ctx() ctx: Context) {
    return ctx.services.contract.createInsurer(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => RiskPayload, { description: "Staff record a risk of a customer (a vehicle, a building, a person, or anything else) for its contracts to cover." })
  createRisk(@Arg("input", () => CreateRiskInput) input: CreateRiskInput, @Ctx() ctx: Context) {
    return ctx.services.contract.createRisk(ctx.viewer, input);
  }

  @Authorized("STAFF", "APP")
  @Subscription(() => ContractEvent, {
    description:
      "Contracts as they change. The app hears at once when one of its visible contracts is created, changed or becomes an offer (a contract it can no longer see is never sent); staff hear of every change in the firm, those made in the app included. With `after:` it first replays what was missed.",
    subscribe: ({ args, context }) => (context as Context).services.contract.subscribe((context as Context).viewer, args.after as string | undefined),
  })
  contractChanged(
    @Root() event: LiveEvent<Contract>,
    @Ctx() ctx: Context,
    @Arg("after", () => String, { nullable: true, description: "The cursor of the last event received; what came after it is sent first." }) _after?: string,
  ): ContractEvent {
    return { cursor: event.cursor, contract: adopt(ctx, event) };
  }

  @FieldResolver(() => Customer)
  async customer(@Root() c: Contract, @Ctx() ctx: Context): Promise<Customer> {
    return (await ctx.loaders.customer.load(c.customerId))!;
  }

  @FieldResolver(() => Insurer)
  insurer(@Root() c: Contract, @Ctx() ctx: Context): Insurer | Promise<Insurer> {
    // From the list's page when it came with it: no promise per contract (issue 14).
    return c.insurerLoaded ?? ctx.loaders.insurer.load(c.insurerId).then((found) => found!);
  }

  @FieldResolver(() => Risk, { nullable: true, description: "The insured risk, if the contract names one." })
  risk(@Root() c: Contract, @Ctx() ctx: Context): Promise<Risk | null> | null {
    return c.riskId ? ctx.loaders.risk.load(c.riskId) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: "Internal notes: staff only (always null for app accounts)." })
  notes(@Root() c: Contract, @Ctx() ctx: Context): string | null {
    return contractPolicy.can(ctx.viewer, "readInternal") ? c.notesText : null;
  }

  @FieldResolver(() => [StaffUser], { description: "The contract's own responsible staff, first one first. Staff only (empty for app accounts)." })
  async responsibleStaff(@Root() c: Contract, @Ctx() ctx: Context): Promise<StaffUser[]> {
    const ids = await ctx.loaders.contractResponsibleStaffIds.load(c.dbId);
    const users = await ctx.loaders.staffUser.loadMany(ids);
    return users.filter((u): u is StaffUser => u instanceof StaffUser);
  }

  @FieldResolver(() => [Document], { description: "Documents filed at this contract, newest first (for app accounts only the released ones)." })
  documents(@Root() c: Contract, @Ctx() ctx: Context): Promise<Document[]> {
    return ctx.loaders.documentsOfContract.load(c.dbId);
  }

  @FieldResolver(() => [ContractStatusChange], { description: "Every status the contract went through, oldest first, beginning with the one it was created in." })
  statusHistory(@Root() c: Contract, @Ctx() ctx: Context): Promise<ContractStatusChange[]> {
    return ctx.loaders.contractHistory.load(c.dbId);
  }

  @FieldResolver(() => [ContractStatus], { description: "The statuses staff may move this contract to now (empty for app accounts)." })
  allowedNextStatuses(@Root() c: Contract, @Ctx() ctx: Context): ContractStatus[] {
    return contractPolicy.can(ctx.viewer, "update") ? (TRANSITIONS[c.status] as ContractStatus[]) : [];
  }

  @FieldResolver(() => Boolean, { description: "Whether the viewer may accept this offer now: an app account, an open offer, not yet accepted." })
  viewerCanAccept(@Root() c: Contract, @Ctx() ctx: Context): boolean {
    return contractPolicy.can(ctx.viewer, "answerOffer") && c.status === ContractStatus.ANGEBOT && !c.acceptedAt;
  }
}

@Resolver(() => ContractStatusChange)
export class ContractStatusChangeResolver {
  @FieldResolver(() => StaffCard, { nullable: true, description: "The staff user who made the change (as a public card); null when the customer made it." })
  changedByStaff(@Root() change: ContractStatusChange, @Ctx() ctx: Context): Promise<StaffCard | null> | null {
    return change.changedByStaffId ? ctx.loaders.staffCard.load(change.changedByStaffId) : null;
  }
}

/** The contract module's fields on Customer: its contracts and risks (staff and app alike, scoped). */
@Resolver(() => Customer)
export class CustomerContractsResolver {
  @FieldResolver(() => [Contract], { description: "The customer's contracts the viewer may see: open offers first, then newest first." })
  contracts(@Root() customer: Customer, @Ctx() ctx: Context): Promise<Contract[]> {
    return ctx.loaders.contractsOfCustomer.load(customer.dbId);
  }

  @FieldResolver(() => [Risk], { description: "The customer's insured risks (vehicles, buildings, persons), oldest first." })
  risks(@Root() customer: Customer, @Ctx() ctx: Context): Promise<Risk[]> {
    return ctx.loaders.risksOfCustomer.load(customer.dbId);
  }
}
