import { Field, InputType, ObjectType, registerEnumType } from "type-graphql";
import { IsOptional, MaxLength } from "class-validator";
import { EmailAddress } from "../../graphql/scalars.js";
import { Tenant } from "../tenant/tenant.types.js";
import { StaffSettings, StaffUser } from "../staff/staff.types.js";
import { AppAccount } from "../account/account.types.js";
import { Customer } from "../customer/customer.types.js";

export enum ViewerKind {
  STAFF = "STAFF",
  APP_ACCOUNT = "APP_ACCOUNT",
}
registerEnumType(ViewerKind, {
  name: "ViewerKind",
  description: "Which kind of user is logged in.",
  valuesConfig: {
    STAFF: { description: "A staff user of the broker firm (broker web app)." },
    APP_ACCOUNT: { description: "A customer's app account (customer app)." },
  },
});

@ObjectType({ description: "Who is logged in with the token of this request." })
export class ViewerInfo {
  @Field(() => ViewerKind)
  kind!: ViewerKind;
  @Field(() => Tenant, { description: "The firm the viewer belongs to." })
  tenant!: Tenant;
  @Field(() => StaffUser, { nullable: true, description: "Set when a staff user is logged in." })
  staffUser!: StaffUser | null;
  @Field(() => StaffSettings, { nullable: true, description: "The staff user's own settings; null for app accounts." })
  settings!: StaffSettings | null;
  @Field(() => AppAccount, { nullable: true, description: "Set when a customer's app account is logged in." })
  appAccount!: AppAccount | null;
  @Field(() => [Customer], {
    description:
      "App accounts: the customers it may access now, its own first, then granted ones by name (the app's customer switcher). Staff: empty.",
  })
  customers!: Customer[];
}

@InputType()
export class LoginInput {
  @Field(() => EmailAddress)
  @MaxLength(254)
  email!: string;
  @Field(() => String)
  @MaxLength(200)
  password!: string;
  @Field(() => String, { nullable: true, description: "App accounts log in with their broker's ID (case-insensitive); staff leave it out." })
  @IsOptional()
  @MaxLength(20)
  brokerId?: string;
}

@ObjectType()
export class LoginPayload {
  @Field(() => String, { description: "Bearer token for HTTP (`Authorization: Bearer …`) and WebSocket (`connectionParams.authorization`)." })
  token!: string;
  @Field(() => Date, { description: "When the session ends at the latest; it also ends earlier after a long idle time, a logout or a deactivation." })
  expiresAt!: Date;
  @Field(() => ViewerInfo, { description: "Who is now logged in, as `viewer` would answer." })
  viewer!: ViewerInfo;
}

@ObjectType()
export class LogoutPayload {
  @Field(() => Boolean, { description: "Always true." })
  ok!: boolean;
}
