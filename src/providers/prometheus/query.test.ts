import { describe, expect, it } from "vitest";
import { renderQuery, type PlaceholderValues } from "./query.js";

const values: PlaceholderValues = { version: "1.4.2", previousVersion: "1.4.1", environment: "nav-prod" };

describe("renderQuery", () => {
  it.each([
    {
      situation: "the version inside a label matcher",
      query: 'sum(rate(http_requests_total{version="{version}"}[1m]))',
      rendered: 'sum(rate(http_requests_total{version="1.4.2"}[1m]))',
    },
    {
      situation: "every placeholder, some twice",
      query: "{environment}:{version}:{previousVersion}:{version}",
      rendered: "nav-prod:1.4.2:1.4.1:1.4.2",
    },
    {
      situation: "a PromQL regex matcher beside a placeholder, left alone",
      query: 'sum(rate(http_requests_total{code=~"5..",version="{version}",env="{environment}"}[5m]))',
      rendered: 'sum(rate(http_requests_total{code=~"5..",version="1.4.2",env="nav-prod"}[5m]))',
    },
    {
      situation: "braces that are not placeholders (a matcher, a regex quantifier, an unknown word)",
      query: 'up{job="a"} and on() x{le=~"[0-9]{2}"} {versions} {Version}',
      rendered: 'up{job="a"} and on() x{le=~"[0-9]{2}"} {versions} {Version}',
    },
    { situation: "no placeholders at all", query: "sum(up)", rendered: "sum(up)" },
  ])("fills in $situation", ({ query, rendered }) => {
    expect(renderQuery(query, values)).toEqual({ ok: true, query: rendered });
  });

  it("fills in a query without {previousVersion} when there is no previous version", () => {
    expect(renderQuery('x{version="{version}"}', { version: "2.0.0", environment: "e" })).toEqual({
      ok: true,
      query: 'x{version="2.0.0"}',
    });
  });

  it.each([
    {
      situation: "{previousVersion} on a first release",
      query: 'x{version="{previousVersion}"}',
      values: { version: "1.0.0", environment: "e" },
      message: /^the query uses \{previousVersion\} but there is no previousVersion/,
    },
    {
      situation: "a value with a quote, which would end the PromQL string",
      query: 'x{version="{version}"}',
      values: { version: '1"} or vector(1) #', environment: "e" },
      message: /^the value of \{version\} .* holds a quote, backslash or line break/,
    },
    {
      situation: "a value with a backslash",
      query: 'x{env="{environment}"}',
      values: { version: "1", environment: "a\\b" },
      message: /^the value of \{environment\}/,
    },
  ])("refuses $situation", ({ query, values: given, message }) => {
    expect(renderQuery(query, given)).toEqual({
      ok: false,
      message: expect.stringMatching(message) as unknown,
    });
  });
});
