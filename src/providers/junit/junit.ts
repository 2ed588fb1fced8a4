// Acceptance criteria against test results: JUnit XML reports (pytest, Maven Surefire, jest-junit and
// the like) read into test cases, and each criterion judged by the cases its tests name. Pure.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { z } from "zod";
import type { AcceptanceCriterion } from "../../api/v1alpha1/index.js";

export type TestStatus = "passed" | "failed" | "error" | "skipped";

export interface TestCaseResult {
  /** `classname.name`, or `name` when the case has no classname. */
  id: string;
  classname?: string;
  name: string;
  status: TestStatus;
  message?: string;
}

export type JUnitParse = { ok: true; cases: TestCaseResult[] } | { ok: false; message: string };

export type CriterionTestStatus = TestStatus | "missing";

export interface CriterionResult {
  id: string;
  description?: string;
  critical: boolean;
  /** Every test passed (and there is at least one). */
  met: boolean;
  tests: { test: string; status: CriterionTestStatus; message?: string }[];
  /** One line a release manager can act on. */
  message: string;
}

/** The longest message kept from a report; stack traces and diffs belong in the report itself. */
const MAX_MESSAGE_LENGTH = 300;

const ATTRIBUTE = "@_";
const TEXT = "#text";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE,
  textNodeName: TEXT,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: false,
  isArray: (name) => ["testsuites", "testsuite", "testcase", "failure", "error", "skipped"].includes(name),
  // Captured output can be megabytes of anything; nothing in it decides a result.
  stopNodes: ["*.system-out", "*.system-err"],
});

/** `<failure>`, `<error>` or `<skipped>`: text only (a string, empty when the element is), or attributes too. */
const outcomeElement = z.union([
  z.string(),
  z.looseObject({
    [`${ATTRIBUTE}message`]: z.string().optional(),
    [`${ATTRIBUTE}type`]: z.string().optional(),
    [TEXT]: z.string().optional(),
  }),
]);
type OutcomeElement = z.infer<typeof outcomeElement>;

const testCaseElement = z.looseObject({
  [`${ATTRIBUTE}name`]: z.string(),
  [`${ATTRIBUTE}classname`]: z.string().optional(),
  failure: z.array(outcomeElement).optional(),
  error: z.array(outcomeElement).optional(),
  skipped: z.array(outcomeElement).optional(),
});
type TestCaseElement = z.infer<typeof testCaseElement>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneLine(text: string): string | undefined {
  const line = text
    .split(/\r?\n/)
    .map((part) => part.trim())
    .find((part) => part !== "");
  if (line === undefined) return undefined;
  return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH)}...` : line;
}

/** The element's `message` attribute, else the first line of its text, else its `type`. */
function messageOf(element: OutcomeElement): string | undefined {
  if (typeof element === "string") return oneLine(element);
  return (
    oneLine(element[`${ATTRIBUTE}message`] ?? "") ??
    oneLine(element[TEXT] ?? "") ??
    oneLine(element[`${ATTRIBUTE}type`] ?? "")
  );
}

function statusOf(element: TestCaseElement): { status: TestStatus; message?: string } {
  const outcomes: [TestStatus, OutcomeElement[] | undefined][] = [
    ["failed", element.failure],
    ["error", element.error],
    ["skipped", element.skipped],
  ];
  for (const [status, elements] of outcomes) {
    const first = elements?.[0];
    if (first === undefined) continue;
    const message = messageOf(first);
    return message === undefined ? { status } : { status, message };
  }
  return { status: "passed" };
}

function testCaseOf(element: TestCaseElement): TestCaseResult {
  const name = element[`${ATTRIBUTE}name`];
  const classname = element[`${ATTRIBUTE}classname`]?.trim();
  return {
    id: classname === undefined || classname === "" ? name : `${classname}.${name}`,
    ...(classname === undefined || classname === "" ? {} : { classname }),
    name,
    ...statusOf(element),
  };
}

function childrenOf(node: Record<string, unknown>, tag: string): unknown[] {
  const children = node[tag];
  return Array.isArray(children) ? children : [];
}

/** The test cases under `node`, its suites nested to any depth, in document order per level. */
function collectCases(node: Record<string, unknown>, source: string, into: TestCaseResult[]): void {
  for (const child of childrenOf(node, "testcase")) {
    const element = testCaseElement.safeParse(child);
    if (!element.success) {
      throw new Error(
        `${source}: test case #${into.length + 1} has no name attribute (found ${JSON.stringify(child).slice(0, 120)})`,
      );
    }
    into.push(testCaseOf(element.data));
  }
  for (const tag of ["testsuites", "testsuite"]) {
    for (const suite of childrenOf(node, tag)) {
      if (isRecord(suite)) collectCases(suite, source, into);
    }
  }
}

