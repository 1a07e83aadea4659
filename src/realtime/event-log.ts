import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { Repeater } from "@graphql-yoga/subscription";
import type { Deps } from "../deps.js";
import type { Tx } from "../db/client.js";
import type { SessionViewer, Viewer } from "../auth/viewer.js";
import { events, type EventRow } from "./events.table.js";
import { AppError, ErrorCode, badInput } from "../errors.js";
import { observeDeliveryLag } from "../metrics/metrics.js";

/** Bus topic that says "the event log of this firm has grown (in these topics)"; the firm's reader then reads the log. */
export const EVENTS_APPENDED = "events.appended";

/** Rows one read of the log takes at most; a longer backlog is read in several. */
const PAGE = 500;
/** Batches a subscriber may have waiting before it is ended as too slow (it resumes with `after:`). */
const MAX_BACKLOG = 200;

export interface NewEvent {
  tenantId: string;
  topic: string;
  entityId: string;
  /** Who the event is for, where that narrows it (a staff user, an app account, a customer); null for the whole firm. */
  audienceId?: string | null;
}

export type Emit = (event: NewEvent) => Promise<void>;

/**
 * Which of a topic's events a viewer receives, decided with the viewer as it is at that moment:
 * every event of the firm, those whose audience is in a set (the viewer's own id, the customers an
 * account may access), or none (a permission was removed: events stop, the subscription stays).
 */
export type Audience = "firm" | ReadonlySet<string> | null;

export interface WatchOptions<T> {
  /** The subscriber at subscribe time; every read re-loads it from its session. */
  viewer: SessionViewer;
  topic: string;
  /** Resume after this cursor: every event committed since is replayed first. */
  after?: string | null;
  audience(viewer: SessionViewer): Audience;
  /** Turns the viewer's new rows into what the client receives, checking access with the viewer as it is now. */
  load(viewer: SessionViewer, rows: EventRow[]): Promise<Array<{ cursor: string; value: T }>>;
  /** `load` depends on who the viewer is, not only on their rights: loads are then shared only by one viewer's sockets. */
  loadPerViewer?: boolean;
}

/** What a subscription yields: the value, its cursor, and the viewer it was checked against (field resolvers use it). */
export interface LiveEvent<T> {
  cursor: string;
  value: T;
  viewer: SessionViewer;
  /**
   * The same for every subscriber that receives this event with the same rights (see `accessScopeKey`): the
   * WebSocket server executes the operation once per (operation, variables, shareKey), adding `viewerKey` when
   * the operation selects a field marked per viewer (src/http/shared-execution.ts).
   */
  shareKey: string;
  /** Who the subscriber is (the staff user or app account), for operations that select per-viewer fields. */
  viewerKey: string;
}

/**
 * What a subscription's `load` and the fields of its payload may depend on, except the fields marked per viewer
 * (`@Extensions({ perViewer: true })`, e.g. a staff user's unread count): the firm and the viewer's rights (role
 * and permissions; for an app account, the customers it may access). Subscribers with the same key are served
 * the same loaded values and the same execution result.
 */
export function accessScopeKey(v: SessionViewer): string {
  return v.kind === "staff" ? `staff:${v.tenantId}:${v.role}:${[...v.permissions].sort().join(",")}` : `app:${v.tenantId}:${[...v.customerIds].sort().join(",")}`;
}

/** The viewer's identity: a staff user or an app account. */
export function viewerKey(v: SessionViewer): string {
  return v.kind === "staff" ? `staff:${v.userId}` : `app:${v.accountId}`;
}

/** Loads of one read of the log, shared by the subscribers that need the same rows as the same access scope. */
type SharedLoads = Map<string, Promise<Array<{ cursor: string; value: unknown }>>>;

