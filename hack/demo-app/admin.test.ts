import { describe, expect, it } from "vitest";
import { parseAdminRequest, parseStoredState } from "./admin.js";
import { VERSION_TABLE } from "./versions.js";

const KNOWN = VERSION_TABLE.map((row) => row.version);
const KNOWN_LIST = KNOWN.join(", ");

function parse(method: string, path: string, body = "") {
  return parseAdminRequest(method, path, body, KNOWN);
}

describe("parseAdminRequest: valid requests", () => {
  it.each([
    { name: "read the state", method: "GET", path: "/admin/state", body: "", expected: { kind: "read" } },
    {
      name: "deploy all-at-once",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":"1.4.2","strategy":"all-at-once"}',
      expected: { kind: "command", command: { action: "deploy", version: "1.4.2", strategy: "all-at-once" } },
    },
    {
      name: "deploy a canary with a weight",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":"1.4.3","strategy":"canary","weight":12.5}',
      expected: {
        kind: "command",
        command: { action: "deploy", version: "1.4.3", strategy: "canary", weight: 12.5 },
      },
    },
    {
      name: "deploy blue-green",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":"1.4.2","strategy":"blue-green"}',
      expected: { kind: "command", command: { action: "deploy", version: "1.4.2", strategy: "blue-green" } },
    },
    {
      name: "set a weight at the lower bound",
      method: "POST",
      path: "/admin/weight",
      body: '{"weight":0}',
      expected: { kind: "command", command: { action: "set-weight", weight: 0 } },
    },
    {
      name: "set a weight at the upper bound",
      method: "POST",
      path: "/admin/weight",
      body: '{"weight":100}',
      expected: { kind: "command", command: { action: "set-weight", weight: 100 } },
    },
    {
      name: "promote with an empty body",
      method: "POST",
      path: "/admin/promote",
      body: "",
      expected: { kind: "command", command: { action: "promote" } },
    },
    {
      name: "promote naming the version",
      method: "POST",
      path: "/admin/promote",
      body: '{"version":"1.4.3"}',
      expected: { kind: "command", command: { action: "promote", version: "1.4.3" } },
    },
    {
      name: "rollback with {}",
      method: "POST",
      path: "/admin/rollback",
      body: "{}",
      expected: { kind: "command", command: { action: "rollback" } },
    },
    {
      name: "rollback to a named version",
      method: "POST",
      path: "/admin/rollback",
      body: '{"version":"1.4.1"}',
      expected: { kind: "command", command: { action: "rollback", version: "1.4.1" } },
    },
    {
      name: "restore what a GET answered (derived fields ignored)",
      method: "PUT",
      path: "/admin/state",
      body: JSON.stringify({
        stable: "1.4.1",
        candidate: { version: "1.4.3", weight: 50 },
        previousStable: "1.4.0",
        weights: { "1.4.1": 50, "1.4.3": 50 },
        versions: VERSION_TABLE,
        history: [],
      }),
      expected: {
        kind: "command",
        command: {
          action: "restore",
          deployment: {
            stable: "1.4.1",
            candidate: { version: "1.4.3", weight: 50 },
            previousStable: "1.4.0",
          },
        },
      },
    },
    {
      name: "restore a single version (candidate null)",
      method: "PUT",
      path: "/admin/state",
      body: '{"stable":"1.4.1","candidate":null}',
      expected: { kind: "command", command: { action: "restore", deployment: { stable: "1.4.1" } } },
    },
  ])("$name", ({ method, path, body, expected }) => {
    expect(parse(method, path, body)).toEqual(expected);
  });
});

