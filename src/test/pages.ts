/** One page of a Relay connection, as every list operation of the SDK returns it. */
export interface Page {
  edges: ReadonlyArray<{ node: { id: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  totalCount?: number;
}

/**
 * Every item of a connection, page by page: `fetch(after)` gets the page after a cursor. Returns the ids in
 * order, each page's size (so a test sees paging happened) and the last page's `totalCount`.
 */
export async function allPages(fetch: (after: string | null | undefined) => Promise<Page>): Promise<{ ids: string[]; pages: number[]; totalCount: number | undefined }> {
  const ids: string[] = [];
  const pages: number[] = [];
  let after: string | null | undefined;
  for (;;) {
    const page = await fetch(after);
    ids.push(...page.edges.map((e) => e.node.id));
    pages.push(page.edges.length);
    if (!page.pageInfo.hasNextPage) return { ids, pages, totalCount: page.totalCount };
    after = page.pageInfo.endCursor;
  }
}
