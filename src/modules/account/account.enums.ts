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
  ERROR = "ERROR",
}
registerEnumType(AppAccountStatus, { name: "AppAccountStatus" });
registerEnumType(Salutation, { name: "Salutation", description: "Formal (Sie) or familiar (Du) address in mails (rule D1)." });
registerEnumType(DocumentSharing, { name: "DocumentSharing", description: "Rule D1: release all documents, or those of chosen categories." });
registerEnumType(InviteStatus, { name: "InviteStatus" });
