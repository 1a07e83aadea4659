import type { Node } from "../../graphql/relay.js";
import { defineModule } from "../module.js";
import * as tables from "./chat.table.js";
import { ChatResolver, MessageResolver, OverviewChatResolver } from "./chat.resolver.js";
import { chatLoaders } from "./chat.loaders.js";

export const chatModule = defineModule({
  name: "chat",
  resolvers: [ChatResolver, MessageResolver, OverviewChatResolver],
  tables,
  loaders: chatLoaders,
  nodes: {
    Chat: (ctx, id): Promise<Node | null> => ctx.loaders.chat.load(id),
    Message: (ctx, id): Promise<Node | null> => ctx.loaders.message.load(id),
  },
});
