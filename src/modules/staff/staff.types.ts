import { ArgsType, Field, ID, InputType, ObjectType } from "type-graphql";
import { ArrayMaxSize, IsOptional, Length, MaxLength } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import { EmailAddress } from "../../graphql/scalars.js";
import { StaffRole, StaffPermission, StaffStatus } from "./staff.enums.js";
export { StaffRole, StaffPermission, StaffStatus };
import type { StaffUserRow } from "./staff.table.js";

@ObjectType({ implements: Node, description: "A user of a broker firm (Mitarbeiter), who works in the broker web app." })
export class StaffUser extends Node {
  @Field(() => EmailAddress, { description: "The login email; unique across all firms." })
  email!: string;
  @Field(() => String)
  name!: string;
  @Field(() => StaffRole)
  role!: StaffRole;
  @Field(() => [StaffPermission], { description: "Permissions on top of the role; each at most once." })
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

@ObjectType({ description: "A staff user's own settings; only they can read and change them." })
export class StaffSettings {
  @Field(() => Boolean, { description: "Whether a notification still unread 5 minutes after it was made is also emailed (once). On by default." })
  emailNotifications!: boolean;
}

@ArgsType()
export class StaffUsersArgs extends PageArgs {
  @Field(() => StaffStatus, { nullable: true, description: "Only staff users with this status." })
  @IsOptional()
  status?: StaffStatus;
  @Field(() => String, {
    nullable: true,
    description: "Part of the name or the email, case-insensitive (at most 100 characters; % and _ match themselves). Blank matches everyone.",
  })
  @IsOptional()
  @MaxLength(100)
  search?: string;
}

@InputType()
export class InviteStaffUserInput {
  @Field(() => EmailAddress, { description: "Where the invitation goes; no other staff user (of any firm) may have it." })
  @MaxLength(254)
  email!: string;
  @Field(() => String, { description: "1 to 120 characters." })
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
  @Field(() => StaffRole, { nullable: true, description: "The new role; taking it from the firm's last active admin gives CONFLICT." })
  @IsOptional()
  role?: StaffRole;
  @Field(() => [StaffPermission], { nullable: true, description: "The complete new list of permissions (it replaces the old one)." })
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
  @Field(() => Boolean, { nullable: true, description: "Left out keeps the current setting." })
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
  @Field(() => String, { description: "The password in use now; a wrong one is refused with BAD_USER_INPUT." })
  @MaxLength(200)
  currentPassword!: string;
  @Field(() => String, { description: "At least 8 characters, with a lower-case and an upper-case letter, a digit and a special character, and not a common password." })
  newPassword!: string;
}

@ObjectType()
export class ChangeMyPasswordPayload {
  @Field(() => Boolean, { description: "Always true; every other session of the user has ended." })
  ok!: boolean;
}

@InputType()
export class AcceptStaffInvitationInput {
  @Field(() => String, { description: "The token from the invitation link; single-use, valid for 7 days." })
  @MaxLength(200)
  token!: string;
  @Field(() => String, { description: "At least 8 characters, with a lower-case and an upper-case letter, a digit and a special character, and not a common password." })
  password!: string;
}

/**
 * What a customer's app may know of a staff user: the name (a photo later), e.g. to show who answers in the
 * chat or who looks after the customer. Staff see the full StaffUser.
 */
@ObjectType({ description: "The public card of a staff user, as the customer app shows it (the name; never email, role or permissions)." })
export class StaffCard {
  @Field(() => ID, { description: "The staff user's ID (the same as StaffUser.id)." })
  id!: string;
  @Field(() => String)
  name!: string;

  dbId!: string;
  /** Not deactivated (old messages still name a deactivated author; contact lists leave them out). */
  active!: boolean;

  static from(row: { id: string; name: string; status: string }): StaffCard {
    return Object.assign(new StaffCard(), { id: toGlobalId("StaffUser", row.id), dbId: row.id, name: row.name, active: row.status !== "DEACTIVATED" });
  }
}

@InputType()
export class StaffInvitationInput {
  @Field(() => ID, { description: "A staff user of the firm whose invitation is still pending (status INVITED)." })
  @MaxLength(200)
  id!: string;
}

@ObjectType()
export class WithdrawStaffInvitationPayload {
  @Field(() => ID, { description: "The ID of the staff user that was removed with the invitation." })
  withdrawnId!: string;
}

@InputType()
export class RequestStaffPasswordResetInput {
  @Field(() => EmailAddress, { description: "The staff user's login email." })
  @MaxLength(254)
  email!: string;
}

@InputType()
export class ResetStaffPasswordInput {
  @Field(() => String, { description: "The token from the reset link; single-use, valid for one hour." })
  @MaxLength(200)
  token!: string;
  @Field(() => String, { description: "At least 8 characters, with a lower-case and an upper-case letter, a digit and a special character, and not a common password." })
  password!: string;
}
