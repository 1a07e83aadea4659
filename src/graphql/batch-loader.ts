import DataLoader from "dataloader";

/** A DataLoader over rows fetched for a batch of keys; a key with no row (missing, or not the viewer's) loads as null. */
export function batchLoader<V>(fetch: (keys: readonly string[]) => Promise<V[]>, keyOf: (value: V) => string): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>(async (keys) => {
    const found = await fetch(keys);
    const byKey = new Map(found.map((v) => [keyOf(v), v]));
    return keys.map((k) => byKey.get(k) ?? null);
  });
}

/** A DataLoader of lists per key (e.g. a customer's responsible staff), from a map the service fills; a key it left out loads as []. */
export function listLoader<V>(fetch: (keys: readonly string[]) => Promise<Map<string, V[]>>): DataLoader<string, V[]> {
  return new DataLoader<string, V[]>(async (keys) => {
    const found = await fetch(keys);
    return keys.map((k) => found.get(k) ?? []);
  });
}
