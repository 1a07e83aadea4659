import { registerEnumType } from "type-graphql";

// Declared once for the tables (pgEnumOf) and the GraphQL schema.

/** Rule E3: where a contract stands. */
export enum ContractStatus {
  START = "START",
  ANGEBOT = "ANGEBOT",
  ANTRAG = "ANTRAG",
  AKTIV = "AKTIV",
  RUHEND = "RUHEND",
  GEKUENDIGT = "GEKUENDIGT",
  ABGELEHNT = "ABGELEHNT",
}
registerEnumType(ContractStatus, {
  name: "ContractStatus",
  description: "Where a contract stands. `ContractStatusChange` records every move; `Contract.allowedNextStatuses` lists the moves staff may make now.",
  valuesConfig: {
    START: { description: "Added by the customer in the app (\"Start\"), waiting for the broker's review." },
    ANGEBOT: { description: "An offer (\"Angebot\") the broker sent: the app lists offers first, and the customer may accept it or ask about it." },
    ANTRAG: { description: "Applied for at the insurer (\"Antrag\"), not yet policied." },
    AKTIV: { description: "In force (\"Aktiv\"); counts towards the monthly premium total." },
    RUHEND: { description: "Dormant (\"Ruhend\"): kept, but no premium is paid for now." },
    GEKUENDIGT: { description: "Cancelled (\"Gekündigt\")." },
    ABGELEHNT: { description: "Declined (\"Abgelehnt\"), by the insurer or the customer." },
  },
});

/** Rule E0: the line of business (Sparte), as a German broker names it. */
export enum LineOfBusiness {
  KFZ = "KFZ",
  HAUSRAT = "HAUSRAT",
  WOHNGEBAEUDE = "WOHNGEBAEUDE",
  PRIVATHAFTPFLICHT = "PRIVATHAFTPFLICHT",
  TIERHALTERHAFTPFLICHT = "TIERHALTERHAFTPFLICHT",
  RECHTSSCHUTZ = "RECHTSSCHUTZ",
  UNFALL = "UNFALL",
  BERUFSUNFAEHIGKEIT = "BERUFSUNFAEHIGKEIT",
  RISIKOLEBEN = "RISIKOLEBEN",
  KAPITALLEBEN = "KAPITALLEBEN",
  PRIVATE_RENTE = "PRIVATE_RENTE",
  BETRIEBLICHE_ALTERSVORSORGE = "BETRIEBLICHE_ALTERSVORSORGE",
  KRANKEN = "KRANKEN",
  KRANKENZUSATZ = "KRANKENZUSATZ",
  PFLEGE = "PFLEGE",
  REISE = "REISE",
  GEWERBE = "GEWERBE",
  SONSTIGE = "SONSTIGE",
}
registerEnumType(LineOfBusiness, {
  name: "LineOfBusiness",
  description: "The line of business (\"Sparte\"). Show it with the German label in `Contract.lineOfBusinessLabel`.",
});

/** The German labels the apps show for each line of business. */
export const LINE_OF_BUSINESS_LABELS: Record<LineOfBusiness, string> = {
  KFZ: "Kfz",
  HAUSRAT: "Hausrat",
  WOHNGEBAEUDE: "Wohngebäude",
  PRIVATHAFTPFLICHT: "Privathaftpflicht",
  TIERHALTERHAFTPFLICHT: "Tierhalterhaftpflicht",
  RECHTSSCHUTZ: "Rechtsschutz",
  UNFALL: "Unfall",
  BERUFSUNFAEHIGKEIT: "Berufsunfähigkeit",
  RISIKOLEBEN: "Risikoleben",
  KAPITALLEBEN: "Kapitallebensversicherung",
  PRIVATE_RENTE: "Private Rente",
  BETRIEBLICHE_ALTERSVORSORGE: "Betriebliche Altersvorsorge",
  KRANKEN: "Krankenversicherung",
  KRANKENZUSATZ: "Krankenzusatz",
  PFLEGE: "Pflege",
  REISE: "Reise",
  GEWERBE: "Gewerbe",
  SONSTIGE: "Sonstige",
};

/** Rule E0: how often the premium is paid. */
export enum PaymentInterval {
  MONTHLY = "MONTHLY",
  QUARTERLY = "QUARTERLY",
  HALF_YEARLY = "HALF_YEARLY",
  YEARLY = "YEARLY",
  SINGLE = "SINGLE",
  PAID_UP = "PAID_UP",
}
registerEnumType(PaymentInterval, {
  name: "PaymentInterval",
  description: "How often the premium is paid (\"Zahlweise\").",
  valuesConfig: {
    MONTHLY: { description: "Monthly (monatlich)." },
    QUARTERLY: { description: "Every three months (vierteljährlich)." },
    HALF_YEARLY: { description: "Every six months (halbjährlich)." },
    YEARLY: { description: "Once a year (jährlich)." },
    SINGLE: { description: "A single premium (Einmalbeitrag): not part of the monthly total." },
    PAID_UP: { description: "Paid up (beitragsfrei): no premium is due; not part of the monthly total." },
  },
});

/** Months per payment, for the monthly total; SINGLE and PAID_UP are not recurring. */
export const MONTHS_PER_PAYMENT: Record<PaymentInterval, number | null> = {
  MONTHLY: 1,
  QUARTERLY: 3,
  HALF_YEARLY: 6,
  YEARLY: 12,
  SINGLE: null,
  PAID_UP: null,
};

/** What an insured risk is (rule E0): the customer's own objects, shared by their contracts. */
export enum RiskKind {
  VEHICLE = "VEHICLE",
  BUILDING = "BUILDING",
  PERSON = "PERSON",
  OTHER = "OTHER",
}
registerEnumType(RiskKind, {
  name: "RiskKind",
  description: "What kind of object a risk is; decides which of its fields are filled.",
  valuesConfig: {
    VEHICLE: { description: "A vehicle: `licensePlate` (and `description` for make and model)." },
    BUILDING: { description: "A building: `street`, `postalCode`, `city`." },
    PERSON: { description: "A person: `personName`, optionally `birthDate`." },
    OTHER: { description: "Anything else: `description`." },
  },
});
