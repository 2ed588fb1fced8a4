// The deploy's environment (the `.env`), checked before the deploy Job starts: every required name set
// by some `envFrom` source, no placeholder left in a required value or in any Secret. Pure. Problems
// name the variable and where it comes from, never its value.

export interface EnvSource {
  kind: "Secret" | "ConfigMap";
  name: string;
  found: boolean;
  values: ReadonlyMap<string, string>;
}

// What a template leaves behind: `changeme`, `<your token>`, `TODO`, `xxx`, `your-key-here`, `...`.
// Anchored on the whole value, so real values that merely contain such words pass.
const PLACEHOLDERS: readonly RegExp[] = [
  /^$/,
  /^change[-_ ]?me$/i,
  /^<.*>$/s,
  /^(todo|tbd|fixme|placeholder|replace[-_ ]?me|secret|password|none|null|undefined)$/i,
  /^x{3,}$/i,
  /^\.{3,}$|^…$/,
  /^your[-_ ].*[-_ ]here$/i,
  /^\$\{.*\}$/,
];

export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim();
  return PLACEHOLDERS.some((pattern) => pattern.test(trimmed));
}

const describeSource = (source: EnvSource): string => `${source.kind} ${source.name}`;

export function checkDeployEnvironment(required: readonly string[], sources: readonly EnvSource[]): string[] {
  const problems: string[] = [];
  for (const source of sources) {
    if (!source.found) problems.push(`${describeSource(source)} named in deploy.envFrom not found`);
  }
  // As in Kubernetes, a later source wins for a key several sources define.
  const winner = new Map<string, EnvSource>();
  for (const source of sources) for (const key of source.values.keys()) winner.set(key, source);

  const placeholder = (name: string, source: EnvSource): string =>
    `${name} from ${describeSource(source)} is a placeholder, not a real value`;
  for (const name of required) {
    const source = winner.get(name);
    if (source === undefined) {
      const from = sources.map(describeSource).join(", ");
      problems.push(
        `${name} is required (deploy.requiredEnv) but no envFrom source sets it${from === "" ? "" : ` (${from})`}`,
      );
    } else if (isPlaceholder(source.values.get(name) ?? "")) {
      problems.push(placeholder(name, source));
    }
  }
  for (const [name, source] of winner) {
    if (required.includes(name) || source.kind !== "Secret") continue;
    if (isPlaceholder(source.values.get(name) ?? "")) problems.push(placeholder(name, source));
  }
  return problems;
}
