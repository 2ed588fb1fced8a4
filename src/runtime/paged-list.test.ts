import type { KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { listInPages, type PageRequest } from "./paged-list.js";

/** An API server's list of `total` objects in pages of `limit`, recording every request. */
function server(
  total: number,
  spelling: "_continue" | "continue" = "_continue",
): {
  requests: PageRequest[];
  fetchPage: (page: PageRequest) => Promise<KubernetesListObject<KubernetesObject>>;
} {
  const requests: PageRequest[] = [];
  const objects = Array.from({ length: total }, (_, index) => ({
    metadata: { name: `object-${index}`, annotations: { big: "x".repeat(10) } },
  }));
  return {
    requests,
    fetchPage: (page) => {
      requests.push(page);
      const start = page._continue === undefined ? 0 : Number(page._continue);
      const end = Math.min(total, start + page.limit);
      return Promise.resolve({
        apiVersion: "v1",
        kind: "List",
        metadata: { resourceVersion: "42", ...(end < total ? { [spelling]: String(end) } : {}) },
        items: objects.slice(start, end).map((object) => structuredClone(object)),
      });
    },
  };
}

describe("listInPages", () => {
  it.each<{ situation: string; total: number; pageSize: number; pages: number }>([
    { situation: "nothing to list", total: 0, pageSize: 3, pages: 1 },
    { situation: "fewer objects than a page", total: 2, pageSize: 3, pages: 1 },
    { situation: "exactly one page", total: 3, pageSize: 3, pages: 1 },
    { situation: "several pages, the last one partial", total: 7, pageSize: 3, pages: 3 },
  ])("$situation: every object once, in order, $pages request(s)", async ({ total, pageSize, pages }) => {
    const { requests, fetchPage } = server(total);
    const list = await listInPages(fetchPage, undefined, pageSize);
    expect(list.items.map((item) => item.metadata?.name)).toEqual(
      Array.from({ length: total }, (_, index) => `object-${index}`),
    );
    expect(requests).toHaveLength(pages);
    expect(requests.every((request) => request.limit === pageSize)).toBe(true);
    expect(list.metadata?.resourceVersion).toBe("42");
    expect(list.metadata?._continue).toBeUndefined();
  });

  it.each(["_continue", "continue"] as const)(
    "follows the token spelled %s (typed clients and the custom-objects client's raw JSON)",
    async (spelling) => {
      const { requests, fetchPage } = server(5, spelling);
      const list = await listInPages(fetchPage, undefined, 2);
      expect(list.items).toHaveLength(5);
      expect(requests.map((request) => request._continue)).toEqual([undefined, "2", "4"]);
    },
  );

  it("trims each object as its page arrives", async () => {
    const { fetchPage } = server(5);
    const list = await listInPages(
      fetchPage,
      (object) => {
        delete object.metadata?.annotations;
      },
      2,
    );
    expect(list.items.every((item) => item.metadata?.annotations === undefined)).toBe(true);
  });
});
