/**
 * Steps shared by every mailbox path: the settings update (the fields of
 * lib/compare/settings.ts, and the management tag) and the messages for
 * directory-synced accounts, which the cloud cannot change (R4.4, R6.1-R6.3).
 */
import type { SettingDifference } from "../compare/settings.js";
import type { TagComparison } from "../compare/mailbox.js";
import type { PlanContext } from "./context.js";

/**
 * One mailbox.update for every managed setting that differs (`settings`, from
 * compareSettings) and the management tag; undefined when none does.
 */
export function planMailboxUpdate(
  ctx: PlanContext,
  address: string,
  settings: readonly SettingDifference[],
  tag: TagComparison,
  /** What the update waits for; called only when there is an update, so a readiness wait is added only when needed. */
  dependsOn: () => readonly string[],
  /** The UPN of the mailbox's anchor account, whose licences a hold or an archive needs (R1.6). */
  anchor: string,
): string | undefined {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const phrases: string[] = [];
  let destructive = false;
  // turning a hold or an archive on relies on the anchor's licences (R1.6): record the account too (decision 0005)
  let needsLicense = false;
  for (const { rule, expected, actual } of settings) {
    changes[rule.field] = { from: actual, to: expected };
    phrases.push(rule.phrase(actual, expected));
    destructive ||= rule.destructive?.(actual, expected) ?? false;
    needsLicense ||= rule.needsLicense?.(expected) ?? false;
  }
  if (tag.want !== null && tag.owner !== undefined && tag.owner !== ctx.desired.stack) {
    // Re-tagging would take the mailbox from the other stack, and the two would fight over it.
    ctx.error(
      "managed_by_another_stack",
      address,
      `mailbox "${address}" is tagged for deletion by stack "${tag.owner}" (${tag.current}), so this stack ("${ctx.desired.stack}") cannot declare it with removalPolicy "delete"; manage it in one stack: in stack "${tag.owner}" set its removalPolicy to "retain" and apply (that clears the tag; removing it from that stack would delete it), then declare it here, or declare it here with removalPolicy "retain"`,
    );
    return undefined;
  }
  if (tag.differs) {
    changes["managementTag"] = { from: tag.current, to: tag.want };
    phrases.push(
      tag.want !== null
        ? `management tag "${tag.want}" (exoform deletes it once it leaves the code)`
        : "management tag cleared (exoform will never delete it)",
    );
  }
  const fields = Object.keys(changes);
  if (fields.length === 0) return undefined;
  return ctx.add({
    type: "mailbox.update",
    target: address,
    params: { changes },
    dependsOn: dependsOn(),
    // one field: its own reason (the settings table's); several: one reason for all
    reason: fields.length > 1 ? "mailbox_settings_differ" : settings[0]?.rule.reason ?? "management_tag_differs",
    description: `Update ${address}: ${phrases.join(", ")}`,
    destructive,
    fingerprint: needsLicense ? [`mailbox:${address}`, `user:${anchor}`] : [`mailbox:${address}`],
  });
}

export function hybridConvertMessage(address: string, type: "Shared" | "Regular"): string {
  return `mailbox "${address}" belongs to a directory-synced account, whose type cannot be changed from the cloud (R6.2, R6.3: directory sync would flip it back); on premises run Set-RemoteMailbox -Identity ${address} -Type ${type}${type === "Shared" ? ", block the account in on-premises Active Directory" : ", enable the account in on-premises Active Directory"}, let directory sync run, then plan again`;
}

export function hybridSignInMessage(address: string, upn: string): string {
  return `shared mailbox "${address}" has sign-in enabled on its directory-synced account ${upn}, which cannot be blocked from the cloud (R4.4); block the account in on-premises Active Directory (Disable-ADAccount) and let directory sync run`;
}
