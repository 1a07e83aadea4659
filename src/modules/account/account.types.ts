import { ArgsType, Field, ID, InputType, ObjectType } from "type-graphql";
import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength, ValidateNested } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import { EmailAddress } from "../../graphql/scalars.js";
import { ErrorCode } from "../../errors.js";
import { Customer } from "../customer/customer.types.js";
import type { AppAccountRow } from "./account.table.js";
import { AppAccountStatus, DocumentSharing, InviteStatus, Salutation } from "./account.enums.js";

export { AppAccountStatus, DocumentSharing, InviteStatus, Salutation };


@ObjectType({ implements: Node, description: "A customer's login to the customer app (rules D1–D9)." })
export class AppAccount extends Node {
  @Field(() => EmailAddress)
  email!: string;
  @Field(() => AppAccountStatus)
  status!: AppAccountStatus;
  @Field(() => Salutation)
  salutation!: Salutation;
  @Field(() => Date, { nullable: true })
  invitedAt!: Date | null;
  @Field(() => Date, { nullable: true })
  activatedAt!: Date | null;
  @Field(() => Boolean, { description: "Whether a password is set (an activated account without one sets it through the password reset)." })
  hasPassword!: boolean;
  @Field(() => Date)
  createdAt!: Date;

  dbId!: string;
  customerId!: string;
  tenantId!: string;

  static from(row: AppAccountRow): AppAccount {
    return Object.assign(new AppAccount(), {
      id: toGlobalId("AppAccount", row.id),
      dbId: row.id,
      customerId: row.customerId,
      tenantId: row.tenantId,
      email: row.email,
      status: row.status as AppAccountStatus,
      salutation: row.salutation as Salutation,
      invitedAt: row.invitedAt,
      activatedAt: row.activatedAt,
      hasPassword: row.passwordHash !== null,
      createdAt: row.createdAt,
    });
  }
}

export const AppAccountConnection = Connection(AppAccount, "AppAccount");

@ArgsType()
export class AppAccountsArgs extends PageArgs {
  @Field(() => AppAccountStatus, { nullable: true })
  @IsOptional()
  status?: AppAccountStatus;
}

@InputType()
export class InviteeInput {
  @Field(() => ID)
  customerId!: string;
  @Field(() => String, { nullable: true, description: "An email to store on the customer and invite, for customers without one." })
  @IsOptional()
  @MaxLength(254)
  email?: string | null;
}

@InputType({ description: "Rule D1: the bulk invitation; one customer makes it the single invitation (D2)." })
export class InviteCustomersInput {
  @Field(() => [InviteeInput])
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  customers!: InviteeInput[];
  @Field(() => DocumentSharing)
  sharing!: DocumentSharing;
  @Field(() => [ID], { defaultValue: [], description: "With SELECTED_CATEGORIES: the categories to release (preselect with `documentCategories(recommended: true)`)." })
  @ArrayMaxSize(100)
  categoryIds!: string[];
  @Field(() => Salutation, { defaultValue: Salutation.SIE })
  salutation!: Salutation;
}

@ObjectType({ description: "What happened to one customer of an invitation." })
export class InviteResult {
  @Field(() => ID)
  customerId!: string;
  @Field(() => Customer, { nullable: true })
  customer!: Customer | null;
  @Field(() => InviteStatus)
  status!: InviteStatus;
  @Field(() => AppAccount, { nullable: true })
  appAccount!: AppAccount | null;
  @Field(() => ErrorCode, { nullable: true, description: "With status ERROR: why." })
  errorCode!: ErrorCode | null;
  @Field(() => String, { nullable: true })
  message!: string | null;
}

@ObjectType()
export class InviteCustomersPayload {
  @Field(() => [InviteResult], { description: "One result per customer, in the order given." })
  results!: InviteResult[];
}

@InputType()
export class RegisterInput {
  @Field(() => EmailAddress, { description: "The invited address." })
  @MaxLength(254)
  email!: string;
  @Field(() => String, { description: "The token from the invitation link." })
  @MaxLength(200)
  token!: string;
  @Field(() => String, { description: "Rule D4: at least 8 characters, a lower-case and an upper-case letter, a digit and a special character." })
  password!: string;
}

@InputType()
export class RequestPasswordResetInput {
  @Field(() => EmailAddress)
  @MaxLength(254)
  email!: string;
  @Field(() => String)
  @MaxLength(20)
  brokerId!: string;
}

@InputType()
export class ResetPasswordInput {
  @Field(() => String)
  @MaxLength(200)
  token!: string;
  @Field(() => String)
  password!: string;
}

@ObjectType()
export class OkPayload {
  @Field(() => Boolean)
  ok!: boolean;
}

@InputType()
export class AppAccountIdInput {
  @Field(() => ID)
  @MaxLength(200)
  id!: string;
}

@ObjectType()
export class AppAccountPayload {
  @Field(() => AppAccount)
  appAccount!: AppAccount;
}

@InputType({ description: "Rule D9: an app account and a further customer of the same firm." })
export class CustomerAccessInput {
  @Field(() => ID)
  @MaxLength(200)
  appAccountId!: string;
  @Field(() => ID)
  @MaxLength(200)
  customerId!: string;
}

@ObjectType({ description: "Rule D9: the customers the account may now access." })
export class AccessChangedEvent {
  @Field(() => String)
  cursor!: string;
  @Field(() => [Customer])
  customers!: Customer[];
}
