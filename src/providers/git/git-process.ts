// Running the git CLI for the providers: an environment without the user's or the system's git config,
// credentials passed only through that environment, never prompts, and secrets scrubbed from anything
// git prints before it reaches a message.
import { execa } from "execa";

export interface GitCredentials {
  username: string;
  password: string;
}

/** The URL schemes a source repository may use; git's other transports (`ext::`, ...) can run commands. */
export const ALLOWED_PROTOCOLS = ["https", "http", "ssh", "file"] as const;

/** Whether `url` is a URL with one of the ALLOWED_PROTOCOLS. */
export function isAllowedUrl(url: string): boolean {
  try {
    const protocol = new URL(url).protocol.replace(/:$/, "");
    return (ALLOWED_PROTOCOLS as readonly string[]).includes(protocol);
  } catch {
    return false;
  }
}

/** Variables passed through from the operator's environment: finding git, proxies and CA bundles. */
const INHERITED_VARIABLES = [
  "PATH",
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "NO_PROXY",
  "no_proxy",
  "ALL_PROXY",
  "all_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "GIT_SSL_CAINFO",
] as const;

export function basicAuthorizationHeader(credentials: GitCredentials): string {
  return `Authorization: Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

/**
 * The whole environment of a git command. Nothing else is inherited, so a `GIT_DIR`, `GIT_TRACE_CURL`
 * (which would print the credentials) or a user's config cannot change what git does.
 */
export function gitEnvironment(
  inherited: Readonly<Record<string, string | undefined>>,
  home: string,
  credentials?: GitCredentials,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = inherited[name];
    if (value !== undefined) environment[name] = value;
  }
  return {
    ...environment,
    // English messages: the first error line is shown to people and checked for an auth failure.
    LC_ALL: "C",
    LANG: "C",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GIT_SSH_COMMAND: "ssh -o BatchMode=yes",
    GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS.join(":"),
    ...(credentials === undefined
      ? { GIT_CONFIG_COUNT: "0" }
      : {
          GIT_CONFIG_COUNT: "1",
          GIT_CONFIG_KEY_0: "http.extraHeader",
          GIT_CONFIG_VALUE_0: basicAuthorizationHeader(credentials),
        }),
  };
}

/** The text with every form of the credentials' secret that git could echo replaced by `***`. */
export function scrubSecrets(text: string, credentials?: GitCredentials): string {
  if (credentials === undefined || credentials.password === "") return text;
  const secrets = [
    Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64"),
    encodeURIComponent(credentials.password),
    credentials.password,
  ];
  // Longest first, so a secret that contains another is replaced whole.
  return secrets
    .sort((a, b) => b.length - a.length)
    .reduce((scrubbed, secret) => scrubbed.replaceAll(secret, "***"), text);
}

/** The URL as it may be shown: user info (a token, a password) replaced by `***`. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return url;
    parsed.username = "***";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Lines git adds after the one that says what happened (`ssh: connect to host ...: Connection refused`). */
const GENERIC_LINES =
  /^(?:fatal: )?(?:Could not read from remote repository\.?|the remote end hung up unexpectedly)$/i;
const ADVICE_LINES = /^(?:hint|warning):/i;

/**
 * The line of git's stderr that says what went wrong, scrubbed of secrets: the first `fatal:` or
 * `error:` line (without that word) that is not one of git's generic follow-ups, else the first other
 * line, else the generic one.
 */
export function firstErrorLine(stderr: string, credentials?: GitCredentials): string {
  const lines = scrubSecrets(stderr, credentials)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !ADVICE_LINES.test(line));
  const specific = lines.filter((line) => !GENERIC_LINES.test(line));
  const chosen =
    specific.find((line) => /^(?:fatal|error):/i.test(line)) ?? specific[0] ?? lines[0] ?? "no error output";
  const text = chosen.replace(/^(?:fatal|error):\s*/i, "");
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/** Whether git's stderr says the server wanted credentials it did not get or did not accept. */
export function isAuthenticationFailure(stderr: string): boolean {
  return /Authentication failed|could not read (?:Username|Password)|terminal prompts disabled|HTTP (?:Basic: Access denied|401|403)|returned error: 40[13]|Permission denied \(publickey/i.test(
    stderr,
  );
}

export interface GitRun {
  args: readonly string[];
  /** Where git runs; `-C` is not used so that the directory never mixes with the arguments. */
  cwd: string;
  environment: Record<string, string>;
  timeoutMs: number;
}

export type GitResult =
  | { ok: true; stdout: string }
  | { ok: false; stderr: string; timedOut: boolean; exitCode: number | undefined; cause: string };

function failureCause(
  result: { timedOut: boolean; exitCode?: number | undefined; cause?: unknown },
  run: GitRun,
): string {
  const command = `git ${run.args.find((arg) => !arg.startsWith("-")) ?? run.args[0] ?? ""}`;
  if (result.timedOut) return `${command} timed out after ${run.timeoutMs} ms`;
  if (result.exitCode !== undefined) return `${command} exited with code ${result.exitCode}`;
  return `could not run ${command}: ${result.cause instanceof Error ? result.cause.message : "unknown cause"}`;
}

export async function runGit(run: GitRun): Promise<GitResult> {
  const result = await execa("git", run.args, {
    cwd: run.cwd,
    env: run.environment,
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    timeout: run.timeoutMs,
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (!result.failed) return { ok: true, stdout: result.stdout };
  // Not execa's message: it quotes the command line, URL included, which may carry user info.
  return {
    ok: false,
    stderr: result.stderr,
    timedOut: result.timedOut,
    exitCode: result.exitCode,
    cause: failureCause(result, run),
  };
}
