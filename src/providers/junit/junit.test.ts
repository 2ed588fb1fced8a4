import { describe, expect, it } from "vitest";
import type { CriterionResult, TestCaseResult } from "./junit.js";
import { evaluateAcceptance, parseJUnitXml } from "./junit.js";

/** pytest --junitxml, as pytest 8 writes it. */
const PYTEST = `<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5" time="0.412" timestamp="2025-11-20T09:12:03.118812+00:00" hostname="ci-7">
<testcase classname="tests.test_route" name="test_reroute_when_off_route" time="0.002" />
<testcase classname="tests.test_route" name="test_drift_under_200m" time="0.010"><failure message="assert 231.4 &lt; 200">def test_drift_under_200m():
&gt;       assert drift(route) &lt; 200
E       assert 231.4 &lt; 200

tests/test_route.py:41: AssertionError</failure></testcase>
<testcase classname="tests.test_geocoder" name="test_retry_backoff" time="0.001"><error message="failed on setup with &quot;ConnectionError: geocoder unreachable&quot;">@pytest.fixture
def geocoder(): ...
E   ConnectionError: geocoder unreachable</error></testcase>
<testcase classname="tests.test_tiles" name="test_tunnel_outline" time="0.000"><skipped type="pytest.skip" message="needs the GPU renderer">/builds/nav/tests/test_tiles.py:12: needs the GPU renderer</skipped></testcase>
<testcase classname="tests.test_tiles" name="test_cache_ttl[300]" time="0.001" />
</testsuite></testsuites>
`;

/** maven-surefire-plugin's TEST-*.xml: one suite per class, properties, captured output. */
const SUREFIRE = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report.xsd" version="3.0.2" name="nav.RouteTest" time="0.061" tests="3" errors="0" skipped="0" failures="1">
  <properties>
    <property name="java.version" value="21.0.5"/>
    <property name="os.name" value="Linux"/>
  </properties>
  <testcase name="test_reroute" classname="nav.RouteTest" time="0.012">
    <failure message="expected: &lt;3&gt; but was: &lt;4&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected: <3> but was: <4>
	at nav.RouteTest.test_reroute(RouteTest.java:42)
]]></failure>
    <system-out><![CDATA[rerouting <from> & <to>
]]></system-out>
  </testcase>
  <testcase name="test_prefers_highways" classname="nav.RouteTest" time="0.004">
    <system-out>route: A7 &amp; A1</system-out>
  </testcase>
  <testcase name="test_flaky_eta" classname="nav.RouteTest" time="0.030">
    <flakyFailure message="timeout" type="java.util.concurrent.TimeoutException"><stackTrace>...</stackTrace></flakyFailure>
  </testcase>
</testsuite>
`;

/** jest-junit's default shape: classname and name both "<describe> <test>", failures as text only. */
const JEST = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="3" failures="1" errors="0" time="1.234">
  <testsuite name="map tiles" errors="0" failures="1" skipped="1" timestamp="2025-11-20T09:12:03" time="0.8" tests="3">
    <testcase classname="map tiles draws tunnels dashed" name="map tiles draws tunnels dashed" time="0.004">
    </testcase>
    <testcase classname="map tiles caches for five minutes" name="map tiles caches for five minutes" time="0.01">
      <failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: 300
Received: 0
    at Object.&lt;anonymous&gt; (/app/src/cache.test.ts:12:20)</failure>
    </testcase>
    <testcase classname="map tiles renders offline" name="map tiles renders offline" time="0">
      <skipped/>
    </testcase>
  </testsuite>
</testsuites>
`;

/** Suites inside suites (Gradle, some aggregators), and a case with no classname. */
const NESTED = `<testsuites><testsuite name="outer"><testsuite name="inner"><testsuites><testsuite name="deepest">
<testcase name="drift_under_200m"/>
</testsuite></testsuites></testsuite><testcase name="standalone" classname=""/></testsuite></testsuites>`;

