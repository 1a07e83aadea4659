import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ArrayMaxSize, IsOptional, Length } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import type { DocumentCategoryRow, DocumentRow } from "./document.table.js";
import type { FileRow } from "../../files/file.table.js";

export enum DocumentSource {
  STAFF = "STAFF",
  CUSTOMER = "CUSTOMER",
}
registerEnumType(DocumentSource, { name: "DocumentSource", description: "Who uploaded a document: the broker's staff or the customer in the app (rule C5)." });

@ObjectType({ implements: Node, description: "A document category of the firm (rule C2)." })
export class DocumentCategory extends Node {
  @Field(() => String, { nullable: true, description: "Stable key of a default category (POLICY, CHAT_TRANSCRIPT, ...); null for the firm's own." })
  key!: string | null;
  @Field(() => String)
  name!: string;
  @Field(() => Boolean, { description: "Rule C4: preselected when inviting with SELECTED_CATEGORIES." })
  recommended!: boolean;

  dbId!: string;

  static from(row: DocumentCategoryRow): DocumentCategory {
    return Object.assign(new DocumentCategory(), { id: toGlobalId("DocumentCategory", row.id), dbId: row.id, key: row.key, name: row.name, recommended: row.recommended });
  }
}

@ObjectType({ implements: Node, description: "A file at a customer (rule C2). App accounts see only released ones (`visibleToCustomer`)." })
export class Document extends Node {
  @Field(() => String)
  title!: string;
  @Field(() => String)
  fileName!: string;
  @Field(() => String, { description: "The real type, sniffed from the bytes." })
  mimeType!: string;
  @Field(() => Int)
  size!: number;
  @Field(() => Boolean, { description: "The green eye: released to the customer app." })
  visibleToCustomer!: boolean;
  @Field(() => DocumentSource)
  source!: DocumentSource;
  @Field(() => Date)
  createdAt!: Date;

  dbId!: string;
  customerId!: string;
  categoryId!: string;
  fileId!: string;

  static from(row: DocumentRow, file: FileRow): Document {
    return Object.assign(new Document(), {
      id: toGlobalId("Document", row.id),
      dbId: row.id,
      customerId: row.customerId,
      categoryId: row.categoryId,
      fileId: row.fileId,
      title: row.title,
      fileName: file.fileName,
      mimeType: file.mimeType ?? "application/octet-stream",
      size: file.size ?? 0,
      visibleToCustomer: row.visibleToCustomer,
      source: row.uploadedByAccountId ? DocumentSource.CUSTOMER : DocumentSource.STAFF,
      createdAt: row.createdAt,
    });
  }
}

export const DocumentConnection = Connection(Document, "Document");

@ArgsType()
export class DocumentsArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  customerId?: string;
  @Field(() => ID, { nullable: true })
  @IsOptional()
  categoryId?: string;
  @Field(() => Boolean, { nullable: true, description: "Staff: only released (true) or unreleased (false) documents." })
  @IsOptional()
  visibleToCustomer?: boolean;
}

@ArgsType()
export class DocumentCategoriesArgs {
  @Field(() => Boolean, { nullable: true, description: "Only the recommended ones (rule C4), for the invitation dialog's preselection." })
  @IsOptional()
  recommended?: boolean;
}

@InputType({ description: "Attach an uploaded file (createUpload, purpose DOCUMENT) as a document of a customer." })
export class UploadDocumentInput {
  @Field(() => ID)
  fileId!: string;
  @Field(() => ID)
  customerId!: string;
  @Field(() => ID, { nullable: true, description: "Staff: required. App accounts: optional (default: Sonstiges)." })
  @IsOptional()
  categoryId?: string;
  @Field(() => String, { nullable: true, description: "Defaults to the file name." })
  @IsOptional()
  @Length(1, 200)
  title?: string;
  @Field(() => ID, { nullable: true, description: "The contract it belongs to (rule C5)." })
  @IsOptional()
  contractId?: string;
  @Field(() => ID, { nullable: true, description: "The claim it belongs to (rule C5)." })
  @IsOptional()
  claimId?: string;
  @Field(() => Boolean, { nullable: true, description: "Staff only; default false. A customer's own upload is always visible to them." })
  @IsOptional()
  visibleToCustomer?: boolean;
}

@ObjectType()
export class DocumentPayload {
  @Field(() => Document)
  document!: Document;
}

@InputType({ description: "Rule C2: release or withdraw documents: by ids, or in bulk by customer and/or category." })
export class SetDocumentVisibilityInput {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(500)
  documentIds?: string[];
  @Field(() => ID, { nullable: true })
  @IsOptional()
  customerId?: string;
  @Field(() => ID, { nullable: true })
  @IsOptional()
  categoryId?: string;
  @Field(() => Boolean)
  visible!: boolean;
}

@ObjectType()
export class SetDocumentVisibilityPayload {
  @Field(() => Int, { description: "How many documents changed." })
  changed!: number;
}

@InputType()
export class SetRecommendedCategoriesInput {
  @Field(() => [ID], { description: "Rule C4: exactly these categories are recommended from now on." })
  @ArrayMaxSize(100)
  categoryIds!: string[];
}

@InputType()
export class CreateDocumentCategoryInput {
  @Field(() => String)
  @Length(1, 80)
  name!: string;
  @Field(() => Boolean, { defaultValue: false })
  recommended!: boolean;
}

@ObjectType()
export class DocumentCategoryPayload {
  @Field(() => DocumentCategory)
  category!: DocumentCategory;
}

@ObjectType()
export class DocumentCategoriesPayload {
  @Field(() => [DocumentCategory])
  categories!: DocumentCategory[];
}

