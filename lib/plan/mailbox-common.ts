/**
 * Steps shared by every mailbox path: the settings update (display name,
 * alias, hold, archive, management tag) and the messages for directory-synced
 * accounts, which the cloud cannot change (R4.4, R6.1-R6.3).
 */
import { parseManagementTag } from "../model/management-tag.js";
import type { PlanContext } from "./context.js";

/** The settings exoform manages on a mailbox, as they are (or will be, right after create/restore). */
export interface MailboxFields {
  readonly displayName: string;
  readonly alias: string;
  readonly litigationHold: boolean;
  readonly archive: boolean;
  readonly managementTag: string | null;
  readonly sizeBytes: number;
}

export interface DesiredFields {
  readonly displayName?: string;
  readonly alias?: string;
  readonly litigationHold?: boolean;
  readonly archive?: boolean;
  /** The tag the mailbox must carry; null: no deletion tag of this stack (other values are left alone). */
  readonly managementTag: string | null;
}

const REASON: Readonly<Record<string, string>> = {
  displayName: "display_name_differs",
  alias: "alias_differs",
  litigationHold: "litigation_hold_differs",
  archive: "archive_differs",
  managementTag: "management_tag_differs",
};

/** One mailbox.update for every managed field that differs; undefined when none does. */
export function planMailboxUpdate(
  ctx: PlanContext,
  address: string,
  current: MailboxFields,
  desired: DesiredFields,
  /** What the update waits for; called only when there is an update, so a readiness wait is added only when needed. */
  dependsOn: () => readonly string[],
  /** The UPN of the mailbox's anchor account, whose licences a hold or an archive needs (R1.6). */
  anchor: string,
): string | undefined {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const phrases: string[] = [];
  if (desired.displayName !== undefined && desired.displayName !== current.displayName) {
    changes["displayName"] = { from: current.displayName, to: desired.displayName };
    phrases.push(`display name "${current.displayName}" to "${desired.displayName}"`);
  }
  if (desired.alias !== undefined && desired.alias !== current.alias) {
    changes["alias"] = { from: current.alias, to: desired.alias };
    phrases.push(`alias "${current.alias}" to "${desired.alias}"`);
  }
  if (desired.litigationHold !== undefined && desired.litigationHold !== current.litigationHold) {
    changes["litigationHold"] = { from: current.litigationHold, to: desired.litigationHold };
    phrases.push(desired.litigationHold ? "litigation hold on" : "litigation hold OFF (held items may then be purged)");
  }
  if (desired.archive !== undefined && desired.archive !== current.archive) {
    changes["archive"] = { from: current.archive, to: desired.archive };
    phrases.push(desired.archive ? "archive on" : "archive OFF (the archive is disconnected)");
  }
  const currentOwner = parseManagementTag(current.managementTag)?.stack;
  const tagIsOurs = currentOwner === ctx.desired.stack;
  if (desired.managementTag !== null && currentOwner !== undefined && !tagIsOurs) {
    // Re-tagging would take the mailbox from the other stack, and the two would fight over it.
    ctx.error(
      "managed_by_another_stack",
      address,
      `mailbox "${address}" is tagged for deletion by stack "${currentOwner}" (${current.managementTag}), so this stack ("${ctx.desired.stack}") cannot declare it with removalPolicy "delete"; manage it in one stack: in stack "${currentOwner}" set its removalPolicy to "retain" and apply (that clears the tag; removing it from that stack would delete it), then declare it here, or declare it here with removalPolicy "retain"`,
    );
    return undefined;
  }
  if (desired.managementTag !== null ? current.managementTag !== desired.managementTag : tagIsOurs) {
    changes["managementTag"] = { from: current.managementTag, to: desired.managementTag };
    phrases.push(
      desired.managementTag !== null
        ? `management tag "${desired.managementTag}" (exoform deletes it once it leaves the code)`
        : "management tag cleared (exoform will never delete it)",
    );
  }
  const fields = Object.keys(changes);
  if (fields.length === 0) return undefined;
  const destructive = current.litigationHold && desired.litigationHold === false || current.archive && desired.archive === false;
  // turning a hold or an archive on relies on the anchor's licences (R1.6): record the account too (decision 0005)
  const needsLicense = changes["litigationHold"]?.to === true || changes["archive"]?.to === true;
  return ctx.add({
    type: "mailbox.update",
    target: address,
    params: { changes },
    dependsOn: dependsOn(),
    reason: fields.length === 1 ? REASON[fields[0]!]! : "mailbox_settings_differ",
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
