// Kubernetes' $(VAR) expansion, case by case as the kubelet's expansion package documents it.
import { describe, expect, it } from "vitest";
import { expandVariables, lookupIn } from "./expansion.js";

const defined = new Map([
  ["VAR_A", "A"],
  ["VAR_B", "B"],
  ["EMPTY", ""],
  ["NESTED", "$(VAR_A)"],
]);
const lookup = lookupIn(defined);

describe("expandVariables", () => {
  it.each([
    ["a defined variable is replaced", "$(VAR_A)", "A"],
    ["several variables and text around them", "x-$(VAR_A)-$(VAR_B)-y", "x-A-B-y"],
    ["adjacent variables", "$(VAR_A)$(VAR_B)", "AB"],
    ["an undefined variable stays as written", "$(MISSING)", "$(MISSING)"],
    ["a variable defined as empty becomes empty", "[$(EMPTY)]", "[]"],
    ["$$( escapes a reference", "$$(VAR_A)", "$(VAR_A)"],
    ["$$ alone is one $", "cost: $$5", "cost: $5"],
    ["$$$( is an escaped $ then a reference", "$$$(VAR_A)", "$A"],
    ["$$$$( is two escaped $ and literal text", "$$$$(VAR_A)", "$$(VAR_A)"],
    ["a lone $ before another character is kept", "$VAR_A and $1", "$VAR_A and $1"],
    ["a trailing $ is kept", "price$", "price$"],
    [
      "a name runs to the first ), so an unclosed reference swallows the next",
      "$(VAR_A $(VAR_B)",
      "$(VAR_A $(VAR_B)",
    ],
    ["text after an unclosed reference is kept", "$(VAR_A) $(", "A $("],
    ["an unclosed reference at the end is kept", "x $(VAR_A", "x $(VAR_A"],
    ["an empty name stays as written", "$()", "$()"],
    ["values are not expanded again", "$(NESTED)", "$(VAR_A)"],
    ["shell syntax passes through", "echo ${HOME} $(( 1 + 2 ))", "echo ${HOME} $(( 1 + 2 ))"],
    ["text without $ is untouched", "plain text", "plain text"],
  ])("%s: %j", (_name, input, expected) => {
    expect(expandVariables(input, lookup)).toBe(expected);
  });

  it("an earlier map wins over a later one", () => {
    const first = new Map([["X", "first"]]);
    const second = new Map([
      ["X", "second"],
      ["Y", "y"],
    ]);
    expect(expandVariables("$(X) $(Y)", lookupIn(first, second))).toBe("first y");
  });
});
