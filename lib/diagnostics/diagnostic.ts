/**
 * Diagnostics: every problem exoform reports to a person, from schema
 * validation to planning. Collected into one list and reported together, so
 * users fix everything in one pass.
 */

/**
 * "error" stops a plan; "warning" is a risk worth reading; "info" is a note
 * that changes nothing but tells the reviewer what the plan means (a mailbox
 * kept after leaving the code, what permissionsMode "additive" keeps), as
 * Terraform's `removed` block is shown.
 */
export type Severity = "error" | "warning" | "info";

/** Most severe first: the order every output lists them in. */
export const SEVERITY_ORDER: readonly Severity[] = ["error", "warning", "info"];

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable kebab/snake code naming the rule, e.g. "trustee_outside_tenant". */
  readonly code: string;
  /** The object: a mailbox address or UPN, or "" for the document as a whole. */
  readonly target: string;
  /** Where in the input, e.g. "desired.json#/sharedMailboxes/2/sendAs/0". Optional. */
  readonly location?: string;
  /** One plain sentence, lowercase, no trailing period; states the rule and, where possible, the fix. */
  readonly message: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** `error: <where>: <message>`, as the CLI prints it. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.location, d.target].filter((s) => s !== undefined && s !== "").join(": ");
  return `${d.severity}: ${where ? `${where}: ` : ""}${d.message} [${d.code}]`;
}

/** Sorted errors first, then warnings, then notes, each by target, code, location, message: a stable, readable order. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const rank = (s: Severity) => SEVERITY_ORDER.indexOf(s);
  return [...list].sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) ||
      cmp(a.target, b.target) ||
      cmp(a.location ?? "", b.location ?? "") ||
      cmp(a.code, b.code) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
