import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";
import { ArrayMaxSize, IsOptional, Length, MaxLength } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import { EmailAddress } from "../../graphql/scalars.js";
import type { StaffUserRow } from "./staff.table.js";

export enum StaffRole {
  ADMIN = "ADMIN",
  EMPLOYEE = "EMPLOYEE",
}
export enum StaffPermission {
  CHAT = "CHAT",
  CLAIMS = "CLAIMS",
}
export enum StaffStatus {
  INVITED = "INVITED",
  ACTIVE = "ACTIVE",
  DEACTIVATED = "DEACTIVATED",
}
registerEnumType(StaffRole, { name: "StaffRole" });
registerEnumType(StaffPermission, {
  name: "StaffPermission",
  description: "Rule B1: CHAT makes a user a possible chat operator; CLAIMS lets them work on claims.",
});
registerEnumType(StaffStatus, { name: "StaffStatus" });

@ObjectType({ implements: Node, description: "A user of a broker firm (Mitarbeiter)." })
export class StaffUser extends Node {
  @Field(() => EmailAddress)
  email!: string;
  @Field(() => String)
  name!: string;
  @Field(() => StaffRole)
  role!: StaffRole;
  @Field(() => [StaffPermission])
  permissions!: StaffPermission[];
  @Field(() => StaffStatus)
  status!: StaffStatus;
  @Field(() => Date)
  createdAt!: Date;

  dbId!: string;
  tenantId!: string;
  emailNotifications!: boolean;

  static from(row: StaffUserRow): StaffUser {
    return Object.assign(new StaffUser(), {
      id: toGlobalId("StaffUser", row.id),
      dbId: row.id,
      tenantId: row.tenantId,
      email: row.email,
      name: row.name,
      role: row.role as StaffRole,
      permissions: row.permissions as StaffPermission[],
      status: row.status as StaffStatus,
      createdAt: row.createdAt,
      emailNotifications: row.emailNotifications,
    });
  }
}

export const StaffUserConnection = Connection(StaffUser, "StaffUser");

@ObjectType({ description: "Rule B2: a staff user's own settings." })
export class StaffSettings {
  @Field(() => Boolean, { description: "Email a notification left unread for 5 minutes (rule F4)." })
  emailNotifications!: boolean;
}

@ArgsType()
export class StaffUsersArgs extends PageArgs {
  @Field(() => StaffStatus, { nullable: true })
  @IsOptional()
  status?: StaffStatus;
}

@InputType()
export class InviteStaffUserInput {
  @Field(() => EmailAddress)
  @MaxLength(254)
  email!: string;
  @Field(() => String)
  @Length(1, 120)
  name!: string;
  @Field(() => StaffRole, { defaultValue: StaffRole.EMPLOYEE })
  role!: StaffRole;
  @Field(() => [StaffPermission], { defaultValue: [] })
  @ArrayMaxSize(10)
  permissions!: StaffPermission[];
}

@ObjectType()
export class InviteStaffUserPayload {
  @Field(() => StaffUser)
  staffUser!: StaffUser;
  @Field(() => String, { description: "Single-use link to set a password; valid 7 days." })
  invitationLink!: string;
}

@InputType({ description: "Fields left out stay as they are." })
export class UpdateStaffUserInput {
  @Field(() => ID)
  id!: string;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 120)
  name?: string;
  @Field(() => StaffRole, { nullable: true })
  @IsOptional()
  role?: StaffRole;
  @Field(() => [StaffPermission], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  permissions?: StaffPermission[];
  @Field(() => Boolean, { nullable: true, description: "false deactivates (ending all sessions at once), true reactivates." })
  @IsOptional()
  active?: boolean;
}

@ObjectType()
export class UpdateStaffUserPayload {
  @Field(() => StaffUser)
  staffUser!: StaffUser;
}

@InputType()
export class UpdateMySettingsInput {
  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  emailNotifications?: boolean;
}

@ObjectType()
export class UpdateMySettingsPayload {
  @Field(() => StaffSettings)
  settings!: StaffSettings;
}

@InputType()
export class ChangeMyPasswordInput {
  @Field(() => String)
  @MaxLength(200)
  currentPassword!: string;
  @Field(() => String)
  newPassword!: string;
}

@ObjectType()
export class ChangeMyPasswordPayload {
  @Field(() => Boolean, { description: "Always true; every other session of the user has ended." })
  ok!: boolean;
}

@InputType()
export class AcceptStaffInvitationInput {
  @Field(() => String)
  @MaxLength(200)
  token!: string;
  @Field(() => String)
  password!: string;
}
