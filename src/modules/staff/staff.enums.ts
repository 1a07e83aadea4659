import { registerEnumType } from "type-graphql";

// Declared once for the table (pgEnumOf) and the GraphQL schema.
export enum StaffRole {
  ADMIN = "ADMIN",
  EMPLOYEE = "EMPLOYEE",
}

registerEnumType(StaffRole, {
  name: "StaffRole",
  description: "What a staff user may manage. Both roles work with customers, documents and invitations.",
  valuesConfig: {
    ADMIN: { description: "Also manages staff users, app accounts, the broker profile and document categories. A firm always keeps at least one active admin." },
    EMPLOYEE: { description: "Works with customers, documents, invitations and household access; no administration." },
  },
});

export enum StaffPermission {
  CHAT = "CHAT",
  CLAIMS = "CLAIMS",
}

registerEnumType(StaffPermission, {
  name: "StaffPermission",
  description: "Permissions a staff user holds on top of their role.",
  valuesConfig: {
    CHAT: { description: "Can be a chat's operator and is notified of chats; staff without it never are." },
    CLAIMS: { description: "May work on claims customers report." },
  },
});

export enum StaffStatus {
  INVITED = "INVITED",
  ACTIVE = "ACTIVE",
  DEACTIVATED = "DEACTIVATED",
}

registerEnumType(StaffStatus, {
  name: "StaffStatus",
  description: "Where a staff user's login stands.",
  valuesConfig: {
    INVITED: { description: "Invited by mail; has not set a password yet." },
    ACTIVE: { description: "Can log in." },
    DEACTIVATED: { description: "Switched off by an admin: cannot log in; every session ended at once." },
  },
});
