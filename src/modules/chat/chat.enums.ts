import { registerEnumType } from "type-graphql";

// Declared once for the tables (pgEnumOf) and the GraphQL schema.

/** Rule F1/F5: a customer has at most one OPEN chat; archived ones stay for the office. */
export enum ChatStatus {
  OPEN = "OPEN",
  ARCHIVED = "ARCHIVED",
}
registerEnumType(ChatStatus, {
  name: "ChatStatus",
  valuesConfig: {
    OPEN: { description: "The customer's current conversation (at most one per customer)." },
    ARCHIVED: { description: "Archived by the office: gone from the app; a later customer message opens a new chat." },
  },
});

/** What a message is: text, or one of the app's offer actions (rule E5), which refer to a contract. */
export enum MessageKind {
  TEXT = "TEXT",
  OFFER_ACCEPTED = "OFFER_ACCEPTED",
  OFFER_QUESTION = "OFFER_QUESTION",
  OFFER_REQUEST = "OFFER_REQUEST",
}
registerEnumType(MessageKind, {
  name: "MessageKind",
  description: "Show the offer actions as cards with the contract (`Message.contract`).",
  valuesConfig: {
    TEXT: { description: "A message someone wrote." },
    OFFER_ACCEPTED: { description: "The customer accepted the offer in `contract`." },
    OFFER_QUESTION: { description: "The customer asks about the offer in `contract` (the text is the question)." },
    OFFER_REQUEST: { description: "The customer requests an offer (the text says for what)." },
  },
});

export enum ChatOrder {
  LAST_ACTIVITY_NEWEST = "LAST_ACTIVITY_NEWEST",
  LAST_ACTIVITY_OLDEST = "LAST_ACTIVITY_OLDEST",
}
registerEnumType(ChatOrder, { name: "ChatOrder", description: "How the staff inbox is sorted by last activity." });
