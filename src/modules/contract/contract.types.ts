import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ArrayMaxSize, IsOptional, Length, MaxLength } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import { DateScalar } from "../../graphql/scalars.js";
import { BrokerProfile } from "../tenant/tenant.types.js";
import { ContractStatus, LINE_OF_BUSINESS_LABELS, LineOfBusiness, MONTHS_PER_PAYMENT, PaymentInterval, RiskKind } from "./contract.enums.js";
import type { ContractRow, ContractStatusChangeRow, InsurerRow, RiskRow } from "./contract.table.js";

export { ContractStatus, LineOfBusiness, PaymentInterval, RiskKind };

/** Premiums are at most one million euros per payment: anything above is a typing error. */
export const MAX_PREMIUM_CENTS = 100_000_000;

const euro = new Intl.NumberFormat("de-DE", { style: "currency", currency: "EUR" });
/** "1.234,56 €": how the apps show an amount of cents (German format, two decimals). */
export const formatCents = (cents: number): string => euro.format(cents / 100);

@ObjectType({ description: "An amount of money in euros, exact: integer cents, never a float." })
export class Money {
  @Field(() => Int, { description: "The amount in euro cents (12345 is 123,45 €). Compute with this." })
  cents!: number;
  @Field(() => String, { description: "Always \"EUR\"." })
  currency!: string;
  @Field(() => String, { description: "Ready to show, German format with two decimals and the sign: \"123,45 €\"." })
  formatted!: string;

  static of(cents: number): Money {
    return Object.assign(new Money(), { cents, currency: "EUR", formatted: formatCents(cents) });
  }
}

@ObjectType({ implements: Node, description: "An insurer (Gesellschaft) of the firm's list: the common German insurers, plus those admins add." })
export class Insurer extends Node {
  @Field(() => String)
  name!: string;

  dbId!: string;

  static from(row: InsurerRow): Insurer {
    return Object.assign(new Insurer(), { id: toGlobalId("Insurer", row.id), dbId: row.id, name: row.name });
  }
}

@ObjectType({
  implements: Node,
  description:
    "An insured object of a customer (a vehicle, a building, a person, or anything else), shared by the customer's contracts. `label` is a ready-made one-line description.",
})
export class Risk extends Node {
  @Field(() => RiskKind)
  kind!: RiskKind;
  @Field(() => String, { description: "One line to show, e.g. \"B-MK 1234\", \"Lindenweg 4, 10405 Berlin\" or \"Lena Berger\"." })
  label!: string;
  @Field(() => String, { nullable: true })
  licensePlate!: string | null;
  @Field(() => String, { nullable: true })
  street!: string | null;
  @Field(() => String, { nullable: true })
  postalCode!: string | null;
  @Field(() => String, { nullable: true })
  city!: string | null;
  @Field(() => String, { nullable: true })
  personName!: string | null;
  @Field(() => DateScalar, { nullable: true })
  birthDate!: string | null;
  @Field(() => String, { nullable: true, description: "Free text: make and model of a vehicle, or what an OTHER risk is." })
  description!: string | null;

  dbId!: string;
  customerId!: string;

