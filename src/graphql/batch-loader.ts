import DataLoader from "dataloader";

/** A DataLoader over rows fetched for a batch of keys; a key with no row (missing, or not the viewer's) loads as null. */
export function batchLoader<V>(fetch: (keys: readonly string[]) => Promise<V[]>, keyOf: (value: V) => string): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>(async (keys) => {
    const found = await fetch(keys);
    const byKey = new Map(found.map((v) => [keyOf(v), v]));
    return keys.map((k) => byKey.get(k) ?? null);
  });
}

/** Nobody to load for (an anonymous viewer or the operator): every key loads as null. */
export const none = async (): Promise<never[]> => [];
