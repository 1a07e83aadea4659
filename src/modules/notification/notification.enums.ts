import { registerEnumType } from "type-graphql";

// Declared once for the table (pgEnumOf) and the GraphQL schema.
export enum NotificationKind {
  CHAT_MESSAGE = "CHAT_MESSAGE",
  CLAIM_REPORTED = "CLAIM_REPORTED",
  DOCUMENT_UPLOADED = "DOCUMENT_UPLOADED",
  CONTRACT_CREATED = "CONTRACT_CREATED",
  OFFER_RESPONSE = "OFFER_RESPONSE",
  GENERAL = "GENERAL",
}

registerEnumType(NotificationKind, {
  name: "NotificationKind",
  description: "What a notification is about; pick the icon and the screen to open with it (`subject`).",
  valuesConfig: {
    CHAT_MESSAGE: { description: "A customer wrote in a chat." },
    CLAIM_REPORTED: { description: "A customer reported a claim." },
    DOCUMENT_UPLOADED: { description: "A customer uploaded a document in the app." },
    CONTRACT_CREATED: { description: "A customer added a contract in the app." },
    OFFER_RESPONSE: { description: "A customer accepted an offer, asked about one, or requested one." },
    GENERAL: { description: "Anything else." },
  },
});
