import { ArgsType, Field, ID, InputType, ObjectType } from "type-graphql";
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsOptional, MaxLength, ValidateNested } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import { EmailAddress } from "../../graphql/scalars.js";
import { ErrorCode } from "../../errors.js";
import { Customer } from "../customer/customer.types.js";
import type { AppAccountRow } from "./account.table.js";
import { BrokerProfile } from "../tenant/tenant.types.js";
import { AppAccountStatus, DocumentSharing, InviteStatus, LinkPurpose, Salutation } from "./account.enums.js";

export { AppAccountStatus, DocumentSharing, InviteStatus, LinkPurpose, Salutation };


@ObjectType({
  implements: Node,
  description:
    "A customer's login to the customer app (email and password, with the firm's broker ID). Staff of the firm may read every one; an app account only its own.",
})
export class AppAccount extends Node {
  @Field(() => EmailAddress, { description: "The login email, where invitations and password resets go." })
  email!: string;
  @Field(() => AppAccountStatus)
  status!: AppAccountStatus;
  @Field(() => Salutation, { description: "How the mails address the customer." })
  salutation!: Salutation;
  @Field(() => Date, { nullable: true, description: "When the latest invitation was sent." })
  invitedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: "When the account became ACTIVE, by registering or by an admin's activation." })
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
  @Field(() => AppAccountStatus, { nullable: true, description: "Only accounts with this status." })
  @IsOptional()
  status?: AppAccountStatus;
  @Field(() => String, {
    nullable: true,
    description:
      "Part of the login email or of the account's customer's name, case-insensitive (at most 100 characters; % and _ match themselves). Blank matches every account.",
  })
  @IsOptional()
  @MaxLength(100)
  search?: string;
}

@InputType()
export class InviteeInput {
  @Field(() => ID, { description: "A customer of the firm; each customer at most once per call." })
  customerId!: string;
  @Field(() => String, {
    nullable: true,
    description:
      "An email to store on the customer and invite, for customers without one. One that differs from the email on record is refused for this customer (EMAIL_MISMATCH) unless `replaceEmail` is true.",
  })
  @IsOptional()
  @MaxLength(254)
  email?: string | null;
  @Field(() => Boolean, { defaultValue: false, description: "Replace the customer's email on record (and a pending login's) with `email`." })
  @IsBoolean()
  replaceEmail!: boolean;
}

@InputType({ description: "An invitation to the customer app for one or many customers (1 to 500); with one customer it is the single invitation." })
export class InviteCustomersInput {
  @Field(() => [InviteeInput], { description: "The customers to invite, 1 to 500." })
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  customers!: InviteeInput[];
  @Field(() => DocumentSharing, { description: "Which of each customer's documents the invitation releases to the app." })
  sharing!: DocumentSharing;
  @Field(() => [ID], { defaultValue: [], description: "With SELECTED_CATEGORIES: the categories to release (preselect with `documentCategories(recommended: true)`)." })
  @ArrayMaxSize(100)
  categoryIds!: string[];
  @Field(() => Salutation, { defaultValue: Salutation.SIE, description: "How the invitation mail (and later mails) address the customer." })
  salutation!: Salutation;
}

@ObjectType({ description: "What happened to one customer of an invitation." })
export class InviteResult {
  @Field(() => ID, { description: "The customer id as given in the input." })
  customerId!: string;
  @Field(() => Customer, { nullable: true, description: "The customer (with an email given in the input stored on it); null with status ERROR." })
  customer!: Customer | null;
  @Field(() => InviteStatus)
  status!: InviteStatus;
  @Field(() => AppAccount, {
    nullable: true,
    description:
      "The customer's login after the invitation; null for MISSING_EMAIL and ERROR. With EMAIL_IN_USE: the other customer's login that uses the email, to offer household access on.",
  })
  appAccount!: AppAccount | null;
  @Field(() => ErrorCode, {
    nullable: true,
    description: "With status ERROR: why, e.g. NOT_FOUND (not a customer of the firm), CONFLICT (a deactivated login), BAD_USER_INPUT.",
  })
  errorCode!: ErrorCode | null;
  @Field(() => String, { nullable: true, description: "With status ERROR, EMAIL_MISMATCH or EMAIL_IN_USE: a readable explanation." })
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
  @Field(() => String, {
    description:
      "At least 8 characters, with a lower-case and an upper-case letter, a digit and a special character, not one of the most common passwords, and not easy to guess (PASSWORD_GUESSABLE: common words and names in English or German, years, keyboard rows or known leaked passwords; checked once the other rules hold). A refused password lists every rule it misses (PASSWORD_* rules).",
  })
  password!: string;
}

@InputType()
export class RequestPasswordResetInput {
  @Field(() => EmailAddress, { description: "The login email." })
  @MaxLength(254)
  email!: string;
  @Field(() => String, { description: "The broker ID of the customer's firm, case-insensitive." })
  @MaxLength(20)
  brokerId!: string;
}

@InputType()
export class ResetPasswordInput {
  @Field(() => String, { description: "The token from the reset link; single-use, valid for one hour." })
  @MaxLength(200)
  token!: string;
  @Field(() => String, { description: "The new password; the same rules as at registration." })
  password!: string;
}

@ObjectType()
export class OkPayload {
  @Field(() => Boolean, { description: "Always true; failures come as errors." })
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

@InputType({ description: "An app account and a further customer of the same firm (e.g. a household member), not the account's own." })
export class CustomerAccessInput {
  @Field(() => ID)
  @MaxLength(200)
  appAccountId!: string;
  @Field(() => ID)
  @MaxLength(200)
  customerId!: string;
}

@ObjectType({ description: "The customers the account may access after a grant or revocation: the app replaces its list with this one." })
export class AccessChangedEvent {
  @Field(() => String, { description: "Opaque: pass it as `after:` when subscribing again, to receive what was missed. Store it as it is; do not parse it." })
  cursor!: string;
  @Field(() => [Customer], { description: "Every customer the account may access now: its own first, then the granted ones by name." })
  customers!: Customer[];
}

@ObjectType({
  description:
    "What a link from a mail is for, read before logging in: the page behind the link (which carries only the token) shows the firm and prefills the form with it.",
})
export class LinkInfo {
  @Field(() => LinkPurpose)
  purpose!: LinkPurpose;
  @Field(() => EmailAddress, { description: "The login email the link was sent to: prefill it." })
  email!: string;
  @Field(() => String, { description: "The firm's broker ID: prefill it in the customer app's login." })
  brokerId!: string;
  @Field(() => String, { description: "The firm's name as its mails sign it: the profile's name, else the firm's." })
  firmName!: string;
  @Field(() => BrokerProfile, { description: "The firm's contact card (`logoUrl` is null here: it needs a session)." })
  brokerProfile!: BrokerProfile;
  @Field(() => Date, { description: "Until when the link can be used (once)." })
  expiresAt!: Date;
}
