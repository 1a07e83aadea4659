import { ArgsType, Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { ArrayMaxSize, IsOptional, Length, MaxLength } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import { DateScalar } from "../../graphql/scalars.js";
import { Money } from "../contract/contract.types.js";
import { ContractSource } from "../contract/contract.types.js";
import { ClaimStatus } from "./claim.enums.js";
import type { ClaimPhotoRow, ClaimRow, ClaimStatusChangeRow } from "./claim.table.js";

export { ClaimStatus };

/** At most ten photos of at most 15 MB each (rule G1); the size is the upload purpose's. */
export const MAX_CLAIM_PHOTOS = 10;

@ObjectType({
  implements: Node,
  description:
    "A loss the customer reported from the app. Staff with the CLAIMS permission see the firm's claims and work on them; the customer's app sees its customers' claims with photos, status and timeline, never internal notes or amounts staff keep internal.",
})
export class Claim extends Node {
  @Field(() => String, { description: "The firm's claim number, e.g. \"S-2026-00012\"." })
  number!: string;
  @Field(() => ClaimStatus)
  status!: ClaimStatus;
  @Field(() => DateScalar, { description: "When the loss happened (as the customer reported it)." })
  dateOfLoss!: string;
  @Field(() => String)
  description!: string;
  @Field(() => Date, { description: "When the report arrived (set by the server); lists are newest report first." })
  reportedAt!: Date;
  @Field(() => String, { nullable: true, description: "The insurer's own claim number, once known." })
  insurerClaimNumber!: string | null;
  @Field(() => Date)
  updatedAt!: Date;

  dbId!: string;
  customerId!: string;
  contractId!: string | null;
  amountClaimedCents!: number | null;
  amountPaidCents!: number | null;
  amountClaimedInternal!: boolean;
  amountPaidInternal!: boolean;
  internalNotesText!: string | null;

  static from(row: ClaimRow): Claim {
    return Object.assign(new Claim(), {
      id: toGlobalId("Claim", row.id),
      dbId: row.id,
      customerId: row.customerId,
      contractId: row.contractId,
      number: row.number,
      status: row.status as ClaimStatus,
      dateOfLoss: row.dateOfLoss,
      description: row.description,
      reportedAt: row.reportedAt,
      insurerClaimNumber: row.insurerClaimNumber,
      updatedAt: row.updatedAt,
      amountClaimedCents: row.amountClaimedCents,
      amountPaidCents: row.amountPaidCents,
      amountClaimedInternal: row.amountClaimedInternal,
      amountPaidInternal: row.amountPaidInternal,
      internalNotesText: row.internalNotes,
    });
  }
}

@ObjectType({ description: "A photo of a claim: a JPEG every browser shows, a thumbnail, and the original as the phone sent it (perhaps HEIC)." })
export class ClaimPhoto {
  @Field(() => ID)
  id!: string;
  @Field(() => Int)
  width!: number;
  @Field(() => Int)
  height!: number;

  dbId!: string;
  jpegFileId!: string;
  thumbnailFileId!: string;
  originalFileId!: string;

  static from(row: ClaimPhotoRow): ClaimPhoto {
    return Object.assign(new ClaimPhoto(), {
      id: toGlobalId("ClaimPhoto", row.id),
      dbId: row.id,
      width: row.width,
      height: row.height,
      jpegFileId: row.jpegFileId,
      thumbnailFileId: row.thumbnailFileId,
      originalFileId: row.originalFileId,
    });
  }
}

@ObjectType({ description: "One step of a claim's timeline: its status from then on, and when (the first entry is the report)." })
export class ClaimStatusChange {
  @Field(() => ClaimStatus, { nullable: true, description: "Null for the first entry: the report." })
  from!: ClaimStatus | null;
  @Field(() => ClaimStatus)
  to!: ClaimStatus;
  @Field(() => Date)
  changedAt!: Date;
  @Field(() => ContractSource, { description: "Whether the office or the customer made the change." })
  changedBy!: ContractSource;

  static from(row: ClaimStatusChangeRow): ClaimStatusChange {
    return Object.assign(new ClaimStatusChange(), {
      from: row.fromStatus as ClaimStatus | null,
      to: row.toStatus as ClaimStatus,
      changedAt: row.changedAt,
      changedBy: row.changedByAccountId ? ContractSource.CUSTOMER : ContractSource.STAFF,
    });
  }
}

@ObjectType()
export class ClaimConnection extends Connection(Claim, "Claim") {}

@ArgsType()
export class ClaimsArgs extends PageArgs {
  @Field(() => [ClaimStatus], { nullable: true, description: "Only these statuses." })
  @IsOptional()
  @ArrayMaxSize(10)
  status?: ClaimStatus[] | null;
  @Field(() => ID, { nullable: true, description: "Only this customer's claims (NOT_FOUND for a customer the viewer may not see)." })
  @IsOptional()
  @MaxLength(200)
  customerId?: string | null;
  @Field(() => ID, { nullable: true, description: "Only claims of this contract." })
  @IsOptional()
  @MaxLength(200)
  contractId?: string | null;
  @Field(() => ID, { nullable: true, description: "Staff: only claims of customers this staff user is responsible for." })
  @IsOptional()
  @MaxLength(200)
  responsibleStaffId?: string | null;
  @Field(() => String, { nullable: true, description: "Staff: claims whose number (or the insurer's claim number) contains this text." })
  @IsOptional()
  @MaxLength(100)
  search?: string | null;
}

@InputType({ description: "A claim as the customer reports it. Upload the photos first (`createUpload`, purpose CLAIM_PHOTO)." })
export class ReportClaimInput {
  @Field(() => String, {
    description:
      "A key the app makes once per report (a UUID) and sends again with every retry: a retried report returns the first claim instead of making a second; the same key with other input is CONFLICT (rule IDEMPOTENCY_KEY_REUSED). Kept at least 24 hours.",
  })
  @Length(8, 100)
  idempotencyKey!: string;
  @Field(() => ID, { description: "A customer the account may access (its own, or a household member's)." })
  @MaxLength(200)
  customerId!: string;
  @Field(() => DateScalar, { description: "When the loss happened; not in the future." })
  dateOfLoss!: string;
  @Field(() => String)
  @Length(1, 5000)
  description!: string;
  @Field(() => ID, { nullable: true, description: "One of the customer's contracts the app shows." })
  @IsOptional()
  @MaxLength(200)
  contractId?: string | null;
  @Field(() => [ID], { defaultValue: [], description: "Up to 10 uploads of purpose CLAIM_PHOTO (JPEG, PNG or HEIC, up to 15 MB each)." })
  @MaxLength(200, { each: true })
  photoFileIds!: string[];
}

@InputType({ description: "The office's changes to a claim (CLAIMS permission). Fields left out stay as they are; null clears an optional one." })
export class UpdateClaimInput {
  @Field(() => ID)
  @MaxLength(200)
  id!: string;
  @Field(() => ClaimStatus, { nullable: true, description: "The new status; the customer's app is told at once and the timeline records it." })
  status?: ClaimStatus | null;
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 60)
  insurerClaimNumber?: string | null;
  @Field(() => Int, { nullable: true, description: "In euro cents, 0 to 100 000 000." })
  amountClaimedCents?: number | null;
  @Field(() => Int, { nullable: true, description: "In euro cents, 0 to 100 000 000." })
  amountPaidCents?: number | null;
  @Field(() => Boolean, { nullable: true, description: "Keep the claimed amount from the customer's app." })
  amountClaimedInternal?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: "Keep the paid amount from the customer's app." })
  amountPaidInternal?: boolean | null;
  @Field(() => String, { nullable: true, description: "Internal notes the app never sees." })
  @IsOptional()
  @MaxLength(5000)
  internalNotes?: string | null;
}

@ObjectType()
export class ClaimPayload {
  @Field(() => Claim)
  claim!: Claim;
  @Field(() => Boolean, { description: "True when this answered a retry: the claim was reported before with the same idempotency key." })
  replayed!: boolean;
}

@ObjectType({ description: "A claim as it is after a change (a new report, a status change, an edit)." })
export class ClaimEvent {
  @Field(() => String, { description: "Pass it as `after:` when subscribing again, to receive what was missed." })
  cursor!: string;
  @Field(() => Claim)
  claim!: Claim;
}

export { Money };