/**
 * The test cases of a JUnit XML report. `<testsuites>` and `<testsuite>` may nest to any depth; a
 * `<testcase>` with `<failure>` failed, with `<error>` had an error, with `<skipped>` was skipped,
 * otherwise passed. `source` names the report in messages (e.g. `ConfigMap nav-tests key junit.xml`).
 */
export function parseJUnitXml(xml: string, source: string): JUnitParse {
  const text = xml.replace(/^\uFEFF/, "");
  if (text.trim() === "") return { ok: false, message: `${source}: the test report is empty` };
  // The parser itself accepts some malformed XML; the validator says exactly where it is broken.
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the validator's own package would be a second dependency
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    return { ok: false, message: `${source}: not well-formed XML at line ${line}, column ${col}: ${msg}` };
  }
  try {
    const document: unknown = parser.parse(text);
    if (!isRecord(document) || (!("testsuites" in document) && !("testsuite" in document))) {
      const root = isRecord(document) ? Object.keys(document).find((key) => !key.startsWith("?")) : undefined;
      return {
        ok: false,
        message: `${source}: not a JUnit report: the root element is <${root ?? "?"}>, expected <testsuites> or <testsuite>`,
      };
    }
    const cases: TestCaseResult[] = [];
    collectCases(document, source, cases);
    return { ok: true, cases };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: reason.startsWith(`${source}:`) ? reason : `${source}: ${reason}` };
  }
}

/** How much a status counts against a criterion, worst first: the first problem named is the worst. */
const SEVERITY: Record<CriterionTestStatus, number> = {
  failed: 0,
  error: 1,
  missing: 2,
  skipped: 3,
  passed: 4,
};

/** One test's result over every case that matches it: any failure or error wins, else any pass, else a skip. */
function resultOf(test: string, cases: readonly TestCaseResult[]): CriterionResult["tests"][number] {
  const matching = cases.filter((testCase) => testCase.id === test || testCase.name === test);
  const decisive =
    matching.find((testCase) => testCase.status === "failed" || testCase.status === "error") ??
    matching.find((testCase) => testCase.status === "passed") ??
    matching[0];
  if (decisive === undefined) return { test, status: "missing" };
  return {
    test,
    status: decisive.status,
    ...(decisive.message === undefined ? {} : { message: decisive.message }),
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function describeProblem(result: CriterionResult["tests"][number]): string {
  const detail = result.message === undefined ? "" : `: ${result.message}`;
  switch (result.status) {
    case "failed":
      return `${result.test} failed${detail}`;
    case "error":
      return `${result.test} ended in an error${detail}`;
    case "skipped":
      return `${result.test} was skipped${detail}`;
    case "missing":
      return `no result for ${result.test} in the test reports`;
    case "passed":
      return `${result.test} passed`;
  }
}

function messageFor(label: string, tests: CriterionResult["tests"]): string {
  if (tests.length === 0) return `${label}: names no tests, so nothing proves it`;
  const problems = tests
    .filter((result) => result.status !== "passed")
    .sort((a, b) => SEVERITY[a.status] - SEVERITY[b.status]);
  const [worst] = problems;
  if (worst === undefined) return `${label}: ${plural(tests.length, "test")} passed`;
  const others = problems.length - 1;
  const more = others === 0 ? "" : `; ${others} more of its ${tests.length} tests did not pass`;
  return `${label}: ${describeProblem(worst)}${more}`;
}

/** Each criterion judged by the test cases of all reports: met when every test it names passed. */
export function evaluateAcceptance(
  criteria: readonly (AcceptanceCriterion & { critical: boolean })[],
  cases: readonly TestCaseResult[],
): CriterionResult[] {
  return criteria.map((criterion) => {
    const tests = criterion.tests.map((test) => resultOf(test, cases));
    const label = criterion.critical ? `${criterion.id} (critical)` : criterion.id;
    return {
      id: criterion.id,
      ...(criterion.description === undefined ? {} : { description: criterion.description }),
      critical: criterion.critical,
      met: tests.length > 0 && tests.every((result) => result.status === "passed"),
      tests,
      message: messageFor(label, tests),
    };
  });
}