/**
 * The method by which a consumer (the WebSocket server, src/http/shared-execution.ts) asks a subscription's
 * iterator for direct delivery: the firm's reader then writes each event to it together with every other socket
 * of the same load, operation and scope, with one execution and one serialization for all of them, instead of
 * handing it through the iterator socket by socket (issue 14). The iterator's `next()` then settles only when the
 * stream ends, or with an event that must go the per-socket way (see `DirectSink.execute`).
 */
export const DIRECT = Symbol.for("kundenapp.directDelivery");

/** A socket's subscription that takes events written for many sockets at once. */
export interface DirectSink {
  /** Sinks with the same operation (and, for a per-viewer one, the same viewer) are written the same payload. */
  readonly operation: string;
  readonly perViewer: boolean;
  /** The `next` payload (serialized) for this event, or null when it must go through the iterator (it has errors). */
  execute(event: LiveEvent<unknown>): Promise<string | null>;
  /** Writes the payload to the socket; false when the socket has fallen too far behind (the subscription ends). */
  write(payload: string): boolean;
}

/** A subscription iterator that may be switched to direct delivery (before its first `next()`). */
export type DirectCapable<T> = AsyncIterableIterator<LiveEvent<T>> & { [DIRECT](sink: DirectSink): void };

/** Direct subscribers of one read that need the same rows as the same access scope: one load, then one execution per operation. */
interface Batch {
  key: string;
  loading: Promise<Array<{ cursor: string; value: unknown }>>;
  createdAt: Date[];
  members: Array<{ sub: Subscriber; sink: DirectSink; viewer: SessionViewer; who: string }>;
}
type Batches = Map<string, Batch>;

/** Re-loads sessions in one query: the viewer of each session that still is one. */
export type ViewerReloader = (sessionIds: string[]) => Promise<Map<string, Viewer>>;

/**
 * Subscription cursors, the one place they are made and read. A client gets an opaque string (base64url of a
 * versioned payload, `v1:<event id>`), so the encoding can change without breaking stored cursors: a new version is
 * added here and the old ones stay readable. The bare decimal event id, which clients were given before, and which
 * `head()` returns, is still accepted.
 */
const CURSOR_V1 = /^v1:([0-9]{1,15})$/;

/** The cursor a client receives with an event, to resume after it with `after:`. */
export function eventCursor(eventId: number): string {
  return Buffer.from(`v1:${eventId}`, "utf8").toString("base64url");
}

/** The event id an `after:` cursor stands for (undefined for none); anything not made by `eventCursor` or a decimal id is BAD_USER_INPUT, rule CURSOR. */
export function parseCursor(after: string | null | undefined): number | undefined {
  if (after === undefined || after === null) return undefined;
  // The decimal form: cursors stored by clients before they were opaque.
  if (/^[0-9]{1,15}$/.test(after)) return Number(after);
  if (/^[A-Za-z0-9_-]{1,40}$/.test(after)) {
    const id = CURSOR_V1.exec(Buffer.from(after, "base64url").toString("utf8"))?.[1];
    // Only the canonical spelling: a cursor decodes to one event, and one event has one cursor.
    if (id !== undefined && eventCursor(Number(id)) === after) return Number(id);
  }
  throw badInput([{ field: "after", rule: "CURSOR", message: "is not an event cursor" }]);
}

/** One subscription, as the firm's reader sees it. */
interface Subscriber {
  topic: string;
  sessionId: string;
  /** The staff user or app account: an event of an audience-growing topic for it makes its known audience stale. */
  principalId: string;
  /** The last event id this subscriber has been handed (delivered or passed over as not its own). */
  last: number;
  /**
   * Whether any of these rows may be for it, by the audience of its viewer as last re-loaded: false only when none
   * can be (the rows' audiences are outside it). Only ever used to skip re-loading a viewer that has nothing to
   * receive; what is delivered is always decided with the viewer re-loaded for it.
   */
  mayWant(rows: EventRow[]): boolean;
  /** Its audience may have grown (a grant): the next rows are checked with a re-loaded viewer, whatever they are. */
  stale: boolean;
  /**
   * Hands over rows past `last` with the viewer re-loaded for them (null: the session ended). Never blocks the
   * reader: a subscriber in direct delivery joins a batch of this read, the others queue them for their iterator.
   */
  offer(viewer: SessionViewer | null, rows: EventRow[], shared: SharedLoads, batches: Batches): void;
  /** An event of a batch that must go through its iterator after all (its execution has errors), in order. */
  queue(event: LiveEvent<unknown>): void;
  /** Ends the subscription with an error (its load failed, its socket fell behind). */
  fail(err: unknown): void;
}

