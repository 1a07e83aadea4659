import type WebSocket from "ws";

/** Close code for a socket whose session ended (logout, deactivation, expiry): the client must log in again. */
export const CLOSE_SESSION_ENDED = 4401;

/** Open WebSockets by session, so ending a session closes its sockets in this process. */
export class SocketRegistry {
  private readonly bySession = new Map<string, Set<WebSocket>>();

  add(sessionId: string, socket: WebSocket): void {
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(socket);
    socket.once("close", () => {
      set.delete(socket);
      if (set.size === 0) this.bySession.delete(sessionId);
    });
  }

  sessionIds(): string[] {
    return [...this.bySession.keys()];
  }

  closeSession(sessionId: string, reason = "Session ended"): void {
    for (const socket of this.bySession.get(sessionId) ?? []) socket.close(CLOSE_SESSION_ENDED, reason);
  }
}
