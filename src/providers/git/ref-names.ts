// Git's rules for ref names (`git check-ref-format`), as a pure function, so that a tag or branch
// name built from an environment's pattern is refused with a reason before any git command runs.

/** Characters git never allows in a ref name, each with how a message names it. */
const FORBIDDEN_CHARACTERS: readonly (readonly [string, string])[] = [
  [" ", "a space"],
  ["~", '"~"'],
  ["^", '"^"'],
  [":", '":"'],
  ["?", '"?"'],
  ["*", '"*"'],
  ["[", '"["'],
  ["\\", "a backslash"],
];

function controlCharacterIn(name: string): string | undefined {
  for (const character of name) {
    const code = character.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return undefined;
}

/**
 * What makes `name` an invalid ref name under `git check-ref-format --allow-onelevel`, or undefined
 * when it is valid. `name` is checked as given: a tag `release/1.4.2` as well as `refs/tags/release/1.4.2`.
 */
export function refNameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (name === "@") return 'is the single character "@"';
  const control = controlCharacterIn(name);
  if (control !== undefined) return `contains the control character ${control}`;
  for (const [character, described] of FORBIDDEN_CHARACTERS) {
    if (name.includes(character)) return `contains ${described}`;
  }
  if (name.includes("@{")) return 'contains "@{"';
  if (name.includes("..")) return 'contains ".."';
  if (name.startsWith("/")) return 'begins with "/"';
  if (name.endsWith("/")) return 'ends with "/"';
  if (name.includes("//")) return 'contains "//"';
  if (name.endsWith(".")) return 'ends with "."';
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return `has a component beginning with "." (${component})`;
    if (component.endsWith(".lock")) return `has a component ending with ".lock" (${component})`;
  }
  return undefined;
}

/** What makes `tag` unusable as a tag name (`git tag` also refuses a leading "-"), or undefined. */
export function tagNameProblem(tag: string): string | undefined {
  if (tag.startsWith("-")) return 'begins with "-"';
  return refNameProblem(tag);
}

/** What makes `branch` unusable as a branch name (`git branch` also refuses "-..." and "HEAD"), or undefined. */
export function branchNameProblem(branch: string): string | undefined {
  if (branch.startsWith("-")) return 'begins with "-"';
  if (branch === "HEAD") return 'is "HEAD"';
  return refNameProblem(branch);
}

/**
 * The tag of `version` under `pattern` (every `{version}` replaced), e.g. `release/{version}` and
 * `1.4.2` give `release/1.4.2`; throws when the result is not a valid tag name, saying why.
 */
export function tagFor(pattern: string, version: string): string {
  if (!pattern.includes("{version}")) {
    throw new Error(
      `tag pattern "${pattern}" has no {version} placeholder, so every version would get the same tag`,
    );
  }
  const tag = pattern.replaceAll("{version}", version);
  const problem = tagNameProblem(tag);
  if (problem !== undefined) {
    throw new Error(
      `tag pattern "${pattern}" gives ${JSON.stringify(tag)} for version ${JSON.stringify(version)}, which is not a valid git tag: it ${problem}`,
    );
  }
  return tag;
}
