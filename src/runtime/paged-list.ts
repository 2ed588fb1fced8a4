// Lists in pages, as client-go's informers do: the API server never builds one huge response, and
// each page is trimmed before the next arrives, so a cluster with 10,000 objects costs the operator
// one page of whole objects at a time, not all of them.
import type { KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";

export const PAGE_SIZE = 500;

export interface PageRequest {
  limit: number;
  _continue?: string;
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
    token = page.metadata?._continue === "" ? undefined : page.metadata?._continue;
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
