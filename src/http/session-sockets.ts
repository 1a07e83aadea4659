import type WebSocket from "ws";
import type { Logger } from "../log.js";
import type { PubSubEngine } from "../realtime/engine.js";
import { SESSIONS_ENDED, type SessionService } from "../modules/session/session.service.js";

/** Close code for a socket whose session ended (logout, deactivation, expiry): the client must log in again. */
export const CLOSE_SESSION_ENDED = 4401;

/** How often this process checks that the sessions behind its sockets are still active. */
const SWEEP_MS = 1_000;

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

/**
 * Closes the sockets of ended sessions: at once when any process announces SESSIONS_ENDED on the bus, and
 * by a sweep every second, because sessions also end without an event (expiry, a missed NOTIFY).
 * Returns a function that stops both.
 */
export function closeEndedSessionSockets(opts: { sockets: SocketRegistry; bus: PubSubEngine; session: SessionService; log: Logger }): () => void {
  const { sockets, bus, session, log } = opts;
  const stopListening = bus.onMessage((message) => {
    if (message.topic !== SESSIONS_ENDED) return;
    for (const id of (message.payload.sessionIds as string[] | undefined) ?? []) sockets.closeSession(id);
  });

  const sweep = setInterval(() => {
    const ids = sockets.sessionIds();
    if (ids.length === 0) return;
    session
      .stillActive(ids)
      .then((active) => ids.filter((id) => !active.has(id)).forEach((id) => sockets.closeSession(id)))
      .catch((err: unknown) => log.warn({ err }, "socket sweep failed"));
  }, SWEEP_MS);
  sweep.unref();

  return () => {
    stopListening();
    clearInterval(sweep);
  };
}
