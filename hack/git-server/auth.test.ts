import { describe, expect, it } from "vitest";
import { credentialsMatch, parseBasicAuthorization } from "./auth.js";

function basic(pair: string): string {
  return `Basic ${Buffer.from(pair).toString("base64")}`;
}

describe("parseBasicAuthorization", () => {
  it.each([
    {
      situation: "a user and password",
      header: basic("alice:s3cret"),
      parsed: { username: "alice", password: "s3cret" },
    },
    {
      situation: "a password holding ':'",
      header: basic("alice:a:b:c"),
      parsed: { username: "alice", password: "a:b:c" },
    },
    { situation: "an empty password", header: basic("alice:"), parsed: { username: "alice", password: "" } },
    {
      situation: "a lower-case scheme",
      header: `basic ${Buffer.from("a:b").toString("base64")}`,
      parsed: { username: "a", password: "b" },
    },
    { situation: "no header", header: undefined, parsed: undefined },
    { situation: "a bearer token", header: "Bearer abc.def", parsed: undefined },
    { situation: "no ':' in the pair", header: basic("alice"), parsed: undefined },
    { situation: "the scheme alone", header: "Basic", parsed: undefined },
    { situation: "junk after the scheme", header: "Basic not base64!", parsed: undefined },
  ])("$situation", ({ header, parsed }) => {
    expect(parseBasicAuthorization(header)).toEqual(parsed);
  });
});

describe("credentialsMatch", () => {
  const expected = { username: "release-operator", password: "correct horse" };
  it.each([
    { situation: "the right pair", given: { ...expected }, matches: true },
    { situation: "a wrong password", given: { ...expected, password: "correct hors" }, matches: false },
    {
      situation: "a longer password with the right prefix",
      given: { ...expected, password: "correct horse!" },
      matches: false,
    },
    { situation: "a wrong user", given: { ...expected, username: "alice" }, matches: false },
    { situation: "an empty pair", given: { username: "", password: "" }, matches: false },
  ])("$situation", ({ given, matches }) => {
    expect(credentialsMatch(given, expected)).toBe(matches);
  });
});
