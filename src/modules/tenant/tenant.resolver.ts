import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { tenantPolicy } from "./tenant.policy.js";
import { staffPolicy } from "../staff/staff.policy.js";
import { accountPolicy } from "../account/account.policy.js";
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
  @FieldResolver(() => Boolean, { description: "Whether the viewer may edit the broker profile (admins only): hide the edit form otherwise." })
  viewerCanEditBrokerProfile(@Ctx() ctx: Context): boolean {
    return tenantPolicy.can(ctx.viewer, "updateBrokerProfile");
  }

  @FieldResolver(() => Boolean, { description: "Whether the viewer may invite and manage staff users (admins only): hide those controls otherwise." })
  viewerCanManageStaff(@Ctx() ctx: Context): boolean {
    return staffPolicy.can(ctx.viewer, "manage");
  }

  @FieldResolver(() => Boolean, { description: "Whether the viewer may list, activate, deactivate, reactivate and delete app accounts (admins only)." })
  viewerCanManageAppAccounts(@Ctx() ctx: Context): boolean {
    return accountPolicy.can(ctx.viewer, "manage");
  }

  @Authorized("STAFF", "APP")
  @Query(() => Tenant, { description: "The viewer's own firm; for staff and app accounts." })
  tenant(@Ctx() ctx: Context): Promise<Tenant> {
    return ctx.services.tenant.current(ctx.viewer);
  }

  @Authorized("STAFF", "APP")
  @Query(() => BrokerProfile, { description: "The firm's contact card: readable by all its staff and app accounts (the customer app's home screen)." })
  brokerProfile(@Ctx() ctx: Context): Promise<BrokerProfile> {
    return ctx.services.tenant.brokerProfile(ctx.viewer);
  }

  @Authorized("STAFF")
  @Mutation(() => UpdateBrokerProfilePayload, {
    description:
      "Admins only (others get FORBIDDEN): saves every field of the broker profile at once, as the UI's \"Übernehmen\" does. A replaced logo is deleted. BAD_USER_INPUT names each field that breaks its format.",
  })
  updateBrokerProfile(@Arg("input", () => UpdateBrokerProfileInput) input: UpdateBrokerProfileInput, @Ctx() ctx: Context) {
    return ctx.services.tenant.updateBrokerProfile(ctx.viewer, input);
  }

  @Authorized("OPERATOR")
  @Mutation(() => CreateTenantPayload, { description: "Platform operator only: creates a firm with a fresh broker ID and invites its first admin by email. CONFLICT if a staff user already has that email." })
  createTenant(@Arg("input", () => CreateTenantInput) input: CreateTenantInput, @Ctx() ctx: Context) {
    return ctx.services.tenant.create(ctx.viewer, input);
  }

  @Authorized("OPERATOR")
  @Mutation(() => SetCustomerAppEnabledPayload, {
    description:
      "Platform operator only: turns a firm's customer app on or off. Switching it off ends the firm's app sessions at once; staff keep working. NOT_FOUND for an unknown firm.",
  })
  setCustomerAppEnabled(@Arg("input", () => SetCustomerAppEnabledInput) input: SetCustomerAppEnabledInput, @Ctx() ctx: Context) {
    return ctx.services.tenant.setCustomerAppEnabled(ctx.viewer, input);
  }
}

@Resolver(() => BrokerProfile)
export class BrokerProfileResolver {
  @FieldResolver(() => String, { nullable: true, description: "A signed URL of the logo image, valid for 5 minutes and only for this session; null without a logo." })
  logoUrl(@Root() profile: BrokerProfile, @Ctx() ctx: Context): string | null {
    return profile.logoFileId ? ctx.services.file.downloadUrl(profile.logoFileId, ctx.baseUrl, ctx.viewer) : null;
  }
}
