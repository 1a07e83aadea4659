import { ArgsType, Field, ID, InputType, ObjectType } from "type-graphql";
import { ArrayMaxSize, IsOptional, Length, Matches, MaxLength } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import { DateScalar, EmailAddress } from "../../graphql/scalars.js";
import type { CustomerRow } from "./customer.table.js";
import { AppAccountStatus } from "../account/account.enums.js";

@ObjectType({
  implements: Node,
  description:
    "A person in the broker's CRM. Staff see every customer of their firm; an app account sees its own customer and those it was granted access to (a household), nothing else.",
})
export class Customer extends Node {
  @Field(() => String)
  firstName!: string;
  @Field(() => String)
  lastName!: string;
  @Field(() => String, { description: "First and last name." })
  name!: string;
  @Field(() => DateScalar, { nullable: true })
  birthDate!: string | null;
  @Field(() => EmailAddress, { nullable: true })
  email!: string | null;
  @Field(() => String, { nullable: true })
  phone!: string | null;
  @Field(() => String, { nullable: true })
  street!: string | null;
  @Field(() => String, { nullable: true })
  postalCode!: string | null;
  @Field(() => String, { nullable: true })
  city!: string | null;
  @Field(() => Date, { description: "When the customer was created in the CRM." })
  createdAt!: Date;

  dbId!: string;
  tenantId!: string;

  static from(row: CustomerRow): Customer {
    return Object.assign(new Customer(), {
      id: toGlobalId("Customer", row.id),
      dbId: row.id,
      tenantId: row.tenantId,
      firstName: row.firstName,
      lastName: row.lastName,
      name: `${row.firstName} ${row.lastName}`.trim(),
      birthDate: row.birthDate,
      email: row.email,
      phone: row.phone,
      street: row.street,
      postalCode: row.postalCode,
      city: row.city,
      createdAt: row.createdAt,
    });
  }
}

export const CustomerConnection = Connection(Customer, "Customer");

@ArgsType()
export class CustomersArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Part of the name, case-insensitive." })
  @IsOptional()
  @MaxLength(100)
  search?: string;
  @Field(() => Boolean, { nullable: true, description: "Only customers with (true) or without (false) an email address." })
  @IsOptional()
  hasEmail?: boolean;
  @Field(() => AppAccountStatus, {
    nullable: true,
    description: "Only customers whose app login has this status (ACTIVE: those staff can start a chat with).",
  })
  @IsOptional()
  appAccountStatus?: AppAccountStatus;
  @Field(() => Boolean, { nullable: true, description: "Only customers with (true) or without (false) an app login, e.g. to invite the rest." })
  @IsOptional()
  hasAppAccount?: boolean;
  @Field(() => ID, { nullable: true, description: "Only customers this staff user is responsible for." })
  @IsOptional()
  responsibleStaffId?: string;
}

const PHONE = /^$|^\+?[0-9][0-9 ()/-]{3,38}$/;

/** The contact fields create and update share; in an update, left out keeps and null clears. */
@InputType("CustomerContactFields")
abstract class CustomerContactFields {
  @Field(() => DateScalar, { nullable: true, description: "Not in the future, and not before 1900-01-01." })
  @IsOptional()
  birthDate?: string | null;
  @Field(() => EmailAddress, { nullable: true })
  @IsOptional()
  @MaxLength(254)
  email?: string | null;
  @Field(() => String, { nullable: true, description: "Digits, spaces and + ( ) / -." })
  @IsOptional()
  @Matches(PHONE, { message: "must be a phone number (digits, spaces, + ( ) / -)" })
  phone?: string | null;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(120)
  street?: string | null;
  @Field(() => String, { nullable: true, description: "Five digits." })
  @IsOptional()
  @Matches(/^$|^[0-9]{5}$/, { message: "must be five digits" })
  postalCode?: string | null;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(80)
  city?: string | null;
}

@InputType()
export class CreateCustomerInput extends CustomerContactFields {
  @Field(() => String)
  @Length(1, 100)
  firstName!: string;
  @Field(() => String)
  @Length(1, 100)
  lastName!: string;
  @Field(() => [ID], { nullable: true, description: "Responsible staff users, in order (see `setResponsibleStaff`); at most 20, none of them deactivated." })
  @IsOptional()
  @ArrayMaxSize(20)
  responsibleStaffIds?: string[];
}

@InputType({ description: "Fields left out stay as they are; null clears an optional field." })
export class UpdateCustomerInput extends CustomerContactFields {
  @Field(() => ID)
  id!: string;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  firstName?: string;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  lastName?: string;
}

@InputType({ description: "The customer and its complete new list of responsible staff users." })
export class SetResponsibleStaffInput {
  @Field(() => ID)
  customerId!: string;
  @Field(() => [ID], { description: "The staff users, first one first, each at most once (at most 20), none of them deactivated; an empty list clears them." })
  @ArrayMaxSize(20)
  staffUserIds!: string[];
}

@ObjectType()
export class CustomerPayload {
  @Field(() => Customer)
  customer!: Customer;
}