/**
 * Reads one firm's event log for every subscription of this process: one read per wake-up, whatever the
 * number of subscribers, and one query to re-load their viewers. Each subscriber gets the rows after its
 * own cursor, so replay (`after:`) and live delivery are the same path.
 */
class FirmFeed {
  readonly subscribers = new Set<Subscriber>();
  private running = false;
  private again = false;
  private readonly poll: NodeJS.Timeout;

  constructor(
    private readonly log: EventLog,
    readonly tenantId: string,
    pollMs: number,
  ) {
    // A wake-up lost on the bus (a reconnect, a failed publish) delays an event by one poll at most.
    this.poll = setInterval(() => void this.drain(), pollMs);
    this.poll.unref();
  }

  add(sub: Subscriber): void {
    this.subscribers.add(sub);
    void this.drain();
  }

  remove(sub: Subscriber): boolean {
    this.subscribers.delete(sub);
    if (this.subscribers.size > 0) return false;
    clearInterval(this.poll);
    return true;
  }

  /** Woken by the bus; a message naming only topics nobody here watches costs nothing. */
  wake(topics: unknown): void {
    if (Array.isArray(topics) && ![...this.subscribers].some((s) => topics.includes(s.topic))) return;
    void this.drain();
  }

  /** Coalesces wake-ups: one read at a time, and one more if woken meanwhile. */
  async drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        while (await this.readOnce()) {
          // a full page: read on
        }
      } while (this.again);
    } catch (err) {
      this.log.logError(err);
    } finally {
      this.running = false;
    }
  }

  /** One read of the log for every subscriber; true when a full page came back (more may follow). */
  private async readOnce(): Promise<boolean> {
    const subs = [...this.subscribers];
    if (subs.length === 0) return false;
    const from = Math.min(...subs.map((s) => s.last));
    const topics = [...new Set([...subs.map((s) => s.topic), ...this.log.audienceGrowingTopics])];
    const rows = await this.log.read(this.tenantId, topics, from);
    if (rows.length === 0) return false;
    const upTo = rows.at(-1)!.id;
    // Whose audience may have grown (a household grant): they are re-loaded for whatever comes next.
    const grown = new Set(rows.filter((r) => this.log.audienceGrowingTopics.has(r.topic) && r.audienceId).map((r) => r.audienceId!));
    // The rows by topic, once: thousands of subscribers of one topic share its list instead of each filtering the page.
    const byTopic = groupBy(rows, (r) => r.topic);
    const due = new Map<Subscriber, EventRow[]>();
    for (const s of subs) {
      if (grown.size > 0 && grown.has(s.principalId)) s.stale = true;
      const list = byTopic.get(s.topic);
      const mine = !list ? [] : list[0]!.id > s.last ? list : list.filter((r) => r.id > s.last);
      // A subscriber none of whose rows can be for it (another customer's chat) costs no re-load of its viewer:
      // with 2,000 customers' phones connected, a message re-loads one session instead of 2,000.
      if (mine.length && (s.stale || s.mayWant(mine))) due.set(s, mine);
      // The read covered every topic watched here up to `upTo`: nothing of this subscriber's lies before it unread.
      s.last = Math.max(s.last, upTo);
    }
    if (due.size > 0) {
      const viewers = await this.log.reloadViewers([...new Set([...due.keys()].map((s) => s.sessionId))]);
      // One load per (topic, access scope, rows) for this read, however many sockets of that scope wait for it.
      const shared: SharedLoads = new Map();
      const batches: Batches = new Map();
      for (const [s, mine] of due) {
        const v = viewers.get(s.sessionId);
        s.offer(v && (v.kind === "staff" || v.kind === "app") ? v : null, mine, shared, batches);
      }
      // Direct deliveries are written before the next read, so each socket gets its events in order.
      await Promise.all([...batches.values()].map((b) => this.deliver(b)));
    }
    return rows.length === PAGE;
  }

  /** One batch: its load, then per event one execution per operation (and viewer, where per viewer), one payload for all its sockets. */
  private async deliver(batch: Batch): Promise<void> {
    let items: Array<{ cursor: string; value: unknown }>;
    try {
      items = await batch.loading;
    } catch (err) {
      for (const m of batch.members) m.sub.fail(err);
      return;
    }
    if (items.length === 0) return;
    const now = this.log.now();
    // Delivery lag, as on the per-socket path: once per subscriber handed these events.
    for (let i = 0; i < batch.members.length; i++) observeDeliveryLag(now, batch.createdAt);
    const byOperation = groupBy(batch.members, (m) => (m.sink.perViewer ? `${m.sink.operation}|${m.who}` : m.sink.operation));
    for (const item of items) {
      const eventFor = (m: Batch["members"][number]): LiveEvent<unknown> => ({ ...item, viewer: m.viewer, shareKey: `${batch.key}|${item.cursor}`, viewerKey: m.who });
      await Promise.all(
        [...byOperation.values()].map(async (members) => {
          const payload = await members[0]!.sink.execute(eventFor(members[0]!)).catch(() => null);
          for (const m of members) {
            if (payload === null) m.sub.queue(eventFor(m));
            else if (!m.sink.write(payload)) m.sub.fail(new AppError(ErrorCode.RATE_LIMITED, FELL_BEHIND));
          }
        }),
      );
    }
  }
}

