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
registerEnumType(DocumentSource, {
  name: "DocumentSource",
  description: "Who uploaded a document.",
  valuesConfig: {
    STAFF: { description: "A staff user of the broker firm." },
    CUSTOMER: { description: "The customer, through the customer app (always visible to the customer)." },
  },
});

@ObjectType({
  implements: Node,
  description: "A document category of the firm: the defaults every firm starts with (policy, invoice, chat transcript, ...) and the firm's own.",
})
export class DocumentCategory extends Node {
  @Field(() => String, { nullable: true, description: "Stable key of a default category (POLICY, CHAT_TRANSCRIPT, ...); null for the firm's own." })
  key!: string | null;
  @Field(() => String, { description: "The category's display name (German for the defaults, e.g. \"Police\")." })
  name!: string;
  @Field(() => Boolean, { description: "Recommended categories are preselected in the invitation dialog when sharing SELECTED_CATEGORIES." })
  recommended!: boolean;

  dbId!: string;

  static from(row: DocumentCategoryRow): DocumentCategory {
    return Object.assign(new DocumentCategory(), { id: toGlobalId("DocumentCategory", row.id), dbId: row.id, key: row.key, name: row.name, recommended: row.recommended });
  }
}

@ObjectType({
  implements: Node,
  description:
    "A file stored at a customer, with a category. Staff see all of the firm's documents; app accounts only the released ones (`visibleToCustomer`) of the customers they may access.",
})
export class Document extends Node {
  @Field(() => String, { description: "The document's title: the file name unless a title was given at upload." })
  title!: string;
  @Field(() => String, { description: "The file name as uploaded." })
  fileName!: string;
  @Field(() => String, { description: "The real type, sniffed from the bytes." })
  mimeType!: string;
  @Field(() => Int, { description: "Size in bytes." })
  size!: number;
  @Field(() => Boolean, { description: "The green eye: whether the document is released to the customer app. Change it with `setDocumentVisibility`." })
  visibleToCustomer!: boolean;
  @Field(() => DocumentSource, { description: "Whether staff or the customer uploaded it." })
  source!: DocumentSource;
  @Field(() => Date, { description: "When it was uploaded; the `documents` list is newest first." })
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
  @Field(() => ID, { nullable: true, description: "Only this customer's documents; NOT_FOUND if the viewer may not see the customer." })
  @IsOptional()
  customerId?: string;
  @Field(() => ID, { nullable: true, description: "Only documents of this category." })
  @IsOptional()
  categoryId?: string;
  @Field(() => Boolean, { nullable: true, description: "Staff: only released (true) or unreleased (false) documents. Ignored for app accounts, who only ever see released ones." })
  @IsOptional()
  visibleToCustomer?: boolean;
}

@ArgsType()
export class DocumentCategoriesArgs {
  @Field(() => Boolean, { nullable: true, description: "Only the recommended (true) or the other (false) categories; true gives the invitation dialog's preselection." })
  @IsOptional()
  recommended?: boolean;
}

@InputType({ description: "Attach an uploaded file (createUpload, purpose DOCUMENT) as a document of a customer." })
export class UploadDocumentInput {
  @Field(() => ID, { description: "The `fileId` from `createUpload`, after the bytes were PUT; each upload can be attached once." })
  fileId!: string;
  @Field(() => ID, { description: "The customer the document belongs to; an app account may name its own customer or a granted one." })
  customerId!: string;
  @Field(() => ID, { nullable: true, description: "Staff: required. App accounts: optional (default: the \"Sonstiges\" category)." })
  @IsOptional()
  categoryId?: string;
  @Field(() => String, { nullable: true, description: "1 to 200 characters; defaults to the file name." })
  @IsOptional()
  @Length(1, 200)
  title?: string;
  @Field(() => ID, { nullable: true, description: "The contract it belongs to, one of the same customer the viewer can see (NOT_FOUND otherwise). A customer's upload to a contract notifies the contract's responsible staff, else the customer's." })
  @IsOptional()
  contractId?: string;
  @Field(() => ID, { nullable: true, description: "The claim it belongs to, one of the same customer the viewer can see (NOT_FOUND otherwise; staff need the CLAIMS permission). A customer's upload notifies the customer's responsible staff." })
  @IsOptional()
  claimId?: string;
  @Field(() => Boolean, { nullable: true, description: "Staff: release it at once (default false). App accounts: leave it out; a customer's own upload is always visible to them, and false is refused." })
  @IsOptional()
  visibleToCustomer?: boolean;
}

@ObjectType()
export class DocumentPayload {
  @Field(() => Document)
  document!: Document;
}

@InputType({
  description:
    "Which documents to release or withdraw: by ids, or in bulk by customer and/or category. Give at least one selector; several narrow each other down (e.g. one customer's invoices).",
})
export class SetDocumentVisibilityInput {
  @Field(() => [ID], { nullable: true, description: "These documents (at most 500)." })
  @IsOptional()
  @ArrayMaxSize(500)
  documentIds?: string[];
  @Field(() => ID, { nullable: true, description: "All documents of this customer." })
  @IsOptional()
  customerId?: string;
  @Field(() => ID, { nullable: true, description: "All documents of this category." })
  @IsOptional()
  categoryId?: string;
  @Field(() => Boolean, { description: "true releases them to the customer app, false withdraws them." })
  visible!: boolean;
}

@ObjectType()
export class SetDocumentVisibilityPayload {
  @Field(() => Int, { description: "How many documents changed; those already as requested are not counted." })
  changed!: number;
  @Field(() => [Document], { description: "The documents that changed, as they are now (newest first); those already as requested are left out." })
  documents!: Document[];
}

@InputType()
export class SetRecommendedCategoriesInput {
  @Field(() => [ID], { description: "Exactly these categories are recommended from now on; the others no longer are. An empty list clears them." })
  @ArrayMaxSize(100)
  categoryIds!: string[];
}

@InputType()
export class CreateDocumentCategoryInput {
  @Field(() => String, { description: "1 to 80 characters, unique within the firm." })
  @Length(1, 80)
  name!: string;
  @Field(() => Boolean, { defaultValue: false, description: "Whether the invitation dialog preselects it." })
  recommended!: boolean;
}

@ObjectType()
export class DocumentCategoryPayload {
  @Field(() => DocumentCategory)
  category!: DocumentCategory;
}

@ObjectType()
export class DocumentCategoriesPayload {
  @Field(() => [DocumentCategory], { description: "All of the firm's categories, as `documentCategories` lists them." })
  categories!: DocumentCategory[];
}

