import type { Services } from "../services.js";
import type { NewNotification } from "../modules/notification/notification.service.js";

/** Raises notifications as a domain module would (the modules that raise real ones come later). */
export function raiseNotification(services: Services, n: Partial<NewNotification> & Pick<NewNotification, "tenantId" | "staffUserIds">) {
  return services.events.transact((tx, emit) =>
    services.notification.notify(tx, emit, { kind: "GENERAL", title: "Neue Nachricht", body: "Bitte prüfen", ...n }),
  );
}

/** A `next()` that `nothingWithin` started and that must be the one the following read waits for. */
const pending = new WeakMap<AsyncIterator<unknown>, Promise<IteratorResult<unknown>>>();

function pull<T>(it: AsyncIterator<T>): Promise<IteratorResult<T>> {
  const waiting = pending.get(it) as Promise<IteratorResult<T>> | undefined;
  pending.delete(it);
  return waiting ?? it.next();
}

/** The next item of a stream, or a rejection after `ms` (a missing event fails the test instead of hanging it). */
export async function nextWithin<T>(it: AsyncIterator<T>, ms = 3_000): Promise<IteratorResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const next = pull(it);
  try {
    return await Promise.race([
      next,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts that nothing arrives within `ms`; a later `nextWithin` still receives what comes after. */
export async function nothingWithin<T>(it: AsyncIterator<T>, ms = 500): Promise<void> {
  const next = pull(it);
  const result = await Promise.race([next.then((r) => ({ got: r })), new Promise<null>((r) => setTimeout(() => r(null), ms))]);
  if (result === null) {
    pending.set(it, next);
    return;
  }
  if (!result.got.done) throw new Error(`unexpected event: ${JSON.stringify(result.got.value)}`);
}

/** The payload field of a subscription's next result (`messageAdded`, `claimChanged`, …); a stream that ended fails the test. */
export function eventOf<T, K extends keyof T>(r: IteratorResult<T>, field: K): T[K] {
  if (r.done) throw new Error(`the stream ended instead of giving ${String(field)}`);
  return r.value[field];
}

/**
 * The reads of the event log so far, once the firm's reader has settled: events are written to sockets from
 * inside a read, so a client can have its event while a wake-up that came meanwhile is still to be read.
 * Count reads or statements from here, not from the moment an event arrived.
 */
export async function settledReads(services: Services): Promise<number> {
  let settled = -1;
  while (settled !== services.events.reads) {
    settled = services.events.reads;
    await new Promise((r) => setTimeout(r, 150));
  }
  return settled;
}
