import { readFileSync } from "node:fs";
import { z } from "zod";

export const gitServerConfigSchema = z.object({
  /** Address to listen on; loopback unless there is a reason. */
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(1).max(65_535),
  /** The folder holding the bare repositories, served as /git/<name>.git. */
  projectRoot: z.string().min(1),
  /** Shown by clients in their password prompt. */
  realm: z.string().min(1).default("release-operator git"),
  /** The one user allowed to fetch and push. */
  credentials: z.object({ username: z.string().min(1), password: z.string().min(1) }),
  gitBinary: z.string().min(1).default("git"),
});

export type GitServerConfig = z.infer<typeof gitServerConfigSchema>;

/** Reads and checks the config file; the message names the file and the field, never the password. */
export function readGitServerConfig(file: string): GitServerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(
      `cannot read the git server config ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const parsed = gitServerConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new Error(`the git server config ${file} is not valid: ${problems.join("; ")}`);
  }
  return parsed.data;
}