/** Items by a key, in their order. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

const FELL_BEHIND = "This subscription fell too far behind; subscribe again with `after:` and the last cursor";

/**
 * Writes events in the transaction of the change that causes them, and streams them to subscribers.
 *
 * Gapless resume: appending takes a per-firm transaction lock, so a firm's event ids become visible
 * in id order. Each subscriber keeps the last id it was handed; the firm's reader reads the log after
 * the lowest of them, so nothing falls between replay and live delivery and nothing is delivered twice.
 */
export class EventLog {
  private readonly feeds = new Map<string, FirmFeed>();
  private reloader: ViewerReloader | undefined;
  /** Reads of the event log by subscriptions, for tests and benchmarks (one per wake-up per firm, not per subscriber). */
  reads = 0;
  /** Sessions re-loaded for subscribers, for tests and benchmarks (only those that may receive what was read). */
  reloadedSessions = 0;
  /** Topics whose event for a principal (its `audienceId`) means that principal's audience may have grown. */
  readonly audienceGrowingTopics = new Set<string>();

  constructor(private readonly deps: Deps) {
    deps.bus.onMessage((m) => {
      if (m.topic !== EVENTS_APPENDED || typeof m.payload.tenantId !== "string") return;
      this.feeds.get(m.payload.tenantId)?.wake(m.payload.topics);
    });
  }

  /**
   * Declares that an event of this topic for a staff user or app account (`audienceId`) may widen what it may
   * receive (household grants): its subscriptions then check the next rows with a re-loaded viewer.
   */
  audienceGrowsOn(topic: string): void {
    this.audienceGrowingTopics.add(topic);
  }

  /** How subscriptions re-load their viewers (the session service; set once at wiring, it is built after the log). */
  useViewerReloader(reloader: ViewerReloader): void {
    this.reloader = reloader;
  }

