import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { notFound } from "../../errors.js";
import { decodeId } from "../../graphql/relay.js";
import { StaffUser } from "../staff/staff.types.js";
import { AppAccount } from "../account/account.types.js";
import { CreateCustomerInput, Customer, CustomerConnection, CustomerPayload, CustomersArgs, SetResponsibleStaffInput, UpdateCustomerInput } from "./customer.types.js";

@Resolver(() => Customer)
export class CustomerResolver {
  @Authorized("STAFF")
  @Query(() => CustomerConnection, { description: "Rule C1: the firm's customers by name, searchable (case-insensitive, partial)." })
  customers(@Args(() => CustomersArgs) args: CustomersArgs, @Ctx() ctx: Context) {
    return ctx.services.customer.list(ctx.viewer, args);
  }

  @Authorized("STAFF", "APP")
  @Query(() => Customer, { description: "A customer: staff see the firm's, app accounts their own and granted ones (rule C3)." })
  async customer(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Customer> {
    const found = await ctx.loaders.customer.load(decodeId(id, "Customer", "id"));
    if (!found) throw notFound("Customer");
    return found;
  }

  @Authorized("STAFF")
  @Mutation(() => CustomerPayload, { description: "Rule C1." })
  createCustomer(@Arg("input", () => CreateCustomerInput) input: CreateCustomerInput, @Ctx() ctx: Context) {
    return ctx.services.customer.create(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => CustomerPayload, { description: "Rule C1." })
  updateCustomer(@Arg("input", () => UpdateCustomerInput) input: UpdateCustomerInput, @Ctx() ctx: Context) {
    return ctx.services.customer.update(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => CustomerPayload, { description: "Rule C1: the ordered responsible staff (first = chat operator, rule F2)." })
  setResponsibleStaff(@Arg("input", () => SetResponsibleStaffInput) input: SetResponsibleStaffInput, @Ctx() ctx: Context) {
    return ctx.services.customer.setResponsibleStaff(ctx.viewer, input);
  }

  @FieldResolver(() => AppAccount, { nullable: true, description: "The customer's app login, if any (staff; an app account sees only its own)." })
  appAccount(@Root() customer: Customer, @Ctx() ctx: Context): Promise<AppAccount | null> {
    return ctx.loaders.appAccountOfCustomer.load(customer.dbId);
  }

  @FieldResolver(() => [StaffUser], { description: "Rule C1: in order. Staff only; empty for app accounts." })
  async responsibleStaff(@Root() customer: Customer, @Ctx() ctx: Context): Promise<StaffUser[]> {
    if (ctx.viewer.kind !== "staff") return [];
    const ids = await ctx.loaders.responsibleStaffIds.load(customer.dbId);
    const users = await ctx.loaders.staffUser.loadMany(ids);
    return users.filter((u): u is StaffUser => u instanceof StaffUser);
  }
}
