import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { MaxLength } from "class-validator";

export enum FilePurpose {
  LOGO = "LOGO",
  DOCUMENT = "DOCUMENT",
  CLAIM_PHOTO = "CLAIM_PHOTO",
}
registerEnumType(FilePurpose, {
  name: "FilePurpose",
  description: "What an upload is for. LOGO: PNG or JPEG up to 2 MB (admins). DOCUMENT: PDF, JPEG, PNG or HEIC up to 25 MB. CLAIM_PHOTO: JPEG, PNG or HEIC up to 15 MB (app accounts).",
});

@InputType()
export class CreateUploadInput {
  @Field(() => FilePurpose)
  purpose!: FilePurpose;
  @Field(() => String, { description: "The declared type; the server checks the real type from the bytes." })
  @MaxLength(100)
  contentType!: string;
  @Field(() => Int, { description: "Size in bytes; the upload may not exceed it." })
  size!: number;
  @Field(() => String)
  @MaxLength(200)
  fileName!: string;
}

@ObjectType({ description: "PUT the file's bytes to `uploadUrl` before `expiresAt`, then pass `fileId` to the mutation it belongs to." })
export class CreateUploadPayload {
  @Field(() => ID)
  fileId!: string;
  @Field(() => String)
  uploadUrl!: string;
  @Field(() => Date)
  expiresAt!: Date;
  @Field(() => Int)
  maxBytes!: number;
}
