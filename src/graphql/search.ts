/** Escapes LIKE wildcards so a search for "50%" finds "50%", not everything: a `%term%` pattern for ILIKE. */
export function likeContains(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
