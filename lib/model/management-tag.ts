/**
 * The management tag: what exoform must remember about a mailbox it manages
 * once that mailbox has left the code. Stored by the service itself, in the
 * mailbox's CustomAttribute15 (or the attribute tenant.managementAttribute
 * names), so there is no state file to lose, lock or leak.
 *
 * Only mailboxes with removalPolicy "delete" are tagged: a retained mailbox
 * needs no memory (leaving the code does nothing to it). The tag names the
 * stack, so one stack never deletes another stack's mailbox.
 *
 *   exoform:stack=contoso;removal=delete
 */

import type { Diagnostic } from "../diagnostics/diagnostic.js";

const PREFIX = "exoform:";

/** The mailbox custom attributes a tenant may give exoform (tenant.managementAttribute). */
export type ManagementAttribute = `CustomAttribute${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15}`;

/** Where the tag lives unless the desired state says otherwise. */
export const DEFAULT_MANAGEMENT_ATTRIBUTE: ManagementAttribute = "CustomAttribute15";

/** A mailbox as the management check needs it: its address and the value of the management attribute. */
export interface TaggedMailbox {
  readonly address: string;
  /** The management attribute's value (ObservedMailbox.managementTag), null or "" when empty. */
  readonly managementTag: string | null;
}

/**
 * Whether `value` is something exoform did not write: not empty and not a
 * tag in exoform's format. Such a value belongs to someone else (a
 * department code, another tool's marker) and is never overwritten.
 */
export function isForeignManagementValue(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && value !== "" && parseManagementTag(value) === null;
}

/**
 * Errors for the mailboxes exoform is about to tag or untag (`addresses`)
 * whose management attribute holds a value exoform did not write. Pure, for
 * the planner to call with the observed mailboxes: validation cannot see the
 * tenant. Each names the mailbox, the attribute, the value and the two fixes.
 */
export function foreignManagementValues(
  mailboxes: Iterable<TaggedMailbox>,
  addresses: ReadonlySet<string>,
  attribute: ManagementAttribute = DEFAULT_MANAGEMENT_ATTRIBUTE,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of mailboxes) {
    if (!addresses.has(m.address) || !isForeignManagementValue(m.managementTag)) continue;
    out.push({
      severity: "error",
      code: "management_attribute_in_use",
      target: m.address,
      message: `mailbox "${m.address}" has ${attribute} = ${JSON.stringify(m.managementTag)}, which exoform did not write; exoform keeps its management tag there and never overwrites another value: set tenant.managementAttribute to a custom attribute this tenant does not use, or clear ${attribute} on the mailbox (Set-Mailbox -${attribute} $null)`,
    });
  }
  return out;
}

export interface ManagementTag {
  readonly stack: string;
  readonly removal: "delete";
}

export function formatManagementTag(tag: ManagementTag): string {
  return `${PREFIX}stack=${tag.stack};removal=${tag.removal}`;
}

/** The tag in `value`, or null when the attribute is empty or not exoform's. */
export function parseManagementTag(value: string | null | undefined): ManagementTag | null {
  if (!value || !value.startsWith(PREFIX)) return null;
  const fields = new Map<string, string>();
  for (const part of value.slice(PREFIX.length).split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const stack = fields.get("stack");
  if (!stack || fields.get("removal") !== "delete") return null;
  return { stack, removal: "delete" };
}
