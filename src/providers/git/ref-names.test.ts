import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { branchNameProblem, refNameProblem, tagFor, tagNameProblem } from "./ref-names.js";

const REF_NAMES: { name: string; problem: string | undefined }[] = [
  { name: "release/1.4.2", problem: undefined },
  { name: "v1.4.2", problem: undefined },
  { name: "refs/tags/release/1.4.2-rc.1+build_7", problem: undefined },
  { name: "a.b/c.lockfile", problem: undefined },
  { name: "@release", problem: undefined },
  { name: "release@1", problem: undefined },
  { name: "", problem: "is empty" },
  { name: "@", problem: 'is the single character "@"' },
  { name: "release 1.4.2", problem: "contains a space" },
  { name: "release\t1", problem: "contains the control character U+0009" },
  { name: "release\u007f1", problem: "contains the control character U+007F" },
  { name: "release/1.4.2~1", problem: 'contains "~"' },
  { name: "v1^2", problem: 'contains "^"' },
  { name: "v:1", problem: 'contains ":"' },
  { name: "v1?", problem: 'contains "?"' },
  { name: "v*", problem: 'contains "*"' },
  { name: "v[1]", problem: 'contains "["' },
  { name: "release\\1", problem: "contains a backslash" },
  { name: "release@{1}", problem: 'contains "@{"' },
  { name: "release/1..2", problem: 'contains ".."' },
  { name: "/release", problem: 'begins with "/"' },
  { name: "release/", problem: 'ends with "/"' },
  { name: "release//1", problem: 'contains "//"' },
  { name: "release.", problem: 'ends with "."' },
  { name: "release/.1", problem: 'has a component beginning with "." (.1)' },
  { name: ".release", problem: 'has a component beginning with "." (.release)' },
  { name: "release.lock/1", problem: 'has a component ending with ".lock" (release.lock)' },
  { name: "release/1.lock", problem: 'has a component ending with ".lock" (1.lock)' },
];

describe("refNameProblem", () => {
  it.each(REF_NAMES)("$name: $problem", ({ name, problem }) => {
    expect(refNameProblem(name)).toBe(problem);
  });

  it("agrees with git check-ref-format on every case", async () => {
    const verdicts = await Promise.all(
      REF_NAMES.map(async ({ name }) => {
        const checked = await execa("git", ["check-ref-format", "--allow-onelevel", name], {
          reject: false,
          stdin: "ignore",
        });
        return { name, valid: checked.exitCode === 0 };
      }),
    );
    expect(verdicts).toEqual(REF_NAMES.map(({ name, problem }) => ({ name, valid: problem === undefined })));
  });
});

describe("tagNameProblem and branchNameProblem", () => {
  it.each([
    { check: tagNameProblem, name: "-release", problem: 'begins with "-"' },
    { check: tagNameProblem, name: "HEAD", problem: undefined },
    { check: tagNameProblem, name: "release/1..2", problem: 'contains ".."' },
    { check: branchNameProblem, name: "-main", problem: 'begins with "-"' },
    { check: branchNameProblem, name: "HEAD", problem: 'is "HEAD"' },
    { check: branchNameProblem, name: "reports/main", problem: undefined },
    {
      check: branchNameProblem,
      name: "main.lock",
      problem: 'has a component ending with ".lock" (main.lock)',
    },
  ])("$check.name($name): $problem", ({ check, name, problem }) => {
    expect(check(name)).toBe(problem);
  });
});

describe("tagFor", () => {
  it.each([
    { pattern: "release/{version}", version: "1.4.2", tag: "release/1.4.2" },
    { pattern: "v{version}", version: "1.4.2-rc.1", tag: "v1.4.2-rc.1" },
    { pattern: "{version}/{version}", version: "2", tag: "2/2" },
  ])("$pattern with $version gives $tag", ({ pattern, version, tag }) => {
    expect(tagFor(pattern, version)).toBe(tag);
  });

  it.each([
    {
      situation: "a version that makes a component end in .lock",
      pattern: "release/{version}",
      version: "1.lock",
      message:
        'tag pattern "release/{version}" gives "release/1.lock" for version "1.lock", which is not a valid git tag: it has a component ending with ".lock" (1.lock)',
    },
    {
      situation: "a pattern with a space",
      pattern: "release {version}",
      version: "1.4.2",
      message:
        'tag pattern "release {version}" gives "release 1.4.2" for version "1.4.2", which is not a valid git tag: it contains a space',
    },
    {
      situation: "a pattern that starts with a dash",
      pattern: "-{version}",
      version: "1",
      message:
        'tag pattern "-{version}" gives "-1" for version "1", which is not a valid git tag: it begins with "-"',
    },
    {
      situation: "a pattern without the placeholder",
      pattern: "release",
      version: "1",
      message: 'tag pattern "release" has no {version} placeholder, so every version would get the same tag',
    },
  ])("refuses $situation", ({ pattern, version, message }) => {
    expect(() => tagFor(pattern, version)).toThrow(message);
  });
});
