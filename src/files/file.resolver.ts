import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { toGlobalId } from "../graphql/relay.js";
import { CreateUploadInput, CreateUploadPayload } from "./file.types.js";

@Resolver()
export class FileResolver {
  @Authorized("STAFF", "APP")
  @Mutation(() => CreateUploadPayload, {
    description:
      "Step 1 of every upload: reserves a file and returns a short-lived URL to PUT its bytes to. FORBIDDEN if the viewer may not upload for this purpose; BAD_USER_INPUT (FILE_TYPE, FILE_SIZE, LENGTH) if the declared type, size or name does not fit it.",
  })
  async createUpload(@Arg("input", () => CreateUploadInput) input: CreateUploadInput, @Ctx() ctx: Context): Promise<CreateUploadPayload> {
    const created = await ctx.services.file.createUpload(ctx.viewer, input, ctx.baseUrl);
    return { ...created, fileId: toGlobalId("File", created.fileId) };
  }
}
