import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { Context } from "../context.js";
import { Node, fromGlobalId } from "./relay.js";
import { notFound, unauthenticated } from "../errors.js";
import { modules } from "../modules/index.js";
import type { NodeFinder } from "../modules/module.js";

/** Each node type and how to load it for the viewer, as the modules registered them; a row the viewer may not see is simply not found. */
let finders: Record<string, NodeFinder> | undefined;
function finderFor(type: string): NodeFinder | undefined {
  finders ??= Object.assign({}, ...modules.map((m) => ("nodes" in m ? m.nodes : {}))) as Record<string, NodeFinder>;
  return Object.hasOwn(finders, type) ? finders[type] : undefined;
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, { description: "Any object by its global ID (Relay). Missing and foreign objects both give NOT_FOUND." })
  async node(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Node> {
    // Nodes belong to a firm; only its members (staff, app accounts) can name one.
    if (ctx.viewer.kind !== "staff" && ctx.viewer.kind !== "app") throw unauthenticated();
    const decoded = fromGlobalId(id);
    const finder = decoded ? finderFor(decoded.type) : undefined;
    const found = decoded && finder ? await finder(ctx, decoded.id) : null;
    if (!found) throw notFound();
    return found;
  }
}
