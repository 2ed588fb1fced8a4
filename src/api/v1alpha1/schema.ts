// zod schemas that read a spec the way the operator will use it. Each mirrors a TypeScript type of
// this folder exactly (schema.typecheck.ts proves it at compile time); the string formats come from
// formats.ts, which the CRD uses too. Messages name what is valid, so a user can act on them.
import { z } from "zod";
import { parseDuration } from "./duration.js";
import { FORMATS, DEFAULT_MAX_STRING_LENGTH, RATIO_BOUNDS, type FormatName } from "./formats.js";
import { METRIC_DEFAULTS } from "./defaults.js";
import { branchNameProblem, tagFor } from "../../providers/git/ref-names.js";
import { normaliseReportPath } from "../../providers/git/report-files.js";

export const STRATEGIES = ["all-at-once", "blue-green", "canary", "manual"] as const;
export const TIERS = ["production", "staging", "development"] as const;
export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export const OVERRIDABLE_FIELDS = [
  "deploy.timeout",
  "deploy.idleTimeout",
  "smoke.timeout",
  "watch.duration",
  "watch.interval",
] as const;
export const METRIC_KINDS = ["error-rate", "latency", "throughput", "saturation", "custom"] as const;
export const PROMQL_PLACEHOLDERS = ["version", "previousVersion", "environment"] as const;

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: () => `must be one of: ${values.join(", ")}` });

const text = (max = DEFAULT_MAX_STRING_LENGTH) =>
  z
    .string({ error: () => "must be a string" })
    .max(max, { error: () => `must be at most ${max} characters` });

const nonEmpty = (max = DEFAULT_MAX_STRING_LENGTH) => text(max).min(1, { error: () => "must not be empty" });

const format = (name: FormatName) => {
  const { pattern, maxLength, describe } = FORMATS[name];
  return z
    .string({ error: () => `must be ${describe}` })
    .max(maxLength, {
      error: () => `is longer than ${maxLength} characters: it must be ${describe}`,
      abort: true,
    })
    .regex(new RegExp(pattern), { error: () => `must be ${describe}`, abort: true });
};

const duration = () =>
  format("Duration").refine((value) => (parseDuration(value) ?? 0) > 0, {
    error: () => "must be a duration longer than zero",
  });

const timestamp = () =>
  format("Timestamp").refine((value) => !Number.isNaN(Date.parse(value)), {
    error: () => `must be ${FORMATS.Timestamp.describe}`,
  });

const integer = (min: number, max: number) =>
  z
    .number({ error: () => "must be a number" })
    .int({ error: () => "must be a whole number" })
    .min(min, { error: () => `must be at least ${min}` })
    .max(max, { error: () => `must be at most ${max}` });

const list = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item, { error: () => "must be a list" })
    .max(max, { error: () => `must have at most ${max} items` });

const stringMap = () => z.record(text(253), text(), { error: () => "must be a map of strings to strings" });

/** Exactly one of the named fields is set. */
const exactlyOne = (fields: readonly string[]) => (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
  const set = fields.filter((field) => value[field] !== undefined);
  if (set.length !== 1) {
    ctx.addIssue({
      code: "custom",
      message:
        set.length === 0
          ? `needs exactly one of: ${fields.join(", ")}`
          : `sets ${set.join(" and ")}; exactly one of ${fields.join(", ")} is allowed`,
    });
  }
};

const uniqueBy =
  <T>(key: (item: T) => string, what: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const name = key(item);
      if (seen.has(name)) {
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `repeats the ${what} "${name}"; each must be unique`,
        });
      }
      seen.add(name);
    });
  };

// Building an Intl.DateTimeFormat costs ~80 µs, more than the rest of a spec's validation; the set of
// zones in use is tiny, so remember the answers.
const knownTimeZones = new Map<string, boolean>();
const isTimeZone = (zone: string): boolean => {
  let valid = knownTimeZones.get(zone);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      valid = true;
    } catch {
      valid = false;
    }
    if (knownTimeZones.size < 1024) knownTimeZones.set(zone, valid);
  }
  return valid;
};

