/**
 * Test infrastructure: Kubernetes' `$(VAR)` expansion, as the kubelet applies it to env values,
 * command and args. Rules: `$(NAME)` becomes the value of NAME when NAME is defined, and stays as
 * written when it is not; `$$` is an escaped `$` (so `$$(NAME)` yields the literal `$(NAME)`); a `$`
 * followed by anything else, or an unclosed `$(`, is kept as written.
 */

const OPERATOR = "$";
const OPENER = "(";
const CLOSER = ")";

/** Expands `input` against `lookup`, which answers undefined for names that are not defined. */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  let output = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== OPERATOR || cursor + 1 >= input.length) continue;
    output += input.slice(checkpoint, cursor);
    const next = input.charAt(cursor + 1);
    if (next === OPERATOR) {
      // `$$` is an escape: emit one `$` and skip both.
      output += OPERATOR;
      cursor += 1;
    } else if (next === OPENER) {
      const close = input.indexOf(CLOSER, cursor + 2);
      if (close === -1) {
        // Unclosed reference: keep "$(" and go on scanning after it.
        output += OPERATOR + OPENER;
        cursor += 1;
      } else {
        const name = input.slice(cursor + 2, close);
        output += lookup(name) ?? `${OPERATOR}${OPENER}${name}${CLOSER}`;
        cursor = close;
      }
    } else {
      // A lone `$` keeps the character after it, which is consumed with it (as Kubernetes does).
      output += OPERATOR + next;
      cursor += 1;
    }
    checkpoint = cursor + 1;
  }
  return output + input.slice(checkpoint);
}

/** A lookup over ordered maps: the first map that defines a name wins. */
export function lookupIn(
  ...maps: readonly ReadonlyMap<string, string>[]
): (name: string) => string | undefined {
  return (name) => {
    for (const map of maps) {
      const value = map.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}
