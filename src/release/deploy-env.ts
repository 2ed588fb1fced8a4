// The deploy's environment (the `.env`), checked before the deploy Job starts: every required name set
// by some `envFrom` source, no placeholder left in a required value or in any Secret. Pure. Problems
// name the variable and where it comes from, never its value.

export interface EnvSource {
  kind: "Secret" | "ConfigMap";
  name: string;
  found: boolean;
  values: ReadonlyMap<string, string>;
  /**
   * Keys of a ConfigMap's `binaryData`. The kubelet puts only `data` into a container's environment,
   * so these never set a variable; they are named so a problem can say why a variable is missing.
   */
  binaryDataKeys?: readonly string[];
}

// What a template leaves behind, anchored on the whole (trimmed) value so that real values which
// merely contain such a word (`todo-service.internal`) pass. Decided beyond the obvious ones:
// - `null`, `nil` and `undefined` are flagged: they are what a templating tool writes for a missing
//   value, never a deliberate setting.
// - `none` is not flagged: `AUTH_MODE=none` or `COMPRESSION=none` are real settings.
// - `secret` and `password` are flagged: as a whole value they are a template's stand-in, and a
//   credential that is literally the word would have to be replaced anyway.
// - `${NAME}` is flagged: an unexpanded shell or compose reference; the kubelet does not expand it.
const PLACEHOLDERS: readonly RegExp[] = [
  /^$/,
  /^change[-_ ]?(me|it|this)$/i,
  /^<[^<>]*>$/,
  /^(todo|tbd|fixme|placeholder|replace[-_ ]?me|secret|password|null|nil|undefined)$/i,
  /^(todo|tbd|fixme)(:|\s)/i,
  /^x{3,}$/i,
  /^(\.{3,}|…)$/,
  /^your[-_ ].*[-_ ]here$/i,
  /^\$\{[^}]*\}$/,
];

export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim();
  return PLACEHOLDERS.some((pattern) => pattern.test(trimmed));
}

const describeSource = (source: EnvSource): string => `${source.kind} ${source.name}`;

function placeholderProblem(name: string, source: EnvSource): string {
  return `${name} from ${describeSource(source)} is a placeholder, not a real value`;
}

function unsetProblem(name: string, sources: readonly EnvSource[]): string {
  const unset = `${name} is required (deploy.requiredEnv) but no envFrom source sets it`;
  const inBinaryData = sources.filter((source) => source.binaryDataKeys?.includes(name) === true);
  if (inBinaryData.length > 0) {
    const where = inBinaryData.map(describeSource).join(", ");
    return `${unset}: ${where} holds it in binaryData, which Kubernetes never puts into the environment`;
  }
  const looked = sources.map(describeSource).join(", ");
  return looked === "" ? unset : `${unset} (${looked})`;
}

export function checkDeployEnvironment(required: readonly string[], sources: readonly EnvSource[]): string[] {
  const problems: string[] = [];
  for (const source of sources) {
    if (!source.found) problems.push(`${describeSource(source)} named in deploy.envFrom not found`);
  }
  // As in Kubernetes, a later source wins for a key several sources define.
  const winner = new Map<string, EnvSource>();
  for (const source of sources) for (const key of source.values.keys()) winner.set(key, source);

  const requiredNames = new Set(required);
  for (const name of requiredNames) {
    const source = winner.get(name);
    if (source === undefined) problems.push(unsetProblem(name, sources));
    else if (isPlaceholder(source.values.get(name) ?? "")) problems.push(placeholderProblem(name, source));
  }
  // No placeholder secret may remain, required or not: the deploy script may read any of them.
  for (const [name, source] of winner) {
    if (requiredNames.has(name) || source.kind !== "Secret") continue;
    if (isPlaceholder(source.values.get(name) ?? "")) problems.push(placeholderProblem(name, source));
  }
  return problems;
}