  static from(row: RiskRow): Risk {
    const address = [row.street, [row.postalCode, row.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
    const label =
      (row.kind === "VEHICLE" ? row.licensePlate : row.kind === "BUILDING" ? address : row.kind === "PERSON" ? row.personName : row.description) ??
      row.description ??
      row.kind;
    return Object.assign(new Risk(), {
      id: toGlobalId("Risk", row.id),
      dbId: row.id,
      customerId: row.customerId,
      kind: row.kind as RiskKind,
      label: label || row.kind,
      licensePlate: row.licensePlate,
      street: row.street,
      postalCode: row.postalCode,
      city: row.city,
      personName: row.personName,
      birthDate: row.birthDate,
      description: row.description,
    });
  }
}

export enum ContractSource {
  STAFF = "STAFF",
  CUSTOMER = "CUSTOMER",
}
registerEnumType(ContractSource, {
  name: "ContractSource",
  description: "Who added a contract.",
  valuesConfig: {
    STAFF: { description: "Staff of the broker firm." },
    CUSTOMER: { description: "The customer, in the app (it starts in status START)." },
  },
});

@ObjectType({ description: "One step of a contract's status history: who moved it, when, from where to where." })
export class ContractStatusChange {
  @Field(() => ContractStatus, { nullable: true, description: "Null for the first entry: the contract was created in `to`." })
  from!: ContractStatus | null;
  @Field(() => ContractStatus)
  to!: ContractStatus;
  @Field(() => Date)
  changedAt!: Date;
  @Field(() => ContractSource, { description: "Whether staff or the customer made the change." })
  changedBy!: ContractSource;

  changedByStaffId!: string | null;

  static from(row: ContractStatusChangeRow): ContractStatusChange {
    return Object.assign(new ContractStatusChange(), {
      from: row.fromStatus as ContractStatus | null,
      to: row.toStatus as ContractStatus,
      changedAt: row.changedAt,
      changedBy: row.changedByAccountId ? ContractSource.CUSTOMER : ContractSource.STAFF,
      changedByStaffId: row.changedByStaffId,
    });
  }
}

@ObjectType({
  implements: Node,
  description:
    "An insurance contract of a customer, or an offer (status ANGEBOT). Staff see all of the firm's; app accounts only the visible ones (`visibleToCustomer`) of the customers they may access, and never staff-only fields.",
})
export class Contract extends Node {
  @Field(() => String, { description: "The insurer's contract (policy) number." })
  contractNumber!: string;
  @Field(() => ContractStatus)
  status!: ContractStatus;
  @Field(() => LineOfBusiness, { nullable: true })
  lineOfBusiness!: LineOfBusiness | null;
  @Field(() => String, { nullable: true, description: "The line of business as the apps show it, in German (\"Hausrat\", \"Kfz\")." })
  lineOfBusinessLabel!: string | null;
  @Field(() => Money, { nullable: true, description: "The premium per payment (see `paymentInterval`); null while unknown." })
  premium!: Money | null;
  @Field(() => PaymentInterval, { nullable: true })
  paymentInterval!: PaymentInterval | null;
  @Field(() => Money, {
    nullable: true,
    description:
      "The premium converted to one month (yearly ÷ 12, quarterly ÷ 3, half-yearly ÷ 6), rounded half up to a cent; null for single and paid-up premiums or when unknown.",
  })
  monthlyPremium!: Money | null;
  @Field(() => DateScalar, { nullable: true })
  startDate!: string | null;
  @Field(() => DateScalar, { nullable: true })
  endDate!: string | null;
  @Field(() => Boolean, { description: "Whether the customer app shows the contract (the green eye). Offers are visible from the start." })
  visibleToCustomer!: boolean;
  @Field(() => Date, { nullable: true, description: "When the customer accepted this offer in the app; null until then." })
  acceptedAt!: Date | null;
  @Field(() => ContractSource, { description: "Whether staff or the customer (in the app) added the contract." })
  source!: ContractSource;
  @Field(() => Date)
  createdAt!: Date;
  @Field(() => Date)
  updatedAt!: Date;

  dbId!: string;
  tenantId!: string;
  customerId!: string;
  insurerId!: string;
  riskId!: string | null;
  notesText!: string | null;

  /** The insurer when the list's query brought it along (one statement for a page with its insurers). */
  insurerLoaded?: Insurer;

  static from(row: ContractRow): Contract {
    const months = row.paymentInterval ? MONTHS_PER_PAYMENT[row.paymentInterval] : null;
    return Object.assign(new Contract(), {
      id: toGlobalId("Contract", row.id),
      dbId: row.id,
      tenantId: row.tenantId,
      customerId: row.customerId,
      insurerId: row.insurerId,
      riskId: row.riskId,
      notesText: row.notes,
      contractNumber: row.contractNumber,
      status: row.status as ContractStatus,
      lineOfBusiness: row.lineOfBusiness as LineOfBusiness | null,
      lineOfBusinessLabel: row.lineOfBusiness ? LINE_OF_BUSINESS_LABELS[row.lineOfBusiness] : null,
      premium: row.premiumCents === null ? null : Money.of(row.premiumCents),
      paymentInterval: row.paymentInterval as PaymentInterval | null,
      monthlyPremium: row.premiumCents === null || !months ? null : Money.of(Math.round(row.premiumCents / months)),
      startDate: row.startDate,
      endDate: row.endDate,
      visibleToCustomer: row.visibleToCustomer,
      acceptedAt: row.acceptedAt,
      source: row.createdByAccountId ? ContractSource.CUSTOMER : ContractSource.STAFF,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  }
}

@ObjectType()
export class ContractConnection extends Connection(Contract, "Contract") {}

export enum ContractOrder {
  OFFERS_FIRST = "OFFERS_FIRST",
  NEWEST = "NEWEST",
  START_DATE = "START_DATE",
  PREMIUM = "PREMIUM",
  STATUS = "STATUS",
}
registerEnumType(ContractOrder, {
  name: "ContractOrder",
  description: "How `contracts` is sorted. Every order ends with the newest first among equals.",
  valuesConfig: {
    OFFERS_FIRST: { description: "Open offers (ANGEBOT) first, then the rest; newest first in each. The app's contract list; its default for app accounts." },
    NEWEST: { description: "Newest first (the default for staff)." },
    START_DATE: { description: "Latest start date first; contracts without one last." },
    PREMIUM: { description: "Highest premium per month first; contracts without one last." },
    STATUS: { description: "By status in workflow order: START, ANGEBOT, ANTRAG, AKTIV, RUHEND, GEKUENDIGT, ABGELEHNT." },
  },
});

@ArgsType()
export class ContractsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: "Only this customer's contracts (NOT_FOUND for a customer the viewer may not see)." })
  @IsOptional()
  @MaxLength(200)
  customerId?: string | null;
  @Field(() => [ContractStatus], { nullable: true, description: "Only these statuses." })
  @IsOptional()
  @ArrayMaxSize(10)
  status?: ContractStatus[] | null;
  @Field(() => ID, { nullable: true, description: "Staff: only this insurer's contracts." })
  @IsOptional()
  @MaxLength(200)
  insurerId?: string | null;
  @Field(() => LineOfBusiness, { nullable: true, description: "Staff: only this line of business." })
  lineOfBusiness?: LineOfBusiness | null;
  @Field(() => ID, { nullable: true, description: "Staff: only contracts this staff user is responsible for." })
  @IsOptional()
  @MaxLength(200)
  responsibleStaffId?: string | null;
  @Field(() => String, { nullable: true, description: "Staff: contracts whose number contains this text (case-insensitive)." })
  @IsOptional()
  @MaxLength(100)
  search?: string | null;
  @Field(() => ContractOrder, { nullable: true, description: "Default: OFFERS_FIRST for app accounts, NEWEST for staff." })
  orderBy?: ContractOrder | null;
}

@InputType({ description: "A new contract or offer. Staff give everything they know; the app needs only customer, insurer and contract number." })
export class CreateContractInput {
  @Field(() => ID)
  @MaxLength(200)
  customerId!: string;
  @Field(() => ID, { description: "An insurer of the firm's list (`insurers`)." })
  @MaxLength(200)
  insurerId!: string;
  @Field(() => String)
  @Length(1, 60)
  contractNumber!: string;
  @Field(() => LineOfBusiness, { nullable: true })
  lineOfBusiness?: LineOfBusiness | null;
  @Field(() => ContractStatus, {
    nullable: true,
    description: "Staff only (default AKTIV; ANGEBOT makes an offer, visible to the customer at once). A contract from the app always starts as START.",
  })
  status?: ContractStatus | null;
  @Field(() => Int, { nullable: true, description: "Premium per payment in euro cents, 0 to 100 000 000." })
  premiumCents?: number | null;
  @Field(() => PaymentInterval, { nullable: true })
  paymentInterval?: PaymentInterval | null;
  @Field(() => DateScalar, { nullable: true })
  startDate?: string | null;
  @Field(() => DateScalar, { nullable: true, description: "Not before `startDate`." })
  endDate?: string | null;
  @Field(() => ID, { nullable: true, description: "Staff: one of the customer's risks." })
  @IsOptional()
  @MaxLength(200)
  riskId?: string | null;
  @Field(() => String, { nullable: true, description: "Staff only: internal notes the app never sees." })
  @IsOptional()
  @MaxLength(5000)
  notes?: string | null;
  @Field(() => Boolean, { nullable: true, description: "Staff: release to the app (default false; offers and contracts from the app are always visible)." })
  visibleToCustomer?: boolean | null;
  @Field(() => [ID], { nullable: true, description: "Staff: the contract's own responsible staff, in order." })
  @IsOptional()
  @MaxLength(200, { each: true })
  @ArrayMaxSize(10)
  responsibleStaffIds?: string[] | null;
  @Field(() => ID, {
    nullable: true,
    description:
      "An upload (`createUpload`, purpose DOCUMENT): from the app a photo or PDF of the policy, filed as a document of category \"Police\"; from staff an offer's PDF. Linked to the contract.",
  })
  documentFileId?: string | null;
}

@InputType({ description: "Corrections and additions to a contract (staff). Fields left out stay as they are; null clears an optional one." })
export class UpdateContractInput {
  @Field(() => ID)
  @MaxLength(200)
  id!: string;
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  insurerId?: string | null;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 60)
  contractNumber?: string | null;
  @Field(() => LineOfBusiness, { nullable: true })
  lineOfBusiness?: LineOfBusiness | null;
  @Field(() => ContractStatus, { nullable: true, description: "A move the contract allows now (`allowedNextStatuses`); recorded in the history." })
  status?: ContractStatus | null;
  @Field(() => Int, { nullable: true })
  premiumCents?: number | null;
  @Field(() => PaymentInterval, { nullable: true })
  paymentInterval?: PaymentInterval | null;
  @Field(() => DateScalar, { nullable: true })
  startDate?: string | null;
  @Field(() => DateScalar, { nullable: true })
  endDate?: string | null;
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  riskId?: string | null;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  notes?: string | null;
  @Field(() => Boolean, { nullable: true })
  visibleToCustomer?: boolean | null;
  @Field(() => [ID], { nullable: true, description: "Replaces the contract's responsible staff with this ordered list." })
  @IsOptional()
  @MaxLength(200, { each: true })
  @ArrayMaxSize(10)
  responsibleStaffIds?: string[] | null;
}