describe("parseAdminRequest: rejected requests name what is wrong and what is valid", () => {
  it.each([
    {
      name: "an unknown route",
      method: "GET",
      path: "/admin/nope",
      body: "",
      status: 404,
      error: /no admin route \/admin\/nope; routes: \/admin\/state, \/admin\/deploy/,
    },
    {
      name: "a wrong method",
      method: "GET",
      path: "/admin/deploy",
      body: "",
      status: 405,
      error: /\/admin\/deploy takes POST, not GET/,
    },
    {
      name: "malformed JSON",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":',
      status: 400,
      error: /the body is not valid JSON/,
    },
    {
      name: "an empty deploy body",
      method: "POST",
      path: "/admin/deploy",
      body: "",
      status: 400,
      error: /the body must be a JSON object/,
    },
    {
      name: "a JSON array",
      method: "POST",
      path: "/admin/rollback",
      body: "[]",
      status: 400,
      error: /must be a JSON object, not an array/,
    },
    {
      name: "an unknown version",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":"2.0.0","strategy":"all-at-once"}',
      status: 400,
      error: new RegExp(`unknown version "2\\.0\\.0"; known versions: ${KNOWN_LIST.replaceAll(".", "\\.")}`),
    },
    {
      name: "a version that is not a string",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":1.4,"strategy":"all-at-once"}',
      status: 400,
      error: /unknown version 1\.4; known versions/,
    },
    {
      name: "a missing version",
      method: "POST",
      path: "/admin/deploy",
      body: '{"strategy":"canary","weight":5}',
      status: 400,
      error: /version is required; known versions: 1\.4\.0/,
    },
    {
      name: "an unknown strategy",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":"1.4.2","strategy":"rolling"}',
      status: 400,
      error: /unknown strategy "rolling"; valid strategies: all-at-once, canary, blue-green/,
    },
    {
      name: "a missing strategy",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":"1.4.2"}',
      status: 400,
      error: /strategy is required; valid strategies/,
    },
    {
      name: "a canary without a weight",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":"1.4.3","strategy":"canary"}',
      status: 400,
      error: /weight is required/,
    },
    {
      name: "a weight above 100",
      method: "POST",
      path: "/admin/weight",
      body: '{"weight":101}',
      status: 400,
      error: /weight must be a number from 0 to 100 \(percent of traffic\), got 101/,
    },
    {
      name: "a negative weight",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":"1.4.3","strategy":"canary","weight":-1}',
      status: 400,
      error: /got -1/,
    },
    {
      name: "a weight as a string",
      method: "POST",
      path: "/admin/weight",
      body: '{"weight":"50%"}',
      status: 400,
      error: /got "50%"/,
    },
    {
      name: "a weight on an all-at-once deploy",
      method: "POST",
      path: "/admin/deploy",
      body: '{"version":"1.4.2","strategy":"all-at-once","weight":50}',
      status: 400,
      error: /weight applies to the canary strategy only, not all-at-once/,
    },
    {
      name: "an unknown field",
      method: "POST",
      path: "/admin/promote",
      body: '{"verison":"1.4.3"}',
      status: 400,
      error: /unknown field verison; valid fields: version/,
    },
    {
      name: "an unknown rollback target",
      method: "POST",
      path: "/admin/rollback",
      body: '{"version":"0.9"}',
      status: 400,
      error: /unknown version "0\.9"/,
    },
    {
      name: "a restore without a stable version",
      method: "PUT",
      path: "/admin/state",
      body: "{}",
      status: 400,
      error: /stable is required/,
    },
    {
      name: "a restore whose candidate is the stable version",
      method: "PUT",
      path: "/admin/state",
      body: '{"stable":"1.4.1","candidate":{"version":"1.4.1","weight":5}}',
      status: 400,
      error: /candidate 1\.4\.1 is the stable version/,
    },
    {
      name: "a restore with a bad candidate weight",
      method: "PUT",
      path: "/admin/state",
      body: '{"stable":"1.4.1","candidate":{"version":"1.4.3","weight":500}}',
      status: 400,
      error: /candidate: weight must be a number from 0 to 100/,
    },
    {
      name: "a restore with a candidate that is not an object",
      method: "PUT",
      path: "/admin/state",
      body: '{"stable":"1.4.1","candidate":"1.4.3"}',
      status: 400,
      error: /candidate must be an object/,
    },
  ])("$name", ({ method, path, body, status, error }) => {
    const result = parse(method, path, body);
    expect(result.kind).toBe("error");
    if (result.kind === "error") {
      expect(result.status).toBe(status);
      expect(result.error).toMatch(error);
    }
  });
});

describe("parseStoredState: the state file", () => {
  it("reads back a saved state", () => {
    const saved = {
      stable: "1.4.2",
      previousStable: "1.4.1",
      history: [
        {
          at: "2026-03-02T10:00:00.000Z",
          action: "deploy",
          summary: "Deployed 1.4.2",
          weights: { "1.4.2": 100 },
        },
      ],
    };
    expect(parseStoredState(saved, KNOWN)).toEqual({ ok: true, value: saved });
  });

  it.each([
    { name: "not an object", content: "1.4.1", error: /expected a JSON object, found a string/ },
    {
      name: "a version no longer in the table",
      content: { stable: "0.1.0", history: [] },
      error: /unknown stable "0\.1\.0"/,
    },
    {
      name: "a malformed history",
      content: { stable: "1.4.1", history: [{ at: 1 }] },
      error: /history must be a list/,
    },
  ])("refuses $name", ({ content, error }) => {
    const result = parseStoredState(content, KNOWN);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});
