import { registerEnumType } from "type-graphql";

// Kept apart from account.types.ts so that customer types can filter by it without an import cycle.
export enum AppAccountStatus {
  INVITED = "INVITED",
  ACTIVE = "ACTIVE",
  DEACTIVATED = "DEACTIVATED",
}
export enum Salutation {
  SIE = "SIE",
  DU = "DU",
}
export enum DocumentSharing {
  ALL_DOCUMENTS = "ALL_DOCUMENTS",
  SELECTED_CATEGORIES = "SELECTED_CATEGORIES",
}
export enum InviteStatus {
  INVITED = "INVITED",
  MISSING_EMAIL = "MISSING_EMAIL",
  ALREADY_ACTIVE = "ALREADY_ACTIVE",
  EMAIL_MISMATCH = "EMAIL_MISMATCH",
  EMAIL_IN_USE = "EMAIL_IN_USE",
  ERROR = "ERROR",
}
export enum LinkPurpose {
  STAFF_INVITATION = "STAFF_INVITATION",
  STAFF_PASSWORD_RESET = "STAFF_PASSWORD_RESET",
  APP_REGISTRATION = "APP_REGISTRATION",
  APP_PASSWORD_RESET = "APP_PASSWORD_RESET",
  APP_SET_PASSWORD = "APP_SET_PASSWORD",
}
registerEnumType(AppAccountStatus, {
  name: "AppAccountStatus",
  description: "Where a customer's app login stands.",
  valuesConfig: {
    INVITED: { description: "Invited by mail; the customer has not set a password yet." },
    ACTIVE: { description: "Can log in (an account activated by hand first sets its password through the password reset)." },
    DEACTIVATED: { description: "Switched off by an admin: cannot log in until reactivated; the customer's data stays." },
  },
});
registerEnumType(Salutation, {
  name: "Salutation",
  description: "How the mails to the customer address them.",
  valuesConfig: {
    SIE: { description: "Formal German address (Sie)." },
    DU: { description: "Familiar German address (Du)." },
  },
});
registerEnumType(DocumentSharing, {
  name: "DocumentSharing",
  description: "Which of the customer's documents an invitation releases to the app.",
  valuesConfig: {
    ALL_DOCUMENTS: { description: "Every document of the customer." },
    SELECTED_CATEGORIES: { description: "Only documents of the categories given in `categoryIds`." },
  },
});
registerEnumType(InviteStatus, {
  name: "InviteStatus",
  description: "What an invitation did for one customer.",
  valuesConfig: {
    INVITED: { description: "The invitation mail with a registration link went out (a fresh link voids an earlier one)." },
    MISSING_EMAIL: { description: "Nothing was sent: the customer has no email address. Ask for one and invite again with `email`." },
    ALREADY_ACTIVE: { description: "Nothing was sent: the customer already has an active login." },
    EMAIL_MISMATCH: {
      description:
        "Nothing was changed or sent: the supplied `email` differs from the one on record (`customer.email`, or the pending login's). Invite again with `replaceEmail: true` to replace it, or without `email` to use the one on record.",
    },
    EMAIL_IN_USE: {
      description:
        "Nothing was changed or sent: another customer's login (`appAccount`, e.g. a spouse's) uses this email, and an email belongs to one login. Offer household access to this customer on that login (`grantCustomerAccess`), or invite with another email.",
    },
    ERROR: { description: "Nothing was changed or sent for this customer; `errorCode` and `message` say why." },
  },
});
registerEnumType(LinkPurpose, {
  name: "LinkPurpose",
  description: "What a link from a mail is for, and which mutation takes its token.",
  valuesConfig: {
    STAFF_INVITATION: { description: "A staff invitation: set a password with `acceptStaffInvitation`." },
    STAFF_PASSWORD_RESET: { description: "A staff user's password reset: set a new password with `resetStaffPassword`." },
    APP_REGISTRATION: { description: "An invitation to the customer app: register with `register` (the prefilled email)." },
    APP_PASSWORD_RESET: { description: "A customer's password reset: set a new password with `resetPassword`." },
    APP_SET_PASSWORD: { description: "A login the firm activated by hand, without a password yet: set the first one with `resetPassword`." },
  },
});
