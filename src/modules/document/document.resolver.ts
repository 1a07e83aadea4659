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
  @Query(() => DocumentConnection, {
    description:
      "Documents, newest first. Staff: all of the firm's. App accounts: only the released documents of the customers they may access (their own and granted ones).",
  })
  documents(@Args(() => DocumentsArgs) args: DocumentsArgs, @Ctx() ctx: Context) {
    return ctx.services.document.list(ctx.viewer, args);
  }

  @Authorized("STAFF")
  @Query(() => [DocumentCategory], { description: "Staff only: the firm's document categories, defaults first in their fixed order, then the firm's own by name." })
  documentCategories(@Args(() => DocumentCategoriesArgs) args: DocumentCategoriesArgs, @Ctx() ctx: Context) {
    return ctx.services.document.categories(ctx.viewer, args);
  }

  @Authorized("STAFF", "APP")
  @Mutation(() => DocumentPayload, {
    description:
      "Stores an upload (`createUpload` with purpose DOCUMENT) as a document of a customer. Staff choose the category and whether it is released. App accounts upload to a customer they may access; their document is visible to them at once, and the customer's responsible staff are notified.",
  })
  uploadDocument(@Arg("input", () => UploadDocumentInput) input: UploadDocumentInput, @Ctx() ctx: Context) {
    return ctx.services.document.upload(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => SetDocumentVisibilityPayload, {
    description:
      "Staff only: releases documents to the customer app or withdraws them (the green eye), by ids or in bulk. A withdrawn document disappears from the app at once, including its download links. NOT_FOUND if an id, the customer or the category is not the firm's.",
  })
  setDocumentVisibility(@Arg("input", () => SetDocumentVisibilityInput) input: SetDocumentVisibilityInput, @Ctx() ctx: Context) {
    return ctx.services.document.setVisibility(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => DocumentCategoryPayload, { description: "Admins only: adds a category of the firm's own. CONFLICT if the firm has a category of that name already." })
  createDocumentCategory(@Arg("input", () => CreateDocumentCategoryInput) input: CreateDocumentCategoryInput, @Ctx() ctx: Context) {
    return ctx.services.document.createCategory(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => DocumentCategoriesPayload, { description: "Admins only: sets which categories the invitation dialog preselects. NOT_FOUND if an id is not one of the firm's categories." })
  setRecommendedDocumentCategories(@Arg("input", () => SetRecommendedCategoriesInput) input: SetRecommendedCategoriesInput, @Ctx() ctx: Context) {
    return ctx.services.document.setRecommended(ctx.viewer, input);
  }

  @FieldResolver(() => DocumentCategory, { description: "The document's category." })
  async category(@Root() doc: Document, @Ctx() ctx: Context): Promise<DocumentCategory> {
    return (await ctx.loaders.documentCategory.load(doc.categoryId))!;
  }

  @FieldResolver(() => Customer, { description: "The customer the document is stored at." })
  async customer(@Root() doc: Document, @Ctx() ctx: Context): Promise<Customer> {
    return (await ctx.loaders.customer.load(doc.customerId))!;
  }

  @FieldResolver(() => String, {
    description:
      "A signed URL to download the file, valid for 5 minutes and bound to this session; each download checks again that the session may still see the document.",
  })
  downloadUrl(@Root() doc: Document, @Ctx() ctx: Context): string {
    // A document reached this resolver only through a scoped read, so the viewer has a session.
    return ctx.services.file.downloadUrl(doc.fileId, ctx.baseUrl, ctx.viewer)!;
  }
}
