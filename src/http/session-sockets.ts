import type WebSocket from "ws";
import type { Logger } from "../log.js";
import type { PubSubEngine } from "../realtime/engine.js";
import { SESSIONS_ENDED, type SessionService } from "../modules/session/session.service.js";

/** Close code for a socket whose session ended (logout, deactivation, expiry): the client must log in again. */
export const CLOSE_SESSION_ENDED = 4401;

/**
 * Close code for a socket refused because its session or user holds too many already (WS_MAX_PER_SESSION,
 * WS_MAX_PER_USER). graphql-ws uses 4429 for a repeated `connection_init`; the reason tells the two apart.
 */
export const CLOSE_TOO_MANY_SOCKETS = 4429;

/** How often this process checks that the sessions behind its sockets are still active. */
const SWEEP_MS = 1_000;

/** Open WebSockets by session, so ending a session closes its sockets in this process. */
export class SocketRegistry {
  private readonly bySession = new Map<string, Set<WebSocket>>();
  private readonly byUser = new Map<string, Set<WebSocket>>();

  add(sessionId: string, socket: WebSocket, userKey?: string): void {
    const sets: Array<[Map<string, Set<WebSocket>>, string]> = [[this.bySession, sessionId]];
    if (userKey) sets.push([this.byUser, userKey]);
    for (const [map, key] of sets) {
      let set = map.get(key);
      if (!set) map.set(key, (set = new Set()));
      set.add(socket);
      socket.once("close", () => {
        set.delete(socket);
        if (set.size === 0) map.delete(key);
      });
    }
  }

  /**
   * Registers the socket unless its session or user (in this process) holds the maximum already; then returns
   * the reason to close it with. Synchronous, so sockets that connect at the same moment are counted exactly.
   */
  admit(sessionId: string, userKey: string, socket: WebSocket, max: { perSession: number; perUser: number }): string | undefined {
    if ((this.bySession.get(sessionId)?.size ?? 0) >= max.perSession) return `Too many connections for this session (at most ${max.perSession})`;
    if ((this.byUser.get(userKey)?.size ?? 0) >= max.perUser) return `Too many connections for this user (at most ${max.perUser})`;
    this.add(sessionId, socket, userKey);
    return undefined;
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
      .endedOf(ids)
      .then((ended) => ended.forEach((id) => sockets.closeSession(id)))
      .catch((err: unknown) => log.warn({ err }, "socket sweep failed"));
  }, SWEEP_MS);
  sweep.unref();

  return () => {
    stopListening();
    clearInterval(sweep);
  };
}
