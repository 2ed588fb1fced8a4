import { describe, expect, it } from "vitest";
import { pushRejection, remoteRefCommit } from "./push-output.js";

const SHA = "b8cb0f23acefcbd4c4b4aa48b8d94b31d2052d55";
const OTHER = "81e4e86aea4ab4d5d191af1676a68619017793e5";
const PEELED = "0123456789abcdef0123456789abcdef01234567";

// As git 2.39 prints them to stderr (`git push --quiet`).
const stderrOf = (line: string, hint = "hint: Updates were rejected."): string =>
  [
    "To file:///tmp/reports.git",
    line,
    "error: failed to push some refs to 'file:///tmp/reports.git'",
    hint,
    "",
  ].join("\n");

describe("pushRejection", () => {
  it.each([
    {
      situation: "the remote branch has commits we have not fetched",
      stderr: stderrOf(` ! [rejected]        ${SHA} -> main (fetch first)`),
      rejection: { conflict: true, detail: "main: fetch first" },
    },
    {
      situation: "the remote branch moved to a commit we have",
      stderr: stderrOf(` ! [rejected]        ${SHA} -> main (non-fast-forward)`),
      rejection: { conflict: true, detail: "main: non-fast-forward" },
    },
    {
      situation: "the tag exists",
      stderr: stderrOf(` ! [rejected]        release/1.4.2 -> release/1.4.2 (already exists)`),
      rejection: { conflict: true, detail: "release/1.4.2: already exists" },
    },
    {
      situation: "the server lost the ref lock to a concurrent push",
      stderr: stderrOf(
        ` ! [remote rejected] ${SHA} -> main (cannot lock ref 'refs/heads/main': is at ${OTHER} but expected ${PEELED})`,
      ),
      rejection: {
        conflict: true,
        detail: `main: cannot lock ref 'refs/heads/main': is at ${OTHER} but expected ${PEELED}`,
      },
    },
    {
      situation: "a server-side hook refused",
      stderr: [
        "remote: reports are frozen",
        stderrOf(` ! [remote rejected] ${SHA} -> main (pre-receive hook declined)`),
      ].join("\n"),
      rejection: { conflict: false, detail: "main: pre-receive hook declined (remote: reports are frozen)" },
    },
    {
      situation: "a protected branch",
      stderr: [
        "remote: ",
        "remote: Resolving deltas: 100% (1/1)",
        "remote: error: GH006: Protected branch update failed for refs/heads/main.",
        stderrOf(` ! [remote rejected] ${SHA} -> main (protected branch hook declined)`),
      ].join("\n"),
      rejection: {
        conflict: false,
        detail:
          "main: protected branch hook declined (remote: error: GH006: Protected branch update failed for refs/heads/main.)",
      },
    },
    {
      situation: "git failed before pushing anything",
      stderr:
        "fatal: '/tmp/nowhere.git' does not appear to be a git repository\nfatal: Could not read from remote repository.\n",
      rejection: undefined,
    },
  ])("$situation", ({ stderr, rejection }) => {
    expect(pushRejection(stderr)).toEqual(rejection);
  });
});

describe("remoteRefCommit", () => {
  it.each([
    {
      situation: "a lightweight tag",
      output: `${SHA}\trefs/tags/release/1.4.2\n`,
      commit: SHA,
    },
    {
      situation: "an annotated tag: the commit it peels to",
      output: `${OTHER}\trefs/tags/release/1.4.2\n${PEELED}\trefs/tags/release/1.4.2^{}\n`,
      commit: PEELED,
    },
    {
      situation: "another ref ending the same way is not it",
      output: `${SHA}\trefs/tags/old/release/1.4.2\n`,
      commit: undefined,
    },
    { situation: "no such tag", output: "", commit: undefined },
  ])("$situation", ({ output, commit }) => {
    expect(remoteRefCommit(output, "refs/tags/release/1.4.2")).toBe(commit);
  });
});