describe("parseJUnitXml", () => {
  it.each<{ situation: string; xml: string; cases: TestCaseResult[] }>([
    {
      situation: "pytest: passed, failed, error, skipped, parametrised",
      xml: PYTEST,
      cases: [
        {
          id: "tests.test_route.test_reroute_when_off_route",
          classname: "tests.test_route",
          name: "test_reroute_when_off_route",
          status: "passed",
        },
        {
          id: "tests.test_route.test_drift_under_200m",
          classname: "tests.test_route",
          name: "test_drift_under_200m",
          status: "failed",
          message: "assert 231.4 < 200",
        },
        {
          id: "tests.test_geocoder.test_retry_backoff",
          classname: "tests.test_geocoder",
          name: "test_retry_backoff",
          status: "error",
          message: 'failed on setup with "ConnectionError: geocoder unreachable"',
        },
        {
          id: "tests.test_tiles.test_tunnel_outline",
          classname: "tests.test_tiles",
          name: "test_tunnel_outline",
          status: "skipped",
          message: "needs the GPU renderer",
        },
        {
          id: "tests.test_tiles.test_cache_ttl[300]",
          classname: "tests.test_tiles",
          name: "test_cache_ttl[300]",
          status: "passed",
        },
      ],
    },
    {
      situation: "surefire: a suite at the root, properties, CDATA, output, a flaky pass",
      xml: SUREFIRE,
      cases: [
        {
          id: "nav.RouteTest.test_reroute",
          classname: "nav.RouteTest",
          name: "test_reroute",
          status: "failed",
          message: "expected: <3> but was: <4>",
        },
        {
          id: "nav.RouteTest.test_prefers_highways",
          classname: "nav.RouteTest",
          name: "test_prefers_highways",
          status: "passed",
        },
        {
          id: "nav.RouteTest.test_flaky_eta",
          classname: "nav.RouteTest",
          name: "test_flaky_eta",
          status: "passed",
        },
      ],
    },
    {
      situation: "jest-junit: the failure's first text line as message, an empty skipped",
      xml: JEST,
      cases: [
        {
          id: "map tiles draws tunnels dashed.map tiles draws tunnels dashed",
          classname: "map tiles draws tunnels dashed",
          name: "map tiles draws tunnels dashed",
          status: "passed",
        },
        {
          id: "map tiles caches for five minutes.map tiles caches for five minutes",
          classname: "map tiles caches for five minutes",
          name: "map tiles caches for five minutes",
          status: "failed",
          message: "Error: expect(received).toBe(expected) // Object.is equality",
        },
        {
          id: "map tiles renders offline.map tiles renders offline",
          classname: "map tiles renders offline",
          name: "map tiles renders offline",
          status: "skipped",
        },
      ],
    },
    {
      situation: "suites nested to any depth, and an empty classname",
      xml: NESTED,
      cases: [
        { id: "standalone", name: "standalone", status: "passed" },
        { id: "drift_under_200m", name: "drift_under_200m", status: "passed" },
      ],
    },
    {
      situation: "a byte-order mark and a suite with no cases",
      xml: '\uFEFF<?xml version="1.0"?><testsuites><testsuite name="empty" tests="0"/></testsuites>',
      cases: [],
    },
    {
      situation: "an error element with only a type",
      xml: '<testsuite><testcase classname="a" name="b"><error type="java.lang.OutOfMemoryError"/></testcase></testsuite>',
      cases: [
        { id: "a.b", classname: "a", name: "b", status: "error", message: "java.lang.OutOfMemoryError" },
      ],
    },
    {
      situation: "a very long message, cut",
      xml: `<testsuite><testcase name="long"><failure message="${"x".repeat(400)}"/></testcase></testsuite>`,
      cases: [{ id: "long", name: "long", status: "failed", message: `${"x".repeat(300)}...` }],
    },
  ])("reads $situation", ({ xml, cases }) => {
    expect(parseJUnitXml(xml, "ConfigMap nav-tests key junit.xml")).toEqual({ ok: true, cases });
  });

  it.each<{ situation: string; xml: string; message: RegExp }>([
    {
      situation: "an unclosed tag",
      xml: "<testsuites><testsuite>\n<testcase name='a'>\n</testsuite></testsuites>",
      message: /^Secret ci-report key junit\.xml: not well-formed XML at line 3, column \d+: .+/,
    },
    {
      situation: "text that is no XML",
      xml: "PASS src/cache.test.ts\n",
      message: /^Secret ci-report key junit\.xml: not well-formed XML at line 1, column \d+: .+/,
    },
    {
      situation: "an empty report",
      xml: "  \n",
      message: /^Secret ci-report key junit\.xml: the test report is empty$/,
    },
    {
      situation: "another XML document",
      xml: "<html><body>502 Bad Gateway</body></html>",
      message:
        /^Secret ci-report key junit\.xml: not a JUnit report: the root element is <html>, expected <testsuites> or <testsuite>$/,
    },
    {
      situation: "a test case without a name",
      xml: '<testsuite><testcase classname="a"/></testsuite>',
      message: /^Secret ci-report key junit\.xml: test case #1 has no name attribute/,
    },
  ])("rejects $situation, naming the source", ({ xml, message }) => {
    const parsed = parseJUnitXml(xml, "Secret ci-report key junit.xml");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});

function casesOf(...xmls: string[]): TestCaseResult[] {
  return xmls.flatMap((xml, index) => {
    const parsed = parseJUnitXml(xml, `report ${index}`);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.cases;
  });
}

const testCase = (id: string, status: TestCaseResult["status"], message?: string): TestCaseResult => ({
  id,
  name: id.slice(id.lastIndexOf(".") + 1),
  ...(id.includes(".") ? { classname: id.slice(0, id.lastIndexOf(".")) } : {}),
  status,
  ...(message === undefined ? {} : { message }),
});

describe("evaluateAcceptance", () => {
  const reports = casesOf(PYTEST, SUREFIRE, JEST, NESTED);

  it.each<{
    situation: string;
    criterion: { id: string; tests: string[]; critical: boolean; description?: string };
    expected: Omit<CriterionResult, "id" | "critical">;
  }>([
    {
      situation: "every test passed, named by classname.name, by name, and by a jest title",
      criterion: {
        id: "AC-1",
        tests: [
          "tests.test_route.test_reroute_when_off_route",
          "test_prefers_highways",
          "map tiles draws tunnels dashed",
        ],
        critical: false,
      },
      expected: {
        met: true,
        tests: [
          { test: "tests.test_route.test_reroute_when_off_route", status: "passed" },
          { test: "test_prefers_highways", status: "passed" },
          { test: "map tiles draws tunnels dashed", status: "passed" },
        ],
        message: "AC-1: 3 tests passed",
      },
    },
    {
      situation: "a critical criterion with a failed test",
      criterion: {
        id: "AC-7",
        tests: ["nav.RouteTest.test_reroute"],
        critical: true,
        description: "Reroutes within 3 s",
      },
      expected: {
        description: "Reroutes within 3 s",
        met: false,
        tests: [
          { test: "nav.RouteTest.test_reroute", status: "failed", message: "expected: <3> but was: <4>" },
        ],
        message: "AC-7 (critical): nav.RouteTest.test_reroute failed: expected: <3> but was: <4>",
      },
    },
    {
      situation: "a test no report has",
      criterion: { id: "AC-2", tests: ["drift_under_300m"], critical: false },
      expected: {
        met: false,
        tests: [{ test: "drift_under_300m", status: "missing" }],
        message: "AC-2: no result for drift_under_300m in the test reports",
      },
    },
    {
      situation: "a skipped test does not prove anything",
      criterion: { id: "AC-3", tests: ["tests.test_tiles.test_tunnel_outline"], critical: true },
      expected: {
        met: false,
        tests: [
          {
            test: "tests.test_tiles.test_tunnel_outline",
            status: "skipped",
            message: "needs the GPU renderer",
          },
        ],
        message: "AC-3 (critical): tests.test_tiles.test_tunnel_outline was skipped: needs the GPU renderer",
      },
    },
    {
      situation: "several problems: the worst is named, the rest counted",
      criterion: {
        id: "AC-4",
        tests: [
          "test_tunnel_outline",
          "missing_one",
          "test_retry_backoff",
          "test_reroute",
          "test_prefers_highways",
        ],
        critical: false,
      },
      expected: {
        met: false,
        tests: [
          { test: "test_tunnel_outline", status: "skipped", message: "needs the GPU renderer" },
          { test: "missing_one", status: "missing" },
          {
            test: "test_retry_backoff",
            status: "error",
            message: 'failed on setup with "ConnectionError: geocoder unreachable"',
          },
          { test: "test_reroute", status: "failed", message: "expected: <3> but was: <4>" },
          { test: "test_prefers_highways", status: "passed" },
        ],
        message: "AC-4: test_reroute failed: expected: <3> but was: <4>; 3 more of its 5 tests did not pass",
      },
    },
    {
      situation: "an error with no message",
      criterion: { id: "AC-5", tests: ["x.errs"], critical: false },
      expected: {
        met: false,
        tests: [{ test: "x.errs", status: "error" }],
        message: "AC-5: x.errs ended in an error",
      },
    },
    {
      situation: "a criterion that names no tests",
      criterion: { id: "AC-6", tests: [], critical: true },
      expected: { met: false, tests: [], message: "AC-6 (critical): names no tests, so nothing proves it" },
    },
    {
      situation: "a test in a nested suite, without classname",
      criterion: { id: "AC-8", tests: ["drift_under_200m"], critical: false },
      expected: {
        met: true,
        tests: [{ test: "drift_under_200m", status: "passed" }],
        message: "AC-8: 1 test passed",
      },
    },
  ])("$situation", ({ criterion, expected }) => {
    const cases = [...reports, testCase("x.errs", "error")];
    expect(evaluateAcceptance([criterion], cases)).toEqual([
      { id: criterion.id, critical: criterion.critical, ...expected },
    ]);
  });

  it.each<{
    situation: string;
    statuses: TestCaseResult["status"][];
    status: TestCaseResult["status"];
    met: boolean;
  }>([
    {
      situation: "a failure in one report beats a pass in another",
      statuses: ["passed", "failed"],
      status: "failed",
      met: false,
    },
    {
      situation: "an error in one report beats a pass in another",
      statuses: ["passed", "error", "passed"],
      status: "error",
      met: false,
    },
    { situation: "a pass beats a skip", statuses: ["skipped", "passed"], status: "passed", met: true },
    { situation: "only skips stay skipped", statuses: ["skipped", "skipped"], status: "skipped", met: false },
    {
      situation: "the first of a failure and an error wins",
      statuses: ["skipped", "error", "failed"],
      status: "error",
      met: false,
    },
  ])("same test in several reports: $situation", ({ statuses, status, met }) => {
    const cases = statuses.map((each) => testCase("nav.RouteTest.test_reroute", each));
    const [result] = evaluateAcceptance(
      [{ id: "AC-9", tests: ["nav.RouteTest.test_reroute"], critical: true }],
      cases,
    );
    expect({ status: result?.tests[0]?.status, met: result?.met }).toEqual({ status, met });
  });

  it("judges every criterion, in order", () => {
    const results = evaluateAcceptance(
      [
        { id: "AC-1", tests: ["test_prefers_highways"], critical: true },
        { id: "AC-2", tests: ["nope"], critical: false },
      ],
      reports,
    );
    expect(results.map(({ id, met }) => ({ id, met }))).toEqual([
      { id: "AC-1", met: true },
      { id: "AC-2", met: false },
    ]);
  });
});
