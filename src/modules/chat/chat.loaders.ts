import DataLoader from "dataloader";
import type { Services } from "../../services.js";
import type { Viewer } from "../../auth/viewer.js";
import { batchLoader, listLoader } from "../../graphql/batch-loader.js";

export function chatLoaders(services: Services, viewer: Viewer) {
  const chats = services.chat;
  return {
    /** Chats the viewer may see (CHAT permission for staff; its customers' open chats for app accounts). */
    chat: batchLoader((ids) => chats.findMany(viewer, ids), (c) => c.dbId),
    message: batchLoader((ids) => chats.findMessages(viewer, ids), (m) => m.dbId),
    lastMessage: batchLoader((ids) => chats.lastMessages(viewer, ids), (m) => m.chatId),
    unreadCount: new DataLoader<string, number>(async (ids) => {
      const found = await chats.unreadCounts(viewer, ids);
      return ids.map((id) => found.get(id) ?? 0);
    }),
    otherSideReadUpTo: new DataLoader<string, string | null>(async (ids) => {
      const found = await chats.otherSideReadUpTo(viewer, ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
    attachmentIds: listLoader((ids) => chats.attachmentIds(viewer, ids)),
  };
}
