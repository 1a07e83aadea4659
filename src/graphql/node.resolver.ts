import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { Node, fromGlobalId } from "./relay.js";
import { notFound, unauthenticated } from "../errors.js";

type Finder = (ctx: Context, id: string) => Promise<Node | null>;

/** Each node type and how to load it for the viewer; a row the viewer may not see is simply not found. */
const finders: Record<string, Finder> = {
  Tenant: (ctx, id) => ctx.services.tenant.find(ctx.viewer, id),
  StaffUser: (ctx, id) => ctx.loaders.staffUser.load(id),
  Notification: (ctx, id) => ctx.services.notification.find(ctx.viewer, id),
  Customer: (ctx, id) => ctx.loaders.customer.load(id),
  AppAccount: (ctx, id) => ctx.services.account.find(ctx.viewer, id),
  Document: (ctx, id) => ctx.loaders.document.load(id),
  DocumentCategory: (ctx, id) => ctx.loaders.documentCategory.load(id),
};

@Resolver()
export class NodeResolver {
  @Query(() => Node, { description: "Any object by its global ID (Relay). Missing and foreign objects both give NOT_FOUND." })
  async node(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Node> {
    // Nodes belong to a firm; only its members (staff, app accounts) can name one.
    if (ctx.viewer.kind !== "staff" && ctx.viewer.kind !== "app") throw unauthenticated();
    const decoded = fromGlobalId(id);
    const finder = decoded ? finders[decoded.type] : undefined;
    const found = decoded && finder ? await finder(ctx, decoded.id) : null;
    if (!found) throw notFound();
    return found;
  }
}
