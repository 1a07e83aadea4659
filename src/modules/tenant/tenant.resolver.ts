import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { can } from "../../auth/policies.js";
import {
  BrokerProfile,
  CreateTenantInput,
  CreateTenantPayload,
  SetCustomerAppEnabledInput,
  SetCustomerAppEnabledPayload,
  Tenant,
  UpdateBrokerProfileInput,
  UpdateBrokerProfilePayload,
} from "./tenant.types.js";

@Resolver(() => Tenant)
export class TenantResolver {
  @FieldResolver(() => Boolean, { description: "Whether the viewer may edit the broker profile (admins, rule A3): hide the form otherwise." })
  viewerCanEditBrokerProfile(@Ctx() ctx: Context): boolean {
    return can(ctx.viewer, "brokerProfile:update");
  }

  @FieldResolver(() => Boolean, { description: "Whether the viewer may invite and manage staff users (admins, rule B1)." })
  viewerCanManageStaff(@Ctx() ctx: Context): boolean {
    return can(ctx.viewer, "staff:manage");
  }

  @FieldResolver(() => Boolean, { description: "Whether the viewer may list, activate, deactivate and delete app accounts (admins, rules D3, D5)." })
  viewerCanManageAppAccounts(@Ctx() ctx: Context): boolean {
    return can(ctx.viewer, "appAccount:manage");
  }

  @Authorized("STAFF", "APP")
  @Query(() => Tenant, { description: "The viewer's firm." })
  tenant(@Ctx() ctx: Context): Promise<Tenant> {
    return ctx.services.tenant.current(ctx.viewer);
  }

  @Authorized("STAFF", "APP")
  @Query(() => BrokerProfile, { description: "Rule A3: the firm's profile, readable by all its members." })
  brokerProfile(@Ctx() ctx: Context): Promise<BrokerProfile> {
    return ctx.services.tenant.brokerProfile(ctx.viewer);
  }

  @Authorized("STAFF")
  @Mutation(() => UpdateBrokerProfilePayload, { description: "Rule A3 (admins): saves every field at once." })
  updateBrokerProfile(@Arg("input", () => UpdateBrokerProfileInput) input: UpdateBrokerProfileInput, @Ctx() ctx: Context) {
    return ctx.services.tenant.updateBrokerProfile(ctx.viewer, input);
  }

  @Authorized("OPERATOR")
  @Mutation(() => CreateTenantPayload, { description: "Operator only: creates a firm and invites its first admin." })
  createTenant(@Arg("input", () => CreateTenantInput) input: CreateTenantInput, @Ctx() ctx: Context) {
    return ctx.services.tenant.create(ctx.viewer, input);
  }

  @Authorized("OPERATOR")
  @Mutation(() => SetCustomerAppEnabledPayload, { description: "Rule A1, operator only: turns a firm's customer app on or off." })
  setCustomerAppEnabled(@Arg("input", () => SetCustomerAppEnabledInput) input: SetCustomerAppEnabledInput, @Ctx() ctx: Context) {
    return ctx.services.tenant.setCustomerAppEnabled(ctx.viewer, input);
  }
}

@Resolver(() => BrokerProfile)
export class BrokerProfileResolver {
  @FieldResolver(() => String, { nullable: true, description: "Rule A3: a short-lived URL of the logo image." })
  logoUrl(@Root() profile: BrokerProfile, @Ctx() ctx: Context): string | null {
    return profile.logoFileId ? ctx.services.file.downloadUrl(profile.logoFileId, ctx.baseUrl, ctx.viewer) : null;
  }
}
