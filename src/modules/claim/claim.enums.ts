import { registerEnumType } from "type-graphql";

// Declared once for the tables (pgEnumOf) and the GraphQL schema.

/** Rules G2/G4: where a claim stands; the customer follows it in the app. */
export enum ClaimStatus {
  REPORTED = "REPORTED",
  IN_PROGRESS = "IN_PROGRESS",
  WITH_INSURER = "WITH_INSURER",
  SETTLED = "SETTLED",
  REJECTED = "REJECTED",
  CLOSED = "CLOSED",
}
registerEnumType(ClaimStatus, {
  name: "ClaimStatus",
  description: "Where a claim stands. Every change is in `Claim.timeline`, which the customer's app shows with dates.",
  valuesConfig: {
    REPORTED: { description: "Reported by the customer (\"gemeldet\"); the office has not started yet." },
    IN_PROGRESS: { description: "The office is working on it (\"in Bearbeitung\")." },
    WITH_INSURER: { description: "Passed to the insurer (\"beim Versicherer\")." },
    SETTLED: { description: "Settled: the insurer paid (\"reguliert\")." },
    REJECTED: { description: "The insurer declined it (\"abgelehnt\")." },
    CLOSED: { description: "Closed (\"abgeschlossen\")." },
  },
});

/** Claims still open: the app's overview counts them. */
export const OPEN_CLAIM_STATUSES = [ClaimStatus.REPORTED, ClaimStatus.IN_PROGRESS, ClaimStatus.WITH_INSURER] as const;