@ObjectType()
export class ContractPayload {
  @Field(() => Contract)
  contract!: Contract;
}

@InputType()
export class AcceptOfferInput {
  @Field(() => ID, { description: "An open offer (status ANGEBOT) the app shows." })
  @MaxLength(200)
  contractId!: string;
}

@InputType({ description: "A new insurer for the firm's list (admins)." })
export class CreateInsurerInput {
  @Field(() => String)
  @Length(1, 100)
  name!: string;
}

@ObjectType()
export class InsurerPayload {
  @Field(() => Insurer)
  insurer!: Insurer;
}

@InputType({ description: "A risk of a customer. Fill the fields its kind uses (see RiskKind)." })
export class CreateRiskInput {
  @Field(() => ID)
  @MaxLength(200)
  customerId!: string;
  @Field(() => RiskKind)
  kind!: RiskKind;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 20)
  licensePlate?: string | null;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  street?: string | null;
  @Field(() => String, { nullable: true, description: "Five digits." })
  @IsOptional()
  postalCode?: string | null;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  city?: string | null;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  personName?: string | null;
  @Field(() => DateScalar, { nullable: true })
  birthDate?: string | null;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(1000)
  description?: string | null;
}

@ObjectType()
export class RiskPayload {
  @Field(() => Risk)
  risk!: Risk;
}

