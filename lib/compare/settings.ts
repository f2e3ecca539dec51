/**
 * The mailbox settings exoform manages (Set-Mailbox fields), as ONE table:
 * for each field, how it is read from the code and from the tenant, what a
 * new mailbox starts with, how values compare, the drift it is when the
 * tenant moved (code, severity, message) and the plan step that closes it
 * (reason, phrase, whether it loses data, whether it needs a licence). The
 * planner's mailbox.update and drift's field items are both read off this
 * table, so a field is added in one place (docs/decisions/0011).
 */
import type { CanonicalSharedMailbox } from "../model/normalize.js";
import { compareStrings } from "../private/canonical-json.js";
import type { ObservedMailbox } from "../provider/observed.js";
import type { DriftCode, DriftSeverity } from "./vocabulary.js";

/** A compared value: what drift's expected/actual and mailbox.update's from/to carry. */
export type SettingValue = string | number | boolean | null | readonly string[];

/** What drift says about one differing setting. */
export interface SettingDrift {
  readonly code: DriftCode;
  readonly severity: DriftSeverity;
  readonly message: string;
}

export interface SettingRule<V extends SettingValue = SettingValue> {
  /** The desired-state name: the key of mailbox.update's changes and the drift item's field. */
  readonly field:
    | "displayName"
    | "alias"
    | "litigationHold"
    | "archive"
    | "hiddenFromAddressLists"
    | "emailAddresses"
    | "messageCopyForSentAs"
    | "messageCopyForSendOnBehalf";
  /** What the code asks for; undefined: the code leaves the setting alone. */
  readonly desired: (spec: CanonicalSharedMailbox) => V | undefined;
  /** What the tenant holds; undefined: the provider cannot read it, which is never a difference. */
  readonly observed: (m: ObservedMailbox) => V | undefined;
  /** What a mailbox this plan creates holds right after New-Mailbox, before any update. */
  readonly created: (spec: CanonicalSharedMailbox) => V;
  /** Default: ===. Lists should compare as sets, normalised. */
  readonly equal?: (a: V, b: V) => boolean;
  readonly drift: (address: string, expected: V, actual: V) => SettingDrift;
  /** The snake_case reason of a mailbox.update that changes only this field. */
  readonly reason: string;
  /** The change as a reviewer reads it in the update's description. */
  readonly phrase: (from: V, to: V) => string;
  /** Whether the change loses something re-applying cannot give back (a hold's preserved items, an archive). */
  readonly destructive?: (from: V, to: V) => boolean;
  /** Whether the new value relies on the anchor's licences (R1.6): the plan then fingerprints the account too. */
  readonly needsLicense?: (to: V) => boolean;
}

/** One setting whose code and tenant values differ. */
export interface SettingDifference {
  readonly rule: SettingRule;
  readonly expected: SettingValue;
  readonly actual: SettingValue;
}

/** A typed rule, stored untyped in the table (each field has its own value type). */
function rule<V extends SettingValue>(r: SettingRule<V>): SettingRule {
  return r as unknown as SettingRule;
}

/** On/off features: turned off against the code is a loss; turned on is only undeclared. */
function toggle(r: {
  readonly field: "litigationHold" | "archive";
  readonly reason: string;
  readonly off: DriftCode;
  readonly on: DriftCode;
  readonly offSeverity: DriftSeverity;
  readonly offMessage: (address: string) => string;
  readonly onMessage: (address: string) => string;
  readonly onPhrase: string;
  readonly offPhrase: string;
}): SettingRule {
  const { field, reason } = r;
  return rule<boolean>({
    field,
    desired: (spec) => spec[field],
    observed: (m) => m[field],
    created: () => false,
    drift: (address, expected) =>
      expected
        ? { code: r.off, severity: r.offSeverity, message: r.offMessage(address) }
        : { code: r.on, severity: "low", message: r.onMessage(address) },
    reason,
    phrase: (_from, to) => (to ? r.onPhrase : r.offPhrase),
    destructive: (from, to) => from && !to,
    needsLicense: (to) => to,
  });
}

/** A boolean Set-Mailbox setting (absent: the service's default, false, as mailboxSettings reads it). */
function flag(r: {
  readonly field: "hiddenFromAddressLists" | "messageCopyForSentAs" | "messageCopyForSendOnBehalf";
  readonly reason: string;
  readonly code: DriftCode;
  readonly what: string;
  readonly on: string;
  readonly off: string;
}): SettingRule {
  const { field, reason } = r;
  return rule<boolean>({
    field,
    desired: (spec) => spec[field],
    // read in place, absent as the service's default (false): this runs per mailbox of the tenant
    observed: (m) => m[field] ?? false,
    created: () => false,
    drift: (address, expected) => ({
      code: r.code,
      severity: "low",
      message: `${r.what} of ${address} was turned ${expected ? "off" : "on"} outside exoform; the next exoform apply turns it ${expected ? "on" : "off"} again, or declare ${field}: ${!expected} in the code`,
    }),
    reason,
    phrase: (_from, to) => (to ? r.on : r.off),
  });
}

/** The addresses of `a` not in `b` (both lower-case), sorted. */
export function addressesMissing(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b);
  return a.filter((x) => !other.has(x)).sort(compareStrings);
}

/** Two address lists as sets (the index and the canonical form lower-case them). */
function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  // both are sorted lists in the usual case (canonical form, providers): equal item by item, nothing built
  if (a.every((x, i) => x === b[i])) return true;
  return addressesMissing(a, b).length === 0 && addressesMissing(b, a).length === 0;
}

const NO_ADDRESSES: readonly string[] = [];