const isRegExp = (source: string): boolean => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
};

export const strategySchema = oneOf(STRATEGIES);
const secretReference = z.strictObject({ name: format("ObjectName") });
const keyReference = z.strictObject({ name: format("ObjectName"), key: text(253).optional() });

export const conditionSchema = z.strictObject({
  type: nonEmpty(316),
  status: oneOf(["True", "False", "Unknown"]),
  observedGeneration: integer(0, Number.MAX_SAFE_INTEGER).optional(),
  lastTransitionTime: timestamp(),
  reason: nonEmpty(1024),
  message: text(32768),
});

const envFromSource = z
  .strictObject({ secretRef: secretReference.optional(), configMapRef: secretReference.optional() })
  .superRefine(exactlyOne(["secretRef", "configMapRef"]));

// Label keys and values as Kubernetes validates them: checked here so that a typo holds the
// Environment with a message, instead of the API server refusing the deploy Job at Execute.
const LABEL_NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
const DNS_SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const LABEL_KEY_RULE =
  "a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
const labelKey = z
  .string({ error: () => `must be ${LABEL_KEY_RULE}` })
  .regex(new RegExp(`^(${DNS_SUBDOMAIN}/)?${LABEL_NAME}$`), { error: () => `must be ${LABEL_KEY_RULE}` })
  .refine((key) => key.indexOf("/") <= 253, {
    error: () => `must be ${LABEL_KEY_RULE} (the prefix at most 253 characters)`,
  });
const labelValue = z.string({ error: () => "must be a string" }).regex(new RegExp(`^(${LABEL_NAME})?$`), {
  error: () =>
    "must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
});

const toleration = z
  .strictObject({
    key: labelKey.optional(),
    operator: oneOf(["Exists", "Equal"]).optional(),
    value: labelValue.optional(),
    effect: oneOf(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: integer(0, Number.MAX_SAFE_INTEGER).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.operator === "Exists" && value.value !== undefined && value.value !== "") {
      ctx.addIssue({ code: "custom", path: ["value"], message: "must be empty when operator is Exists" });
    }
    if ((value.key ?? "") === "" && value.operator !== "Exists") {
      ctx.addIssue({ code: "custom", path: ["operator"], message: "must be Exists when no key is given" });
    }
  });

const approvalPolicy = z.strictObject({
  required: z.boolean({ error: () => "must be true or false" }).optional(),
  count: integer(1, 10).optional(),
  approverGroups: list(nonEmpty(253), 16).optional(),
  fourEyes: z.boolean({ error: () => "must be true or false" }).optional(),
});

const changeWindow = z
  .strictObject({
    days: list(oneOf(WEEKDAYS), 7)
      .min(1, { error: () => `must name at least one of: ${WEEKDAYS.join(", ")}` })
      .superRefine(uniqueBy((day) => day, "day")),
    start: format("TimeOfDay"),
    end: format("TimeOfDay"),
    timeZone: text(64)
      .refine(isTimeZone, { error: () => "must be an IANA time zone such as UTC or Europe/Berlin" })
      .optional(),
  })
  .superRefine((window, ctx) => {
    // Equal ends could mean "never" or "all day"; neither is worth guessing about.
    if (window.start === window.end) {
      ctx.addIssue({
        code: "custom",
        path: ["end"],
        message: `equals start (${window.start}): a window needs a length; for a whole day use start 00:00 and end 23:59`,
      });
    }
  });

const blackout = z
  .strictObject({ from: timestamp(), to: timestamp(), reason: nonEmpty() })
  .superRefine((value, ctx) => {
    if (Date.parse(value.to) <= Date.parse(value.from)) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `must be after from (${value.from})` });
    }
  });

const artifact = z.strictObject({
  repository: nonEmpty(),
  pullSecret: secretReference.optional(),
  plainHTTP: z.boolean({ error: () => "must be true or false" }).optional(),
});

