/**
 * Constructs reject properties they do not know. TypeScript catches a
 * misspelt property in a literal, but not in JavaScript, behind a cast, or in
 * an object built elsewhere; without this check `hiddenFromAdressLists: true`
 * would be dropped silently and the mailbox stay visible. Each unknown name is
 * a diagnostic naming the construct and, when one is close, the property meant.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { closest } from "../model/validate.js";

/** Every property name of `T`, listed once: `satisfies` keeps the list complete when T grows. */
export type PropNames<T> = { readonly [K in keyof Required<T>]: true };

/** Diagnostics for the own properties of `props` that are not in `known`. */
export function unknownProps(props: object, known: Readonly<Record<string, true>>, what: string, location: string, target: string): Diagnostic[] {
  const names = Object.keys(known);
  return Object.keys(props)
    .filter((key) => !Object.hasOwn(known, key))
    .map((key) => {
      const guess = closest(key, names);
      return {
        severity: "error" as const,
        code: "unknown_property",
        target,
        location,
        message: `${what} has no property "${key}"; ${guess !== undefined ? `did you mean "${guess}"? ` : ""}the properties are ${names.join(", ")}`,
      };
    });
}
