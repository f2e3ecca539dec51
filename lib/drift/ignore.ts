/**
 * Ignore rules: known exceptions drift does not report. A rule names a
 * mailbox (or "*" for every mailbox) and optionally one field; without a
 * field it covers every field of that mailbox. On the command line a rule is
 * `<mailbox|*>[:<field>]`; in the desired state it is `ignore[]`
 * ({ mailbox, field?, reason? }). Ignored items are counted, never hidden
 * silently.
 */
import type { CanonicalIgnoreRule } from "../model/normalize.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { DRIFT_FIELDS, type DriftField, type DriftItem } from "./types.js";

export type IgnoreRule = CanonicalIgnoreRule;

const FIELD_SET: ReadonlySet<string> = new Set(DRIFT_FIELDS);

export function isDriftField(s: string): s is DriftField {
  return FIELD_SET.has(s);
}

/**
 * Parse `--ignore` values. Returns the rules and one diagnostic per bad
 * value (all of them, not the first).
 */
export function parseIgnoreRules(values: readonly string[]): { rules: IgnoreRule[]; diagnostics: Diagnostic[] } {
  const rules: IgnoreRule[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const raw of values) {
    const value = raw.trim();
    const colon = value.lastIndexOf(":");
    const mailbox = (colon >= 0 ? value.slice(0, colon) : value).toLowerCase();
    const field = colon >= 0 ? value.slice(colon + 1) : undefined;
    const where = { severity: "error" as const, code: "bad_ignore_rule", target: mailbox, location: `--ignore ${raw}` };
    if (mailbox !== "*" && !/^[^@\s:]+@[^@\s:]+$/.test(mailbox)) {
      diagnostics.push({ ...where, message: `expected <mailbox address|*>[:<field>], got "${raw}"` });
      continue;
    }
    if (field !== undefined && !isDriftField(field)) {
      diagnostics.push({ ...where, message: `unknown field "${field}"; ${fieldHint(field)}` });
      continue;
    }
    rules.push({ mailbox, ...(field !== undefined ? { field } : {}) });
  }
  return { rules, diagnostics };
}

/** Warnings for desired-state ignore rules whose field drift never reports (they would match nothing). */
export function unknownIgnoreFields(rules: readonly IgnoreRule[], source: string): Diagnostic[] {
  return rules
    .filter((r) => r.field !== undefined && !isDriftField(r.field))
    .map((r) => ({
      severity: "warning" as const,
      code: "unknown_ignore_field",
      target: r.mailbox,
      location: `${source}#/ignore`,
      message: `ignore rule field "${r.field ?? ""}" matches nothing; ${fieldHint(r.field ?? "")}`,
    }));
}

/** "did you mean "sendAs"" when only the case is wrong (fields are case-sensitive), else the list of fields. */
function fieldHint(field: string): string {
  const meant = DRIFT_FIELDS.find((f) => f.toLowerCase() === field.toLowerCase());
  return meant !== undefined ? `did you mean "${meant}"? (fields are case-sensitive)` : `use one of ${DRIFT_FIELDS.join(", ")}`;
}

/** A compiled rule set: one map lookup per item, whatever the number of rules. */
export class IgnoreMatcher {
  /** mailbox ("*" included) -> fields ignored; null = every field. */
  private readonly byMailbox = new Map<string, Set<string> | null>();

  constructor(rules: readonly IgnoreRule[]) {
    for (const r of rules) {
      const mailbox = r.mailbox === "*" ? "*" : r.mailbox.toLowerCase();
      const current = this.byMailbox.get(mailbox);
      if (current === null) continue;
      if (r.field === undefined) this.byMailbox.set(mailbox, null);
      else if (current) current.add(r.field);
      else this.byMailbox.set(mailbox, new Set([r.field]));
    }
  }

  matches(item: Pick<DriftItem, "mailbox" | "field">): boolean {
    return this.covers(this.byMailbox.get("*"), item.field) || this.covers(this.byMailbox.get(item.mailbox), item.field);
  }

  private covers(fields: Set<string> | null | undefined, field: string): boolean {
    return fields === null || (fields !== undefined && fields.has(field));
  }
}