const tagPattern = () =>
  nonEmpty().refine((value) => value.includes("{version}"), {
    error: () => "must contain the placeholder {version}, e.g. release/{version}",
  });

// The transports the git providers allow (git-process.ts): `git://` is unauthenticated and scp-like
// `user@host:path` is written `ssh://user@host/path`.
const gitUrl = () =>
  nonEmpty().regex(/^(https?|ssh|file):\/\/\S+$/, {
    error: () =>
      "must be a git URL: https://, http://, ssh:// or file:// (write user@host:path as ssh://user@host/path)",
  });

/** A message from one of the git rules that throw, as a zod refinement's. */
function gitRule(check: (value: string) => void): (value: string, context: z.RefinementCtx) => void {
  return (value, context) => {
    try {
      check(value);
    } catch (error) {
      context.addIssue({ code: "custom", message: error instanceof Error ? error.message : "is invalid" });
    }
  };
}

const sourceRepository = z.strictObject({
  url: gitUrl(),
  credentialsSecret: secretReference.optional(),
  tagPattern: tagPattern().optional(),
  components: list(z.strictObject({ pathPrefix: nonEmpty(), component: nonEmpty(253) }), 64).optional(),
});

const acceptanceCriterion = z.strictObject({
  id: nonEmpty(253),
  description: text().optional(),
  tests: list(nonEmpty(), 256).min(1, {
    error: () => "must name at least one test that proves the criterion",
  }),
  critical: z.boolean({ error: () => "must be true or false" }).optional(),
});

const testReportSource = z
  .strictObject({ configMap: keyReference.optional(), secret: keyReference.optional() })
  .superRefine(exactlyOne(["configMap", "secret"]));

const acceptance = z.strictObject({
  criteria: list(acceptanceCriterion, 256)
    .superRefine(uniqueBy((criterion) => criterion.id, "criterion id"))
    .optional(),
  reports: list(testReportSource, 32).optional(),
});

const deployScript = z
  .strictObject({ path: nonEmpty().optional(), configMap: keyReference.optional() })
  .superRefine(exactlyOne(["path", "configMap"]));

const strategyArgList = () => list(text(), 32).optional();

const deploy = z.strictObject({
  image: nonEmpty(),
  imagePullPolicy: oneOf(["Always", "IfNotPresent", "Never"]).optional(),
  script: deployScript,
  strategyArgs: z
    .strictObject({
      "all-at-once": strategyArgList(),
      "blue-green": strategyArgList(),
      canary: strategyArgList(),
      manual: strategyArgList(),
    })
    .optional(),
  envFrom: list(envFromSource, 16).optional(),
  requiredEnv: list(format("EnvVarName"), 256).optional(),
  nodeSelector: z
    .record(z.string(), labelValue, { error: () => "must be a map of label keys to label values" })
    .superRefine((selector, ctx) => {
      for (const key of Object.keys(selector)) {
        if (!labelKey.safeParse(key).success)
          ctx.addIssue({ code: "custom", path: [key], message: `has a key that is not ${LABEL_KEY_RULE}` });
      }
    })
    .optional(),
  tolerations: list(toleration, 32).optional(),
  affinity: z
    .record(z.string(), z.unknown(), { error: () => "must be an object, as in a Pod spec" })
    .optional(),
  serviceAccountName: format("ObjectName").optional(),
  podSecurity: oneOf(["restricted", "baseline", "privileged"]).optional(),
  idleTimeout: duration().optional(),
  timeout: duration().optional(),
  manualChecklist: list(text(), 64).optional(),
});

const smokeSafety = oneOf(["smoke-endpoint", "test-account"]);

const httpSmokeCase = z.strictObject({
  name: nonEmpty(253),
  method: oneOf(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).optional(),
  url: format("HttpUrl"),
  headers: stringMap().optional(),
  body: text(65536).optional(),
  expectedStatus: integer(100, 599).optional(),
  bodyMatch: z
    .strictObject({
      contains: nonEmpty().optional(),
      regex: nonEmpty()
        .refine(isRegExp, { error: () => "must be a valid regular expression (ECMAScript syntax)" })
        .optional(),
    })
    .refine((match) => match.contains !== undefined || match.regex !== undefined, {
      error: () => "needs contains, regex, or both",
    })
    .optional(),
  timeout: duration().optional(),
  safety: smokeSafety.optional(),
});