  /** The newest cursor, so a client that starts without `after` knows where "now" is. */
  async head(tenantId: string): Promise<number> {
    const rows = await this.deps.database.rows<{ id: string | number | null }>(
      sql`select max(${events.id}) as id from ${events} where ${events.tenantId} = ${tenantId}`,
    );
    return Number(rows[0]?.id ?? 0);
  }

  /**
   * Runs `fn` in a transaction; events it emits are written with it and announced only after commit. They are
   * written at the end of `fn`, each firm's in one statement that first takes the firm's lock: ids are drawn in
   * commit order (a reader never skips an event), and the lock is held only for that statement and the commit
   * rather than from the first event on (issue 14: a firm's writes queue behind it).
   */
  async transact<T>(fn: (tx: Tx, emit: Emit) => Promise<T>): Promise<T> {
    const pending = new Map<string, NewEvent[]>();
    const result = await this.deps.database.db.transaction(async (tx) => {
      const emit: Emit = async (e) => {
        const list = pending.get(e.tenantId);
        if (list) list.push(e);
        else pending.set(e.tenantId, [e]);
      };
      const out = await fn(tx as unknown as Tx, emit);
      const now = this.deps.clock.now().toISOString();
      for (const [tenantId, list] of pending) {
        const rows = sql.join(
          list.map((e, i) => sql`(${e.topic}::text, ${e.entityId}::uuid, ${e.audienceId ?? null}::uuid, ${i}::int)`),
          sql`, `,
        );
        // The materialized CTE is evaluated before any row is inserted, so every id is drawn with the lock held.
        await tx.execute(sql`with locked as materialized (select pg_advisory_xact_lock(hashtextextended(${tenantId}, 7)))
          insert into ${events} (tenant_id, topic, entity_id, audience_id, created_at)
          select ${tenantId}::uuid, v.topic, v.entity_id, v.audience_id, ${now}::timestamptz
          from locked, (values ${rows}) as v(topic, entity_id, audience_id, ord) order by v.ord`);
      }
      return out;
    });
    for (const [tenantId, list] of pending) {
      // Committed already: a bus failure only delays delivery until the reader's next wake-up or poll.
      await this.deps.bus
        .publish({ topic: EVENTS_APPENDED, payload: { tenantId, topics: [...new Set(list.map((e) => e.topic))] } })
        .catch((err: unknown) => this.deps.log.warn({ err }, "could not announce new events; subscribers will poll"));
    }
    return result;
  }

  /** @internal The firm's reader: rows of these topics after a cursor. */
  async read(tenantId: string, topics: string[], after: number): Promise<EventRow[]> {
    this.reads++;
    return this.deps.database.db
      .select()
      .from(events)
      .where(and(eq(events.tenantId, tenantId), inArray(events.topic, topics), gt(events.id, after)))
      .orderBy(asc(events.id))
      .limit(PAGE);
  }

  /** @internal */
  async reloadViewers(sessionIds: string[]): Promise<Map<string, Viewer>> {
    if (!this.reloader) throw new Error("EventLog: no viewer reloader wired");
    this.reloadedSessions += sessionIds.length;
    return this.reloader(sessionIds);
  }

  /** @internal */
  now(): number {
    return this.deps.clock.now().getTime();
  }

  /** @internal */
  logError(err: unknown): void {
    this.deps.log.error({ err }, "reading the event log for subscribers failed; the next wake-up or poll retries");
  }

