import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { toGlobalId } from "../graphql/relay.js";
import { CreateUploadInput, CreateUploadPayload } from "./file.types.js";

@Resolver()
export class FileResolver {
  @Authorized("STAFF", "APP")
  @Mutation(() => CreateUploadPayload, { description: "Step 1 of every upload: a short-lived URL to PUT the bytes to." })
  async createUpload(@Arg("input", () => CreateUploadInput) input: CreateUploadInput, @Ctx() ctx: Context): Promise<CreateUploadPayload> {
    const created = await ctx.services.file.createUpload(ctx.viewer, input, ctx.baseUrl);
    return { ...created, fileId: toGlobalId("File", created.fileId) };
  }
}
