// Lists in pages, as client-go's informers do: the API server never builds one huge response, and
// each page is trimmed before the next arrives, so a cluster with 10,000 objects costs the operator
// one page of whole objects at a time, not all of them.
import type { KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";

export const PAGE_SIZE = 500;

export interface PageRequest {
  limit: number;
  _continue?: string;
}

/**
 * The token for the next page. Typed clients deserialize `metadata.continue` as `_continue`; the
 * custom-objects client returns the API server's JSON as it is, so both spellings are read: reading
 * only one silently lists the first page alone.
 */
export function continueTokenOf(list: KubernetesListObject<KubernetesObject>): string | undefined {
  const metadata: unknown = list.metadata;
  if (metadata === null || typeof metadata !== "object") return undefined;
  const typed = "_continue" in metadata ? metadata._continue : undefined;
  const raw = "continue" in metadata ? metadata.continue : undefined;
  const token = typed ?? raw;
  return typeof token === "string" && token !== "" ? token : undefined;
}

export async function listInPages<T extends KubernetesObject>(
  fetchPage: (page: PageRequest) => Promise<KubernetesListObject<T>>,
  trim?: (object: T) => void,
  pageSize = PAGE_SIZE,
): Promise<KubernetesListObject<T>> {
  const items: T[] = [];
  let token: string | undefined;
  let last: KubernetesListObject<T> | undefined;
  do {
    const page: KubernetesListObject<T> = await fetchPage({
      limit: pageSize,
      ...(token === undefined ? {} : { _continue: token }),
    });
    for (const item of page.items) {
      trim?.(item);
      items.push(item);
    }
    last = page;
    token = continueTokenOf(page);
  } while (token !== undefined);
  // Every page comes from one snapshot; its resourceVersion is where the watch starts.
  return {
    ...last,
    items,
    metadata: {
      ...(last.metadata?.resourceVersion === undefined
        ? {}
        : { resourceVersion: last.metadata.resourceVersion }),
    },
  };
}