const jobSmokeCase = z.strictObject({
  name: nonEmpty(253),
  image: nonEmpty(),
  command: list(text(), 64)
    .min(1, { error: () => "must have at least the program to run" })
    .refine((command) => command.length === 0 || command[0] !== "", {
      error: () => "must start with the program to run, not an empty string",
      path: [0],
    }),
  timeout: duration().optional(),
  safety: smokeSafety.optional(),
});

const smoke = z
  .strictObject({
    required: z.boolean({ error: () => "must be true or false" }).optional(),
    timeout: duration().optional(),
    http: list(httpSmokeCase, 64).optional(),
    jobs: list(jobSmokeCase, 32).optional(),
  })
  .superRefine((value, ctx) => {
    const names = [...(value.http ?? []), ...(value.jobs ?? [])].map((smokeCase) => smokeCase.name);
    const repeated = names.filter((name, index) => names.indexOf(name) !== index);
    for (const name of new Set(repeated)) {
      ctx.addIssue({
        code: "custom",
        message: `repeats the case name "${name}"; each case needs its own name`,
      });
    }
  });

/** The `{name}` placeholders a PromQL query uses. Label matchers always hold an operator, so never match. */
export function placeholdersIn(query: string): string[] {
  return [...query.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1] ?? "");
}

const ratio = () =>
  z
    .number({ error: () => "must be a number greater than 1 (2 means twice as bad as the baseline)" })
    .gt(RATIO_BOUNDS.exclusiveMinimum, {
      error: () =>
        `must be greater than ${RATIO_BOUNDS.exclusiveMinimum} (2 means twice as bad as the baseline)`,
    })
    .max(RATIO_BOUNDS.maximum, { error: () => `must be at most ${RATIO_BOUNDS.maximum}` });

const metric = z
  .strictObject({
    name: nonEmpty(253),
    query: nonEmpty().superRefine((query, ctx) => {
      const unknown = placeholdersIn(query).filter(
        (name) => !(PROMQL_PLACEHOLDERS as readonly string[]).includes(name),
      );
      if (unknown.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `uses the unknown placeholder ${unknown.map((name) => `{${name}}`).join(", ")}; valid: ${PROMQL_PLACEHOLDERS.map((name) => `{${name}}`).join(", ")}`,
        });
      }
    }),
    kind: oneOf(METRIC_KINDS).optional(),
    direction: oneOf(["up", "down"]).optional(),
    hardRatio: ratio().optional(),
    softRatio: ratio().optional(),
    floor: z
      .number({ error: () => "must be a number of at least 0" })
      .min(0, { error: () => "must be at least 0" })
      .optional(),
  })
  .superRefine((value, ctx) => {
    const defaults = METRIC_DEFAULTS[value.kind ?? "custom"];
    const hard = value.hardRatio ?? defaults.hardRatio;
    const soft = value.softRatio ?? defaults.softRatio;
    // A ratio of 1 or less is refused already; comparing with it would only point at the other one.
    if (hard <= RATIO_BOUNDS.exclusiveMinimum || soft <= RATIO_BOUNDS.exclusiveMinimum) return;
    if (soft >= hard) {
      ctx.addIssue({
        code: "custom",
        path: [value.softRatio === undefined ? "hardRatio" : "softRatio"],
        message: `softRatio (${soft}${value.softRatio === undefined ? ", the default" : ""}) must be less than hardRatio (${hard}${value.hardRatio === undefined ? ", the default" : ""})`,
      });
    }
  });

