import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsBoolean, IsOptional, Length, Matches, MaxLength } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { EmailAddress } from "../../graphql/scalars.js";
import type { TenantRow } from "./tenant.table.js";

@ObjectType({ description: "The broker's contact card: the customer app's home screen (rule A3)." })
export class BrokerProfile {
  @Field(() => String, { nullable: true })
  name!: string | null;
  @Field(() => String, { nullable: true })
  phone!: string | null;
  @Field(() => String, { nullable: true, description: "Street and house number." })
  street!: string | null;
  @Field(() => String, { nullable: true, description: "Five digits." })
  postalCode!: string | null;
  @Field(() => String, { nullable: true })
  city!: string | null;
  @Field(() => String, { description: "Rule A2: the firm's broker ID, which customers type at login." })
  brokerId!: string;

  logoFileId!: string | null;

  static from(row: TenantRow): BrokerProfile {
    return Object.assign(new BrokerProfile(), {
      name: row.profileName,
      phone: row.profilePhone,
      street: row.profileStreet,
      postalCode: row.profilePostalCode,
      city: row.profileCity,
      brokerId: row.brokerId,
      logoFileId: row.profileLogoFileId,
    });
  }
}

@ObjectType({ implements: Node, description: "A broker firm (Maklerbetrieb)." })
export class Tenant extends Node {
  @Field(() => String)
  name!: string;
  @Field(() => String, { description: "Rule A2: short public ID, case-insensitive, without 0/O/1/I/L." })
  brokerId!: string;
  @Field(() => Boolean, { description: "Rule A1: the broker UI shows its Chat menu only while this is true." })
  customerAppEnabled!: boolean;
  @Field(() => BrokerProfile)
  brokerProfile!: BrokerProfile;
  @Field(() => Date)
  createdAt!: Date;

  dbId!: string;

  static from(row: TenantRow): Tenant {
    return Object.assign(new Tenant(), {
      id: toGlobalId("Tenant", row.id),
      dbId: row.id,
      name: row.name,
      brokerId: row.brokerId,
      customerAppEnabled: row.customerAppEnabled,
      brokerProfile: BrokerProfile.from(row),
      createdAt: row.createdAt,
    });
  }
}

@InputType({ description: "All fields of the broker profile at once (the UI's \"Übernehmen\"). Empty strings clear a field." })
export class UpdateBrokerProfileInput {
  @Field(() => String)
  @MaxLength(120)
  name!: string;
  @Field(() => String)
  @MaxLength(40)
  @Matches(/^$|^\+?[0-9][0-9 ()/-]{3,38}$/, { message: "must be a phone number (digits, spaces, + ( ) / -)" })
  phone!: string;
  @Field(() => String)
  @MaxLength(120)
  street!: string;
  @Field(() => String)
  @Matches(/^$|^[0-9]{5}$/, { message: "must be five digits" })
  postalCode!: string;
  @Field(() => String)
  @MaxLength(80)
  city!: string;
  @Field(() => ID, { nullable: true, description: "A LOGO upload (see createUpload) to use as the logo; null removes it; left out keeps it." })
  @IsOptional()
  logoFileId?: string | null;
}

@ObjectType()
export class UpdateBrokerProfilePayload {
  @Field(() => BrokerProfile)
  brokerProfile!: BrokerProfile;
}

@InputType()
export class CreateTenantInput {
  @Field(() => String, { description: "The firm's name." })
  @Length(1, 120)
  name!: string;
  @Field(() => EmailAddress, { description: "Email of the firm's first admin, who receives an invitation." })
  @MaxLength(254)
  adminEmail!: string;
  @Field(() => String)
  @Length(1, 120)
  adminName!: string;
}

@ObjectType()
export class CreateTenantPayload {
  @Field(() => Tenant)
  tenant!: Tenant;
  @Field(() => String, { description: "Single-use link for the first admin to set a password." })
  adminInvitationLink!: string;
}

@InputType()
export class SetCustomerAppEnabledInput {
  @Field(() => ID, { nullable: true, description: "The firm's ID; or give brokerId." })
  @IsOptional()
  tenantId?: string;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(20)
  brokerId?: string;
  @Field(() => Boolean)
  @IsBoolean()
  enabled!: boolean;
}

@ObjectType()
export class SetCustomerAppEnabledPayload {
  @Field(() => Tenant)
  tenant!: Tenant;
}
