// The `WWW-Authenticate` header of a 401 (RFC 9110 section 11.6.1), as registries send it:
// `Basic realm="..."` or `Bearer realm="...",service="...",scope="..."`, possibly several challenges
// in one header.

export interface AuthChallenge {
  /** The scheme in lower case, e.g. `basic`, `bearer`. */
  scheme: string;
  /** The auth-params, names in lower case, quoted values unquoted. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/** Every challenge in the header (or headers), in order; nothing it cannot read is invented. */
export function parseAuthenticateHeader(header: string | readonly string[]): AuthChallenge[] {
  const text = typeof header === "string" ? header : header.join(", ");
  const challenges: AuthChallenge[] = [];
  let position = 0;

  const skip = (characters: string): void => {
    while (position < text.length && characters.includes(text.charAt(position))) position++;
  };
  const readToken = (): string | undefined => {
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(text);
    if (match === null) return undefined;
    position = TOKEN.lastIndex;
    return match[0];
  };
  const readQuoted = (): string => {
    let value = "";
    position++; // the opening quote
    while (position < text.length && text.charAt(position) !== '"') {
      if (text.charAt(position) === "\\") position++;
      value += text.charAt(position);
      position++;
    }
    position++; // the closing quote
    return value;
  };
  /** An auth-param starts here (`name=`), as opposed to the scheme of the next challenge. */
  const paramAhead = (): boolean => {
    const start = position;
    const name = readToken();
    skip(" \t");
    const isParam = name !== undefined && text.charAt(position) === "=";
    position = start;
    return isParam;
  };

  while (position < text.length) {
    skip(" \t,");
    const scheme = readToken();
    if (scheme === undefined) {
      position++; // not a challenge: step over the character so the loop always advances
      continue;
    }
    const params: Record<string, string> = {};
    skip(" \t");
    while (paramAhead()) {
      const name = (readToken() ?? "").toLowerCase();
      skip(" \t");
      position++; // "="
      skip(" \t");
      params[name] = text.charAt(position) === '"' ? readQuoted() : (readToken() ?? "");
      skip(" \t");
      if (text.charAt(position) === ",") {
        position++;
        skip(" \t");
      }
    }
    challenges.push({ scheme: scheme.toLowerCase(), params });
  }
  return challenges;
}
