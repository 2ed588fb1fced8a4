// The string formats of the API, in one place: the zod schemas validate with them and the CRD
// generator writes them as `pattern`/`maxLength` on every field of the named type, so the apiserver
// and the operator accept exactly the same strings.

export interface StringFormat {
  /** Anchored regular expression, written in the subset both ECMAScript and the apiserver's RE2 accept. */
  pattern: string;
  maxLength: number;
  /** What is valid, phrased for an error message. */
  describe: string;
}

export const FORMATS = {
  Duration: {
    pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$",
    maxLength: 32,
    describe: "a duration such as 90s, 5m or 1h30m (units ms, s, m, h)",
  },
  Timestamp: {
    pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$",
    maxLength: 64,
    describe: "an RFC 3339 timestamp such as 2026-11-25T14:00:00Z",
  },
  VersionString: {
    pattern: "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$",
    maxLength: 128,
    describe:
      "a version usable as an image tag: letters, digits, '.', '_', '-', not starting with '.' or '-', at most 128 characters",
  },
  ObjectName: {
    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
    maxLength: 253,
    describe:
      "the name of one object: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
  },
  HttpUrl: {
    pattern: "^https?://[^\\s/$.?#][^\\s]*$",
    maxLength: 2048,
    describe: "an absolute http:// or https:// URL",
  },
  EnvVarName: {
    pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
    maxLength: 256,
    describe: "an environment variable name: letters, digits and '_', not starting with a digit",
  },
  TimeOfDay: {
    pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$",
    maxLength: 5,
    describe: "a time of day in 24-hour HH:MM, such as 09:00 or 17:30",
  },
} as const satisfies Record<string, StringFormat>;

export type FormatName = keyof typeof FORMATS;

/**
 * The longest any other spec string may be. The apiserver costs CEL rules (the Release spec's
 * immutability rule compares the whole spec) by the longest value they may see, so every spec string
 * is bounded; a field that needs more says so with `@maxLength`.
 */
export const DEFAULT_MAX_STRING_LENGTH = 4096;

/** A "times worse than baseline" ratio: `Ratio` fields in the API. */
export const RATIO_BOUNDS = { exclusiveMinimum: 1, maximum: 1000 } as const;
