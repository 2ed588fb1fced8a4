import { execFileSync } from "node:child_process";

import { describe, expect, it } from "vitest";

import {
  abortCommand,
  annotateCommand,
  approveAsCommand,
  approveCommand,
  overrideCommand,
  rejectCommand,
  shellQuote,
  strategyCommand,
} from "./commands.js";

const RELEASE = { namespace: "prod", name: "nav-1-4-2" };

/** The argument list a POSIX shell makes of `command`, with `kubectl` standing in as a function that prints it. */
function argumentsOf(command: string): string[] {
  const output = execFileSync("sh", ["-c", `kubectl() { printf '%s\\0' "$@"; }\n${command}`], {
    encoding: "utf8",
  });
  return output.split("\0").slice(0, -1);
}

describe("shellQuote", () => {
  it.each<{ situation: string; value: string; quoted: string }>([
    { situation: "a plain word stays bare", value: "approved=true", quoted: "approved=true" },
    {
      situation: "an annotation key with slash and dots stays bare",
      value: "release-operator.io/strategy=canary",
      quoted: "release-operator.io/strategy=canary",
    },
    { situation: "a duration with an equals sign stays bare", value: "extend=15m", quoted: "extend=15m" },
    { situation: "spaces are single-quoted", value: "known flake", quoted: "'known flake'" },
    { situation: "angle brackets are single-quoted", value: "<reason>", quoted: "'<reason>'" },
    { situation: "an empty value is an empty argument", value: "", quoted: "''" },
    { situation: "a single quote is closed, escaped and reopened", value: "it's", quoted: `'it'"'"'s'` },
  ])("$situation", ({ value, quoted }) => {
    expect(shellQuote(value)).toBe(quoted);
  });

  it.each<{ situation: string; value: string }>([
    { situation: "spaces", value: "reroute flake tracked in NAV-140" },
    { situation: "single quotes", value: "it's the 'known' flake" },
    { situation: "double quotes", value: 'the "reroute" test' },
    { situation: "both quotes together", value: `'"'"'` },
    { situation: "dollar expansions", value: "$HOME ${PATH} $(id) $1" },
    { situation: "backticks", value: "`reboot`" },
    { situation: "globs", value: "* ? [a-z]" },
    { situation: "operators", value: "a; b && c || d | e > f < g & h" },
    { situation: "backslashes", value: "C:\\path\\n\\" },
    { situation: "a newline and a tab", value: "line one\nline two\tend" },
    { situation: "a leading dash and a tilde", value: "-n ~root" },
    { situation: "a hash (no comment)", value: "#not-a-comment" },
    { situation: "non-ASCII text", value: "Übergabe geprüft ✓" },
    { situation: "nothing at all", value: "" },
    { situation: "only the characters left bare", value: "alice@example.com:8080/a_b.c+d,e%f=g-h" },
  ])("a value with $situation round-trips through sh as one argument", ({ value }) => {
    expect(argumentsOf(`kubectl ${shellQuote(value)}`)).toEqual([value]);
  });
});

describe("annotateCommand", () => {
  it.each<{ situation: string; annotation: string; value: string }>([
    { situation: "a plain value", annotation: "release-operator.io/strategy", value: "canary" },
    {
      situation: "a reason with spaces and quotes",
      annotation: "release-operator.io/override-reason",
      value: `reroute "flake" isn't ours; see NAV-140`,
    },
    { situation: "an escalation", annotation: "release-operator.io/escalation", value: "extend=15m" },
    {
      situation: "a reason with shell syntax",
      annotation: "release-operator.io/abort",
      value: "$(rm -rf /) `id`",
    },
  ])("$situation: sh sees kubectl's exact arguments", ({ annotation, value }) => {
    expect(argumentsOf(annotateCommand(RELEASE, annotation, value))).toEqual([
      "annotate",
      "release",
      "nav-1-4-2",
      "-n",
      "prod",
      `${annotation}=${value}`,
    ]);
  });
});

describe("the commands the operator asks humans to run", () => {
  it.each<{ situation: string; command: string; exact: string; annotation: string }>([
    {
      situation: "approve",
      command: approveCommand(RELEASE),
      exact: "kubectl annotate release nav-1-4-2 -n prod approved=true",
      annotation: "approved=true",
    },
    {
      situation: "reject",
      command: rejectCommand(RELEASE),
      exact: "kubectl annotate release nav-1-4-2 -n prod approved=false",
      annotation: "approved=false",
    },
    {
      situation: "approve as a named approver",
      command: approveAsCommand(RELEASE),
      exact:
        "kubectl annotate release nav-1-4-2 -n prod 'approval.release-operator.io/<your-user-name>=approved'",
      annotation: "approval.release-operator.io/<your-user-name>=approved",
    },
    {
      situation: "abort",
      command: abortCommand(RELEASE),
      exact: "kubectl annotate release nav-1-4-2 -n prod 'release-operator.io/abort=<reason>'",
      annotation: "release-operator.io/abort=<reason>",
    },
    {
      situation: "override",
      command: overrideCommand(RELEASE),
      exact:
        "kubectl annotate release nav-1-4-2 -n prod 'release-operator.io/override-reason=<why it ships anyway>'",
      annotation: "release-operator.io/override-reason=<why it ships anyway>",
    },
    {
      situation: "strategy",
      command: strategyCommand(RELEASE, "blue-green"),
      exact: "kubectl annotate release nav-1-4-2 -n prod release-operator.io/strategy=blue-green",
      annotation: "release-operator.io/strategy=blue-green",
    },
  ])("$situation: exact text, and sh passes the annotation whole", ({ command, exact, annotation }) => {
    expect(command).toBe(exact);
    expect(argumentsOf(command)).toEqual(["annotate", "release", "nav-1-4-2", "-n", "prod", annotation]);
  });
});