  /**
   * A subscription: the topic's events the viewer may receive, replaying from `after` first. Every read
   * re-loads the viewer; the stream ends when its session has ended (logout, deactivation, expiry), and
   * an event the viewer may no longer see (a revoked grant, a removed permission) is never delivered.
   */
  watch<T>(opts: WatchOptions<T>): DirectCapable<T> {
    const startAfter = parseCursor(opts.after);
    // Set by a consumer that takes events directly (before its first `next()`, which starts the subscription).
    let direct: DirectSink | null = null;
    const repeater = new Repeater<LiveEvent<T>>(async (push, stop) => {
      const last = startAfter ?? (await this.head(opts.viewer.tenantId));
      let chain: Promise<void> = Promise.resolve();
      let backlog = 0;
      // The viewer as last re-loaded: its audience tells which rows cannot be for this subscriber.
      let known: SessionViewer = opts.viewer;
      /** The rows this viewer may receive, the key of their load, and the load (shared by the subscribers of that key in this read). */
      const prepare = (viewer: SessionViewer, rows: EventRow[], shared: SharedLoads) => {
        const audience = opts.audience(viewer);
        const allowed = audience === null ? [] : audience === "firm" ? rows : rows.filter((r) => r.audienceId !== null && audience.has(r.audienceId));
        if (allowed.length === 0) return null;
        const who = viewerKey(viewer);
        const key = `${opts.topic}|${accessScopeKey(viewer)}${opts.loadPerViewer ? `|${who}` : ""}|${allowed.map((r) => r.id).join(",")}`;
        let loading = shared.get(key) as Promise<Array<{ cursor: string; value: T }>> | undefined;
        if (!loading) shared.set(key, (loading = opts.load(viewer, allowed)));
        return { allowed, who, key, loading };
      };
      /** Queues work behind this subscriber's earlier events; a slow one never holds up the firm's reader. */
      const enqueue = (work: () => Promise<void>) => {
        if (++backlog > MAX_BACKLOG) return stop(new AppError(ErrorCode.RATE_LIMITED, FELL_BEHIND));
        chain = chain
          .then(work)
          .catch((err: unknown) => stop(err))
          .finally(() => void backlog--);
      };
      const sub: Subscriber = {
        topic: opts.topic,
        sessionId: opts.viewer.sessionId,
        principalId: opts.viewer.kind === "staff" ? opts.viewer.userId : opts.viewer.accountId,
        stale: false,
        mayWant: (rows) => {
          const audience = opts.audience(known);
          // Rights can be given back at any time (a permission, a switched-on app): only a known set narrows.
          if (audience === null || audience === "firm") return true;
          return rows.some((r) => r.audienceId === null || audience.has(r.audienceId));
        },
        last,
        offer: (viewer, rows, shared, batches) => {
          if (viewer) {
            known = viewer;
            sub.stale = false;
          }
          // Direct delivery, when nothing of this subscriber's is still queued (it would be overtaken).
          if (direct && viewer && backlog === 0) {
            const p = prepare(viewer, rows, shared);
            if (!p) return;
            let batch = batches.get(p.key);
            if (!batch) batches.set(p.key, (batch = { key: p.key, loading: p.loading, createdAt: p.allowed.map((r) => r.createdAt), members: [] }));
            batch.members.push({ sub, sink: direct, viewer, who: p.who });
            return;
          }
          enqueue(async () => {
            if (!viewer) return stop();
            const p = prepare(viewer, rows, shared);
            if (!p) return;
            const items = await p.loading;
            // Delivery lag: from each event's creation to its hand-over here.
            if (items.length > 0) observeDeliveryLag(this.now(), p.allowed.map((r) => r.createdAt));
            for (const item of items) await push({ ...item, viewer, shareKey: `${p.key}|${item.cursor}`, viewerKey: p.who });
          });
        },
        queue: (event) =>
          enqueue(async () => {
            await push(event as LiveEvent<T>);
          }),
        fail: (err) => void stop(err),
      };
      let feed = this.feeds.get(opts.viewer.tenantId);
      if (!feed) this.feeds.set(opts.viewer.tenantId, (feed = new FirmFeed(this, opts.viewer.tenantId, this.deps.config.eventPollMs)));
      feed.add(sub);
      await stop;
      if (feed.remove(sub) && this.feeds.get(feed.tenantId) === feed) this.feeds.delete(feed.tenantId);
    });
    return Object.assign(repeater, {
      [DIRECT]: (sink: DirectSink) => {
        direct = sink;
      },
    });
  }
}
