import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context.js";
import { Customer } from "../customer/customer.types.js";
import {
  CreateDocumentCategoryInput,
  Document,
  DocumentCategoriesArgs,
  DocumentCategoriesPayload,
  DocumentCategory,
  DocumentCategoryPayload,
  DocumentConnection,
  DocumentPayload,
  DocumentsArgs,
  SetDocumentVisibilityInput,
  SetDocumentVisibilityPayload,
  SetRecommendedCategoriesInput,
  UploadDocumentInput,
} from "./document.types.js";

@Resolver(() => Document)
export class DocumentResolver {
  @Authorized("STAFF", "APP")
  @Query(() => DocumentConnection, { description: "Newest first. Staff: the firm's. App accounts: the released documents of the customers they may access (rule C3)." })
  documents(@Args(() => DocumentsArgs) args: DocumentsArgs, @Ctx() ctx: Context) {
    return ctx.services.document.list(ctx.viewer, args);
  }

  @Authorized("STAFF")
  @Query(() => [DocumentCategory], { description: "Rules C2/C4: the firm's document categories." })
  documentCategories(@Args(() => DocumentCategoriesArgs) args: DocumentCategoriesArgs, @Ctx() ctx: Context) {
    return ctx.services.document.categories(ctx.viewer, args);
  }

  @Authorized("STAFF", "APP")
  @Mutation(() => DocumentPayload, { description: "Attach an upload (createUpload, purpose DOCUMENT) to a customer. Rules C2, C5." })
  uploadDocument(@Arg("input", () => UploadDocumentInput) input: UploadDocumentInput, @Ctx() ctx: Context) {
    return ctx.services.document.upload(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => SetDocumentVisibilityPayload, { description: "Rule C2: release or withdraw documents, one by one or in bulk." })
  setDocumentVisibility(@Arg("input", () => SetDocumentVisibilityInput) input: SetDocumentVisibilityInput, @Ctx() ctx: Context) {
    return ctx.services.document.setVisibility(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => DocumentCategoryPayload, { description: "Rule C2 (admins): a category of the firm's own." })
  createDocumentCategory(@Arg("input", () => CreateDocumentCategoryInput) input: CreateDocumentCategoryInput, @Ctx() ctx: Context) {
    return ctx.services.document.createCategory(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => DocumentCategoriesPayload, { description: "Rule C4 (admins): which categories the invitation preselects." })
  setRecommendedDocumentCategories(@Arg("input", () => SetRecommendedCategoriesInput) input: SetRecommendedCategoriesInput, @Ctx() ctx: Context) {
    return ctx.services.document.setRecommended(ctx.viewer, input);
  }

  @FieldResolver(() => DocumentCategory)
  async category(@Root() doc: Document, @Ctx() ctx: Context): Promise<DocumentCategory> {
    return (await ctx.loaders.documentCategory.load(doc.categoryId))!;
  }

  @FieldResolver(() => Customer)
  async customer(@Root() doc: Document, @Ctx() ctx: Context): Promise<Customer> {
    return (await ctx.loaders.customer.load(doc.customerId))!;
  }

  @FieldResolver(() => String, { description: "A short-lived URL to download the file; only ever issued to a viewer who may see it." })
  downloadUrl(@Root() doc: Document, @Ctx() ctx: Context): string {
    // A document reached this resolver only through a scoped read, so the viewer has a session.
    return ctx.services.file.downloadUrl(doc.fileId, ctx.baseUrl, ctx.viewer)!;
  }
}
