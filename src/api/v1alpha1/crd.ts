// What the CRDs say beyond the shape of the types: printer columns, CEL validation rules (checked by
// the apiserver on every write), and list semantics. Read by the generator in hack/generate.

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description: string;
  /** 0: always shown; 1: shown with `-o wide`. */
  priority?: number;
}

export interface ValidationRule {
  rule: string;
  message: string;
  /** The field the message is about, relative to where the rule sits (e.g. `.softRatio`). */
  fieldPath?: string;
}

export const RELEASE_PRINTER_COLUMNS: PrinterColumn[] = [
  { name: "Env", type: "string", jsonPath: ".spec.environment", description: "The target Environment." },
  { name: "Version", type: "string", jsonPath: ".spec.version", description: "The version released." },
  { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Where the release is." },
  { name: "Verdict", type: "string", jsonPath: ".status.verdict", description: "How the release ended." },
  {
    name: "Waiting-For",
    type: "string",
    jsonPath: ".status.pendingDecision.kind",
    description: "The human decision the release waits for; the command is in status.pendingDecision.",
  },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation." },
  { name: "Reason", type: "string", jsonPath: ".status.reason", description: "Why.", priority: 1 },
];

export const ENVIRONMENT_PRINTER_COLUMNS: PrinterColumn[] = [
  {
    name: "Tier",
    type: "string",
    jsonPath: ".spec.tier",
    description: "production, staging or development.",
  },
  {
    name: "Current",
    type: "string",
    jsonPath: ".status.currentVersion",
    description: "The version running, as far as the operator knows.",
  },
  {
    name: "Active",
    type: "string",
    jsonPath: ".status.activeRelease",
    description: "The Release that holds the environment now.",
  },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation." },
];

const exactlyOne = (a: string, b: string, what: string): ValidationRule => ({
  rule: `has(self.${a}) != has(self.${b})`,
  message: `${what} needs exactly one of ${a} and ${b}`,
});

/** CEL rules by the name of the type they sit on. */
export const VALIDATION_RULES: Readonly<Record<string, ValidationRule[]>> = {
  ReleaseSpec: [
    {
      rule: "self == oldSelf",
      message: "spec is immutable: a Release is one attempt; create a new Release to try again",
    },
    {
      rule: "size(self.version) > 0",
      message: "version must name the version to release, e.g. 1.4.2",
      fieldPath: ".version",
    },
    {
      rule: "!self.environment.contains(',')",
      message: "environment must name exactly one Environment: create one Release per environment",
      fieldPath: ".environment",
    },
  ],
  EnvironmentSpec: [
    {
      rule: "!has(self.defaultStrategy) || !has(self.strategies) || self.defaultStrategy in self.strategies",
      message: "defaultStrategy must be one of strategies",
      fieldPath: ".defaultStrategy",
    },
  ],
  Metric: [
    {
      rule: "!has(self.softRatio) || !has(self.hardRatio) || self.softRatio < self.hardRatio",
      message: "softRatio must be less than hardRatio",
      fieldPath: ".softRatio",
    },
  ],
  Blackout: [
    {
      rule: "timestamp(self.to) > timestamp(self.from)",
      message: "a blackout must end (to) after it starts (from)",
      fieldPath: ".to",
    },
  ],
  DeployScript: [exactlyOne("path", "configMap", "deploy.script")],
  EnvFromSource: [exactlyOne("secretRef", "configMapRef", "an envFrom entry")],
  TestReportSource: [exactlyOne("configMap", "secret", "a test report source")],
};

/** Lists merged by a key field under server-side apply, by property name. */
export const LIST_MAP_KEYS: Readonly<Record<string, string[]>> = {
  conditions: ["type"],
};
