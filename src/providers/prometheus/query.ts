// A watched metric's PromQL with its placeholders filled in for one release.

export interface PlaceholderValues {
  version: string;
  /** The version before this release; unknown for a first release. */
  previousVersion?: string;
  environment: string;
}

export type RenderedQuery = { ok: true; query: string } | { ok: false; message: string };

/** Exactly these three words in braces; any other brace (a label matcher such as `{code=~"5.."}`) is PromQL. */
const PLACEHOLDER = /\{(version|previousVersion|environment)\}/g;
/**
 * Placeholders usually sit inside a PromQL string (`{version="{version}"}`): a quote, backslash or line
 * break in a value would end that string early and change the query, so such a value is refused.
 */
const BREAKS_A_STRING = /["'`\\\r\n]/;

export function renderQuery(query: string, values: PlaceholderValues): RenderedQuery {
  const used = new Set([...query.matchAll(PLACEHOLDER)].map((match) => match[1] as keyof PlaceholderValues));
  for (const name of used) {
    const value = values[name];
    if (value === undefined) {
      return {
        ok: false,
        message: `the query uses {${name}} but there is no ${name} (a first release has no version before it)`,
      };
    }
    if (BREAKS_A_STRING.test(value)) {
      return {
        ok: false,
        message: `the value of {${name}} (${JSON.stringify(value)}) holds a quote, backslash or line break, which would change the query`,
      };
    }
  }
  return {
    ok: true,
    query: query.replace(PLACEHOLDER, (_match, name: keyof PlaceholderValues) => values[name] ?? ""),
  };
}
