import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { notFound } from "../../errors.js";
import { decodeId } from "../../graphql/relay.js";
import { StaffCard, StaffUser } from "../staff/staff.types.js";
import { AppAccount } from "../account/account.types.js";
import { CreateCustomerInput, Customer, CustomerConnection, CustomerPayload, CustomersArgs, SetResponsibleStaffInput, UpdateCustomerInput } from "./customer.types.js";

@Resolver(() => Customer)
export class CustomerResolver {
  @Authorized("STAFF")
  @Query(() => CustomerConnection, {
    description:
      "Staff only: the firm's customers, sorted by last name, then first name. `search` matches part of the name, case-insensitive; the other arguments narrow the list further.",
  })
  customers(@Args(() => CustomersArgs) args: CustomersArgs, @Ctx() ctx: Context) {
    return ctx.services.customer.list(ctx.viewer, args);
  }

  @Authorized("STAFF", "APP")
  @Query(() => Customer, {
    description:
      "One customer. Staff may read any customer of their firm; an app account its own customer and those it was granted. Any other id gives NOT_FOUND, exactly like a missing one.",
  })
  async customer(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Customer> {
    const found = await ctx.loaders.customer.load(decodeId(id, "Customer", "id"));
    if (!found) throw notFound("Customer");
    return found;
  }

  @Authorized("STAFF")
  @Mutation(() => CustomerPayload, {
    description:
      "Staff only: adds a customer to the CRM, optionally with its responsible staff. BAD_USER_INPUT lists every field in error (a deactivated staff user: rule ACTIVE_STAFF, naming the list entry); NOT_FOUND for a staff user id that is not the firm's.",
  })
  createCustomer(@Arg("input", () => CreateCustomerInput) input: CreateCustomerInput, @Ctx() ctx: Context) {
    return ctx.services.customer.create(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => CustomerPayload, {
    description: "Staff only: changes a customer's personal and contact details. Fields left out stay as they are; null clears an optional one.",
  })
  updateCustomer(@Arg("input", () => UpdateCustomerInput) input: UpdateCustomerInput, @Ctx() ctx: Context) {
    return ctx.services.customer.update(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => CustomerPayload, {
    description:
      "Staff only: replaces the customer's responsible staff with this ordered list. The order matters: when the customer's chat opens, its operator is the first of them with the CHAT permission. A deactivated staff user is refused (BAD_USER_INPUT, rule ACTIVE_STAFF, naming the list entry) and nothing changes; NOT_FOUND for a staff user id that is not the firm's.",
  })
  setResponsibleStaff(@Arg("input", () => SetResponsibleStaffInput) input: SetResponsibleStaffInput, @Ctx() ctx: Context) {
    return ctx.services.customer.setResponsibleStaff(ctx.viewer, input);
  }

  @FieldResolver(() => AppAccount, { nullable: true, description: "The customer's app login, if any (staff; an app account sees only its own)." })
  appAccount(@Root() customer: Customer, @Ctx() ctx: Context): Promise<AppAccount | null> {
    return ctx.loaders.appAccountOfCustomer.load(customer.dbId);
  }

  @FieldResolver(() => [StaffCard], {
    description:
      "The customer's contact persons at the firm (the responsible staff, first one first, inactive ones left out) as public cards: readable by staff and by the customer's app.",
  })
  async contactPersons(@Root() customer: Customer, @Ctx() ctx: Context): Promise<StaffCard[]> {
    const ids = await ctx.loaders.responsibleStaffIds.load(customer.dbId);
    const cards = await ctx.loaders.staffCard.loadMany(ids);
    return cards.filter((c): c is StaffCard => c instanceof StaffCard && c.active);
  }

  @FieldResolver(() => [StaffUser], {
    description:
      "The staff users responsible for the customer, first one first. Deactivated ones stay in the list (their `status` is DEACTIVATED) so the office sees whom to replace; they are never notified, and `setResponsibleStaff` refuses a list that names them. Shown to staff only; always empty for app accounts.",
  })
  async responsibleStaff(@Root() customer: Customer, @Ctx() ctx: Context): Promise<StaffUser[]> {
    if (ctx.viewer.kind !== "staff") return [];
    const ids = await ctx.loaders.responsibleStaffIds.load(customer.dbId);
    const users = await ctx.loaders.staffUser.loadMany(ids);
    return users.filter((u): u is StaffUser => u instanceof StaffUser);
  }
}
