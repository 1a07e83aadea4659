import type { Node } from "../../graphql/relay.js";
import { defineModule } from "../module.js";
import * as tables from "./notification.table.js";
import { NotificationResolver } from "./notification.resolver.js";

export const notificationModule = defineModule({
  name: "notification",
  resolvers: [NotificationResolver],
  tables,
  nodes: { Notification: (ctx, id): Promise<Node | null> => ctx.services.notification.find(ctx.viewer, id) },
});
