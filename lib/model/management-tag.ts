/**
 * The management tag: what exoform must remember about a mailbox it manages
 * once that mailbox has left the code. Stored by the service itself, in the
 * mailbox's CustomAttribute15 (Set-Mailbox -CustomAttribute15), so there is no
 * state file to lose, lock or leak.
 *
 * Only mailboxes with removalPolicy "delete" are tagged: a retained mailbox
 * needs no memory (leaving the code does nothing to it). The tag names the
 * stack, so one stack never deletes another stack's mailbox.
 *
 *   exoform:stack=contoso;removal=delete
 */

const PREFIX = "exoform:";

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
