// Compile-time proof that the zod schemas and the TypeScript API types describe the same shapes: a
// field added to one and not the other fails `tsc`. (The CRD is generated from the types, so this
// closes the loop types <-> zod <-> CRD.)
import type { z } from "zod";
import type { EnvironmentSpec } from "./environment.js";
import type { ReleaseSpec } from "./release.js";
import type { Condition } from "./common.js";
import type { conditionSchema, environmentSpecSchema, releaseSpecSchema } from "./schema.js";

// The identity check TypeScript itself uses for "same type": optional vs required and readonly count.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

export type EnvironmentSpecMatches = Assert<Equals<z.infer<typeof environmentSpecSchema>, EnvironmentSpec>>;
export type ReleaseSpecMatches = Assert<Equals<z.infer<typeof releaseSpecSchema>, ReleaseSpec>>;
export type ConditionMatches = Assert<Equals<z.infer<typeof conditionSchema>, Condition>>;
