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
registerEnumType(ViewerKind, { name: "ViewerKind" });

@ObjectType({ description: "Who is logged in with the token of this request." })
export class ViewerInfo {
  @Field(() => ViewerKind)
  kind!: ViewerKind;
  @Field(() => Tenant)
  tenant!: Tenant;
  @Field(() => StaffUser, { nullable: true, description: "Set when a staff user is logged in." })
  staffUser!: StaffUser | null;
  @Field(() => StaffSettings, { nullable: true, description: "Rule B2: the staff user's own settings." })
  settings!: StaffSettings | null;
  @Field(() => AppAccount, { nullable: true, description: "Set when a customer's app account is logged in." })
  appAccount!: AppAccount | null;
  @Field(() => [Customer], { description: "App accounts: the customers it may access now, its own first (rules C3, D9). Staff: empty." })
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
  @Field(() => String, { nullable: true, description: "Rule D6: app accounts log in with their broker's ID; staff leave it out." })
  @IsOptional()
  @MaxLength(20)
  brokerId?: string;
}

@ObjectType()
export class LoginPayload {
  @Field(() => String, { description: "Bearer token for HTTP (`Authorization: Bearer …`) and WebSocket (`connectionParams.authorization`)." })
  token!: string;
  @Field(() => Date)
  expiresAt!: Date;
  @Field(() => ViewerInfo)
  viewer!: ViewerInfo;
}

@ObjectType()
export class LogoutPayload {
  @Field(() => Boolean)
  ok!: boolean;
}