/**
 * The extra addresses the code expects: emailAddresses, and the previous
 * primaries of a renamed mailbox, which stay on it so mail to them still
 * arrives (decision 0010). Sorted, once each.
 */
export function expectedEmailAddresses(spec: Pick<CanonicalSharedMailbox, "emailAddresses" | "previousAddresses">): readonly string[] {
  if (spec.previousAddresses.length === 0) return spec.emailAddresses;
  return [...new Set([...spec.emailAddresses, ...spec.previousAddresses])].sort(compareStrings);
}

/** "added a, b; removed c": the change of an address list, as a reviewer reads it. */
function addressPhrase(from: readonly string[], to: readonly string[]): string {
  const added = addressesMissing(to, from);
  const removed = addressesMissing(from, to);
  return `extra addresses ${[...(added.length > 0 ? [`+${added.join(", +")}`] : []), ...(removed.length > 0 ? [`-${removed.join(", -")}`] : [])].join(" ")}`;
}

/** In the order mailbox.update lists its changes. */
export const SETTINGS: readonly SettingRule[] = [
  rule<string>({
    field: "displayName",
    desired: (spec) => spec.displayName,
    observed: (m) => m.displayName,
    created: (spec) => spec.displayName,
    drift: (address) => ({
      code: "display_name_changed",
      severity: "low",
      message: `the display name of ${address} was changed outside exoform; the next exoform apply sets it back, or change it in the code`,
    }),
    reason: "display_name_differs",
    phrase: (from, to) => `display name "${from}" to "${to}"`,
  }),
  rule<string>({
    field: "alias",
    // compared exactly (an alias in another case is a Set-Mailbox the next apply makes)
    desired: (spec) => spec.alias,
    observed: (m) => m.alias,
    created: (spec) => spec.alias ?? spec.address.slice(0, spec.address.indexOf("@")),
    drift: (address) => ({
      code: "alias_changed",
      severity: "low",
      message: `the alias of ${address} was changed outside exoform; the next exoform apply sets it back, or change it in the code`,
    }),
    reason: "alias_differs",
    phrase: (from, to) => `alias "${from}" to "${to}"`,
  }),
  toggle({
    field: "litigationHold",
    reason: "litigation_hold_differs",
    off: "litigation_hold_disabled",
    on: "litigation_hold_enabled",
    offSeverity: "high",
    offMessage: (a) => `litigation hold was turned off on ${a}: deleted and edited items are no longer preserved; the next exoform apply turns it back on`,
    onMessage: (a) => `litigation hold was turned on for ${a} outside exoform; if that was on purpose declare litigationHold: true in the code, otherwise the next exoform apply turns it off`,
    onPhrase: "litigation hold on",
    offPhrase: "litigation hold OFF (held items may then be purged)",
  }),
  toggle({
    field: "archive",
    reason: "archive_differs",
    off: "archive_disabled",
    on: "archive_enabled",
    offSeverity: "medium",
    offMessage: (a) => `the archive of ${a} was disabled; the next exoform apply enables it again`,
    onMessage: (a) => `an archive was enabled on ${a} outside exoform; declare archive: true in the code to keep it, otherwise the next exoform apply disables it`,
    onPhrase: "archive on",
    offPhrase: "archive OFF (the archive is disconnected)",
  }),
  flag({
    field: "hiddenFromAddressLists",
    reason: "address_list_visibility_differs",
    code: "address_list_visibility_changed",
    what: "hiding from the address lists",
    on: "hidden from the address lists",
    off: "shown in the address lists",
  }),
  rule<readonly string[]>({
    field: "emailAddresses",
    desired: expectedEmailAddresses,
    observed: (m) => m.emailAddresses ?? NO_ADDRESSES,
    created: () => [],
    equal: sameAddresses,
    drift: (address, expected, actual) => {
      const lost = addressesMissing(expected, actual);
      return {
        code: "email_addresses_changed",
        // mail to a removed address bounces; an address only added costs nothing
        severity: lost.length > 0 ? "medium" : "low",
        message: `the extra email addresses of ${address} were changed outside exoform (${addressPhrase(expected, actual)})${lost.length > 0 ? ": mail to the removed addresses bounces" : ""}; the next exoform apply sets them back, or change emailAddresses in the code`,
      };
    },
    reason: "email_addresses_differ",
    phrase: addressPhrase,
  }),
  flag({
    field: "messageCopyForSentAs",
    reason: "message_copy_differs",
    code: "message_copy_changed",
    what: "keeping a copy of mail sent as the mailbox",
    on: "copy mail sent as it to its Sent Items",
    off: "no copy of mail sent as it",
  }),
  flag({
    field: "messageCopyForSendOnBehalf",
    reason: "message_copy_differs",
    code: "message_copy_changed",
    what: "keeping a copy of mail sent on behalf of the mailbox",
    on: "copy mail sent on its behalf to its Sent Items",
    off: "no copy of mail sent on its behalf",
  }),
];

/**
 * The settings of `current` that differ from what `spec` declares, in table
 * order; `current` "created": a mailbox this plan creates. Allocates nothing
 * when nothing differs (the common case at scale).
 */
export function compareSettings(spec: CanonicalSharedMailbox, current: ObservedMailbox | "created"): readonly SettingDifference[] {
  let out: SettingDifference[] | undefined;
  for (const r of SETTINGS) {
    const expected = r.desired(spec);
    if (expected === undefined) continue;
    const actual = current === "created" ? r.created(spec) : r.observed(current);
    if (actual === undefined || (r.equal !== undefined ? r.equal(expected, actual) : expected === actual)) continue;
    (out ??= []).push({ rule: r, expected, actual });
  }
  return out ?? NONE;
}

const NONE: readonly SettingDifference[] = [];
