import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsBoolean, IsOptional, Length, Matches, MaxLength } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { EmailAddress } from "../../graphql/scalars.js";
import type { TenantRow } from "./tenant.table.js";

@ObjectType({
  description:
    "The broker firm's contact card, shown on the customer app's home screen. Every member of the firm (staff and app accounts) may read it; admins change it with `updateBrokerProfile`. A field never filled in is null.",
})
export class BrokerProfile {
  @Field(() => String, { nullable: true, description: "The firm's name as customers see it." })
  name!: string | null;
  @Field(() => String, { nullable: true, description: "Phone number as entered (digits, spaces, + ( ) / -)." })
  phone!: string | null;
  @Field(() => String, { nullable: true, description: "Street and house number." })
  street!: string | null;
  @Field(() => String, { nullable: true, description: "German postal code: five digits." })
  postalCode!: string | null;
  @Field(() => String, { nullable: true })
  city!: string | null;
  @Field(() => String, { description: "The firm's broker ID (e.g. K7Q2XM), which customers type at login: show it next to the contact details." })
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

@ObjectType({
  implements: Node,
  description: "A broker firm (Maklerbetrieb). Everything in the API belongs to exactly one firm, and a viewer only ever sees their own.",
})
export class Tenant extends Node {
  @Field(() => String, { description: "The firm's name as the platform operator created it; customers see `brokerProfile.name`." })
  name!: string;
  @Field(() => String, {
    description:
      "The firm's short public ID (six characters, e.g. K7Q2XM) that customers type at login. Case-insensitive, and free of 0, O, 1, I and L so that it can be read out and typed without mistakes.",
  })
  brokerId!: string;
  @Field(() => Boolean, {
    description:
      "Whether the platform operator has switched the firm's customer app on. While false, app accounts can neither log in nor be invited, and the broker UI hides its Chat menu.",
  })
  customerAppEnabled!: boolean;
  @Field(() => BrokerProfile, { description: "The firm's contact card, as the customer app shows it." })
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
  @Field(() => String, { description: "At most 120 characters." })
  @MaxLength(120)
  name!: string;
  @Field(() => String, { description: "Digits, spaces and + ( ) / -, at most 40 characters." })
  @MaxLength(40)
  @Matches(/^$|^\+?[0-9][0-9 ()/-]{3,38}$/, { message: "must be a phone number (digits, spaces, + ( ) / -)" })
  phone!: string;
  @Field(() => String)
  @MaxLength(120)
  street!: string;
  @Field(() => String, { description: "Five digits, or empty." })
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
  @Field(() => String, { description: "The first admin's name." })
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

@InputType({ description: "Which firm (by `tenantId` or by `brokerId`), and whether its customer app is on." })
export class SetCustomerAppEnabledInput {
  @Field(() => ID, { nullable: true, description: "The firm's ID; or give brokerId." })
  @IsOptional()
  tenantId?: string;
  @Field(() => String, { nullable: true, description: "The firm's broker ID, case-insensitive; or give tenantId." })
  @IsOptional()
  @MaxLength(20)
  brokerId?: string;
  @Field(() => Boolean, { description: "true switches the app on; false switches it off and ends the firm's running app sessions at once." })
  @IsBoolean()
  enabled!: boolean;
}

@ObjectType()
export class SetCustomerAppEnabledPayload {
  @Field(() => Tenant)
  tenant!: Tenant;
}
