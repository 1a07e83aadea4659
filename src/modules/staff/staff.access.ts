/** Who may call the staff module's operations, and what of another firm they must not reach (run by src/test/isolation.test.ts). */
import { eq } from "drizzle-orm";
import {
  ChangeMyPasswordDocument,
  InviteStaffUserDocument,
  NodeDocument,
  ResendStaffInvitationDocument,
  StaffUsersCountDocument,
  StaffUsersDocument,
  UpdateMySettingsDocument,
  UpdateStaffUserDocument,
  WithdrawStaffInvitationDocument,
} from "../../sdk/client.js";
import { toGlobalId } from "../../graphql/relay.js";
import { uniqueMail, type ModuleAccess } from "../../test/access-registry.js";
import { staffUsers } from "./staff.table.js";

export const staffAccess: ModuleAccess = {
  operations: [
    { name: "staffUsers", access: "staff", call: (c) => c.request(StaffUsersDocument, { first: 10 }) },
    { name: "staffUsers.totalCount", access: "staff", call: (c) => c.request(StaffUsersCountDocument, {}) },
    { name: "node(StaffUser)", access: "staff", app: "hidden", call: (c, own) => c.request(NodeDocument, { id: toGlobalId("StaffUser", own.admin.id) }) },
    { name: "updateMySettings", access: "staff", call: (c) => c.request(UpdateMySettingsDocument, { input: { emailNotifications: true } }) },
    {
      name: "changeMyPassword",
      access: "staff",
      call: (c) => c.request(ChangeMyPasswordDocument, { input: { currentPassword: "Falsch-Passwort-1", newPassword: "Neues-Passwort-8" } }),
    },
    {
      name: "inviteStaffUser",
      access: "admin",
      call: (c) => c.request(InviteStaffUserDocument, { input: { email: uniqueMail(), name: "Eingeladen", role: "ADMIN", permissions: ["CHAT"] } }),
    },
    {
      name: "updateStaffUser",
      access: "admin",
      call: (c, own) => c.request(UpdateStaffUserDocument, { input: { id: toGlobalId("StaffUser", own.employee.id), role: "ADMIN", permissions: ["CHAT", "CLAIMS"] } }),
    },
    {
      name: "resendStaffInvitation",
      access: "admin",
      call: (c, own, w) => c.request(ResendStaffInvitationDocument, { input: { id: toGlobalId("StaffUser", w.of(own).pendingStaff[0]) } }),
    },
    {
      name: "withdrawStaffInvitation",
      access: "admin",
      call: (c, own, w) => c.request(WithdrawStaffInvitationDocument, { input: { id: toGlobalId("StaffUser", w.of(own).pendingStaff[2]) } }),
    },
  ],
  byId: [
    { name: "node(id) of a StaffUser", argument: "node.id", type: "StaffUser", objectOf: (firm) => firm.employee.id, call: (c, id) => c.request(NodeDocument, { id }) },
    {
      name: "updateStaffUser",
      argument: "updateStaffUser.input.id",
      type: "StaffUser",
      objectOf: (firm) => firm.employee.id,
      call: (c, id) => c.request(UpdateStaffUserDocument, { input: { id, name: "Übernommen", permissions: ["CHAT", "CLAIMS"] } }),
    },
    {
      name: "resendStaffInvitation",
      argument: "resendStaffInvitation.input.id",
      type: "StaffUser",
      objectOf: (firm, w) => w.of(firm).pendingStaff[0],
      call: (c, id) => c.request(ResendStaffInvitationDocument, { input: { id } }),
    },
    {
      name: "withdrawStaffInvitation",
      argument: "withdrawStaffInvitation.input.id",
      type: "StaffUser",
      objectOf: (firm, w) => w.of(firm).pendingStaff[1],
      call: (c, id) => c.request(WithdrawStaffInvitationDocument, { input: { id } }),
    },
  ],
  lists: [
    {
      name: "staffUsers",
      listed: async (c) => (await c.request(StaffUsersDocument, { first: 100 })).staffUsers.edges.map((e) => e.node.id),
      rowsOf: async (firmId, w) =>
        (await w.db().select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.tenantId, firmId))).map((r) => toGlobalId("StaffUser", r.id)),
    },
    {
      // A search every staff user of both firms matches (the factories' mail domain): still only the caller's firm.
      name: "staffUsers (search)",
      listed: async (c) => (await c.request(StaffUsersDocument, { first: 100, search: "EXAMPLE.test" })).staffUsers.edges.map((e) => e.node.id),
      rowsOf: async (firmId, w) =>
        (await w.db().select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.tenantId, firmId))).map((r) => toGlobalId("StaffUser", r.id)),
    },
  ],
  subscriptions: [],
  // Open by design: an invited staff user sets a password through the link; a staff user who forgot it resets it.
  open: ["acceptStaffInvitation", "requestStaffPasswordReset", "resetStaffPassword"],
  pending: [],
};
