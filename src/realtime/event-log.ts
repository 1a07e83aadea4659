import { and, asc, eq, gt, sql } from "drizzle-orm";
import { Repeater } from "@graphql-yoga/subscription";
import type { Deps } from "../deps.js";
import type { Tx } from "../db/client.js";
import { events, type EventRow } from "./events.table.js";
import { badInput } from "../errors.js";

/** Bus topic that says "the event log of this firm has grown"; subscribers then read the log. */
export const EVENTS_APPENDED = "events.appended";

export interface NewEvent {
  tenantId: string;
  topic: string;
  entityId: string;
  audienceId?: string | null;
}

export type Emit = (event: NewEvent) => Promise<void>;

export interface StreamOptions<T> {
  tenantId: string;
  topic: string;
  /** Only events for this audience (e.g. the viewer's own notifications). */
  audienceId?: string;
  /** Resume after this cursor: every event committed since is replayed first. */
  after?: string | null;
  /**
   * Turns new log rows into what the client receives, checking access against the viewer's
   * rights at this moment. Returns null to end the stream (the session is gone).
   */
  load(rows: EventRow[]): Promise<Array<{ cursor: string; value: T }> | null>;
}

function parseCursor(after: string | null | undefined): number | undefined {
  if (after === undefined || after === null) return undefined;
  if (!/^[0-9]{1,15}$/.test(after)) throw badInput([{ field: "after", rule: "CURSOR", message: "is not an event cursor" }]);
  return Number(after);
}

/**
 * Writes events in the transaction of the change that causes them, and streams them to subscribers.
 *
 * Gapless resume: appending takes a per-firm transaction lock, so a firm's event ids become visible
 * in id order. A subscriber keeps the last id it delivered and, on every wake-up from the bus, reads the
 * log after it. Replay and live delivery are the same query, so nothing falls between them and nothing
 * is delivered twice.
 */
export class EventLog {
  constructor(private readonly deps: Deps) {}

  /** The newest cursor, so a client that starts without `after` knows where "now" is. */
  async head(tenantId: string): Promise<number> {
    const rows = await this.deps.database.rows<{ id: string | number | null }>(
      sql`select max(${events.id}) as id from ${events} where ${events.tenantId} = ${tenantId}`,
    );
    return Number(rows[0]?.id ?? 0);
  }

  /** Runs `fn` in a transaction; events it emits are written with it and announced only after commit. */
  async transact<T>(fn: (tx: Tx, emit: Emit) => Promise<T>): Promise<T> {
    const touched = new Set<string>();
    const result = await this.deps.database.db.transaction(async (tx) => {
      const locked = new Set<string>();
      const emit: Emit = async (e) => {
        if (!locked.has(e.tenantId)) {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${e.tenantId}, 7))`);
          locked.add(e.tenantId);
        }
        await tx.insert(events).values({
          tenantId: e.tenantId,
          topic: e.topic,
          entityId: e.entityId,
          audienceId: e.audienceId ?? null,
          createdAt: this.deps.clock.now(),
        });
        touched.add(e.tenantId);
      };
      return fn(tx as unknown as Tx, emit);
    });
    for (const tenantId of touched) {
      // Committed already: a bus failure only delays delivery until a subscriber's next wake-up or poll.
      await this.deps.bus
        .publish({ topic: EVENTS_APPENDED, payload: { tenantId } })
        .catch((err: unknown) => this.deps.log.warn({ err }, "could not announce new events; subscribers will poll"));
    }
    return result;
  }

  /** An async stream of a topic's events for one firm (and audience), replaying from `after` first. */
  stream<T>(opts: StreamOptions<T>): AsyncIterableIterator<{ cursor: string; value: T }> {
    const { db } = this.deps.database;
    const bus = this.deps.bus;
    const startAfter = parseCursor(opts.after);
    return new Repeater<{ cursor: string; value: T }>(async (push, stop) => {
      let last = startAfter ?? (await this.head(opts.tenantId));
      let running = false;
      let again = false;

      const drain = async (): Promise<void> => {
        // Coalesce wake-ups: one read at a time, and one more if woken meanwhile.
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          do {
            again = false;
            for (;;) {
              const rows = await db
                .select()
                .from(events)
                .where(
                  and(
                    eq(events.tenantId, opts.tenantId),
                    eq(events.topic, opts.topic),
                    gt(events.id, last),
                    opts.audienceId ? eq(events.audienceId, opts.audienceId) : undefined,
                  ),
                )
                .orderBy(asc(events.id))
                .limit(100);
              if (rows.length === 0) break;
              const loaded = await opts.load(rows);
              if (loaded === null) return stop();
              last = rows.at(-1)!.id;
              for (const item of loaded) await push(item);
              if (rows.length < 100) break;
            }
          } while (again);
        } catch (err) {
          stop(err);
        } finally {
          running = false;
        }
      };

      const off = bus.onMessage((m) => {
        if (m.topic === EVENTS_APPENDED && m.payload.tenantId === opts.tenantId) void drain();
      });
      // A wake-up lost on the bus (a reconnect, a failed publish) delays an event by one poll at most.
      const poll = setInterval(() => void drain(), this.deps.config.eventPollMs);
      poll.unref();
      await drain();
      await stop;
      clearInterval(poll);
      off();
    });
  }
}
