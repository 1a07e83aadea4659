import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { MaxLength } from "class-validator";
import { FilePurpose } from "./file.enums.js";
export { FilePurpose };

@InputType()
export class CreateUploadInput {
  @Field(() => FilePurpose, { description: "What the file is for; decides the accepted types and sizes." })
  purpose!: FilePurpose;
  @Field(() => String, { description: "The declared type; the server checks the real type from the bytes." })
  @MaxLength(100)
  contentType!: string;
  @Field(() => Int, { description: "Size in bytes, at least 1 and at most what the purpose allows; the upload may not exceed it." })
  size!: number;
  @Field(() => String, { description: "The file's name as the user sees it, 1 to 200 characters." })
  @MaxLength(200)
  fileName!: string;
}

@ObjectType({ description: "PUT the file's bytes to `uploadUrl` before `expiresAt`, then pass `fileId` to the mutation it belongs to." })
export class CreateUploadPayload {
  @Field(() => ID, { description: "Pass it to the mutation the file belongs to, once the bytes are uploaded; an upload never attached is removed after an hour." })
  fileId!: string;
  @Field(() => String, { description: "Signed URL to PUT the bytes to; it needs no Authorization header. A refused upload answers in the shape of a GraphQL error, with `errors[0].extensions.code` FILE_TOO_LARGE, FILE_TYPE, FILE_EMPTY, ..." })
  uploadUrl!: string;
  @Field(() => Date, { description: "The upload URL stops working then (15 minutes)." })
  expiresAt!: Date;
  @Field(() => Int, { description: "The most bytes the upload may have: the announced size, capped by the purpose's limit." })
  maxBytes!: number;
}