const watch = z
  .strictObject({
    duration: duration().optional(),
    interval: duration().optional(),
    noDataGrace: duration().optional(),
    prometheus: z.strictObject({
      url: format("HttpUrl"),
      authSecret: secretReference.optional(),
      timeout: duration().optional(),
    }),
    baseline: z
      .strictObject({ mode: oneOf(["pre-deploy", "concurrent"]).optional(), window: duration().optional() })
      .optional(),
    metrics: list(metric, 32)
      .min(1, { error: () => "must list at least one metric: the watch window is mandatory" })
      .superRefine(uniqueBy((item) => item.name, "metric name")),
    healthCheck: z
      .strictObject({
        url: format("HttpUrl"),
        method: oneOf(["GET", "HEAD"]).optional(),
        expectedStatus: integer(100, 599).optional(),
        timeout: duration().optional(),
      })
      .optional(),
  })
  .superRefine((value, ctx) => {
    if (value.baseline?.mode !== "concurrent") return;
    value.metrics.forEach((item, index) => {
      if (!placeholdersIn(item.query).includes("version")) {
        ctx.addIssue({
          code: "custom",
          path: ["metrics", index, "query"],
          message:
            "must use {version}: a concurrent baseline runs the same query with {version} set to the previous version",
        });
      }
    });
  });

const report = z.strictObject({
  url: gitUrl().optional(),
  branch: nonEmpty(253)
    .superRefine(
      gitRule((branch) => {
        const problem = branch === "" ? undefined : branchNameProblem(branch);
        if (problem !== undefined) throw new Error(`is not a valid git branch name: it ${problem}`);
      }),
    )
    .optional(),
  path: text()
    .superRefine(gitRule((path) => normaliseReportPath(path)))
    .optional(),
  credentialsSecret: secretReference.optional(),
  // Checked with a sample version: a pattern that makes no valid tag would fail every Released report.
  tagPattern: tagPattern()
    .superRefine(gitRule((pattern) => pattern.includes("{version}") && tagFor(pattern, "1.0.0")))
    .optional(),
});

export const environmentSpecSchema = z
  .strictObject({
    tier: oneOf(TIERS),
    strategies: list(strategySchema, 4)
      .min(1, { error: () => `must name at least one of: ${STRATEGIES.join(", ")}` })
      .superRefine(uniqueBy((item) => item, "strategy"))
      .optional(),
    defaultStrategy: strategySchema.optional(),
    autoSelectStrategy: z.boolean({ error: () => "must be true or false" }).optional(),
    approval: approvalPolicy.optional(),
    changeWindows: list(changeWindow, 16).optional(),
    blackouts: list(blackout, 64).optional(),
    allowedOverrides: list(oneOf(OVERRIDABLE_FIELDS), 5).optional(),
    artifact: artifact.optional(),
    source: sourceRepository.optional(),
    acceptance: acceptance.optional(),
    deploy,
    smoke: smoke.optional(),
    watch,
    report: report.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.defaultStrategy !== undefined && value.strategies !== undefined) {
      if (!value.strategies.includes(value.defaultStrategy)) {
        ctx.addIssue({
          code: "custom",
          path: ["defaultStrategy"],
          message: `must be one of the environment's strategies: ${value.strategies.join(", ")}`,
        });
      }
    }
  });

const overrides = z.strictObject({
  deploy: z.strictObject({ timeout: duration().optional(), idleTimeout: duration().optional() }).optional(),
  smoke: z.strictObject({ timeout: duration().optional() }).optional(),
  watch: z.strictObject({ duration: duration().optional(), interval: duration().optional() }).optional(),
});

export const releaseSpecSchema = z.strictObject({
  environment: text(253)
    .refine((name) => !/[,;\s]/.test(name.trim()), {
      error: () => "must name exactly one Environment: create one Release per environment",
      abort: true,
    })
    .pipe(format("ObjectName")),
  version: format("VersionString"),
  revision: nonEmpty(253).optional(),
  rollbackTarget: format("VersionString").optional(),
  strategy: strategySchema.optional(),
  strategyArgs: list(text(), 32).optional(),
  overrides: overrides.optional(),
  scope: z.strictObject({ exclude: list(nonEmpty(253), 128).optional() }).optional(),
});