@ObjectType({ description: "The customer app's start screen: the broker's card and the key figures, each leading to its list." })
export class AppOverview {
  @Field(() => BrokerProfile)
  brokerProfile!: BrokerProfile;
  @Field(() => Int, { description: "Visible contracts that are not offers (open `contracts(orderBy: OFFERS_FIRST)` to list them)." })
  contractCount!: number;
  @Field(() => Int, { description: "Open offers: visible, status ANGEBOT, not yet accepted (`contracts(status: [ANGEBOT])`)." })
  openOfferCount!: number;
  @Field(() => Money, {
    description:
      "What the active (AKTIV) visible contracts cost per month: each premium converted to a year (monthly × 12, quarterly × 4, half-yearly × 2), summed exactly in cents, divided by 12 and rounded half up to a cent once. Single and paid-up premiums are left out.",
  })
  monthlyPremiumTotal!: Money;
  /** Figures other modules contribute (open claims, unread messages), computed in the overview's one statement. */
  figures!: ReadonlyMap<string, number>;
}

@ObjectType({ description: "A contract as it is after a change: created, corrected, moved to another status, made an offer, or accepted." })
export class ContractEvent {
  @Field(() => String, { description: "Opaque: pass it as `after:` when subscribing again, to receive what was missed. Store it as it is; do not parse it." })
  cursor!: string;
  @Field(() => Contract)
  contract!: Contract;
}
