/**
 * Steps and checks shared by every mailbox path: the settings update (the
 * fields of lib/compare/settings.ts, and the management tag), the anchor
 * account, whether an address is free to take (R5.2), and the messages for
 * directory-synced accounts, which the cloud cannot change (R4.4, R6.1-R6.3).
 */
import { addressHolder } from "../compare/observed-index.js";
import { addressesMissing, type SettingDifference } from "../compare/settings.js";
import type { CanonicalSharedMailbox } from "../model/normalize.js";
import type { TagComparison } from "../compare/mailbox.js";
import { foreignManagementValues } from "../model/management-tag.js";
import { DAY_MS, RECYCLE_BIN_DAYS } from "../model/service-rules.js";
import { compareStrings } from "../private/canonical-json.js";
import type { ObservedMailbox, ObservedUser } from "../provider/observed.js";
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
    // the attribute holds a value exoform did not write (a department code, another tool's marker): never overwrite it
    const foreign = foreignManagementValues([{ address, managementTag: tag.current }], new Set([address]), ctx.desired.tenant.managementAttribute);
    if (foreign.length > 0) {
      ctx.diagnostics.push(...foreign);
      return undefined;
    }
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

export function hybridSignInMessage(address: string, upn: string, change: "block" | "allow" = "block"): string {
  if (change === "allow") {
    return `shared mailbox "${address}" declares a sign-in exception, but its directory-synced account ${upn} is blocked, and that cannot be changed from the cloud (R4.4); enable the account in on-premises Active Directory (Enable-ADAccount) and let directory sync run, or remove the exception`;
  }
  return `shared mailbox "${address}" has sign-in enabled on its directory-synced account ${upn}, which cannot be blocked from the cloud (R4.4); block the account in on-premises Active Directory (Disable-ADAccount) and let directory sync run`;
}

/** The anchor account of `live`, or undefined after an error: the tenant is inconsistent and nothing is changed. */
export function anchorOf(ctx: PlanContext, address: string, live: ObservedMailbox): ObservedUser | undefined {
  const anchor = ctx.ix.usersById.get(live.userId);
  if (anchor === undefined) {
    ctx.error(
      "anchor_missing",
      address,
      `mailbox "${address}" has no anchor account in the directory (user id ${live.userId}); the tenant is inconsistent, so exoform will not change it: check the account in the Microsoft 365 admin center`,
    );
  }
  return anchor;
}

/**
 * Whether a mailbox may take `address` (a new one, or a rename): no live user
 * signs in with it and no soft-deleted recipient still holds it (R2.3, R5.2).
 * An error naming the holder and the fixes if not; `declared` says what the
 * code does with the address ("is declared as new").
 */
export function checkAddressFree(ctx: PlanContext, address: string, declared: string): boolean {
  const holder = ctx.ix.users.get(address);
  if (holder !== undefined) {
    ctx.error(
      "address_in_use",
      address,
      `mailbox "${address}" ${declared}, but the address is already the sign-in name of user "${holder.displayName}" (R5.2: addresses are unique); choose another address, or set origin: "convert" if that user's mailbox should become shared`,
    );
    return false;
  }
  const held = [...(ctx.ix.deletedMailboxes.get(address) ?? []), ...(ctx.ix.deletedUsers.get(address) ?? [])];
  if (held.length === 0) return true;
  const last = held.sort((a, b) => compareStrings(a.deletedAt ?? "", b.deletedAt ?? ""))[held.length - 1]!;
  const restorable = (ctx.ix.deletedUsers.get(address) ?? []).some((u) => ctx.ix.deletedMailboxes.get(address)?.some((m) => m.userId === u.id));
  const freeFrom = new Date(Date.parse(last.deletedAt ?? "") + RECYCLE_BIN_DAYS * DAY_MS).toISOString();
  ctx.error(
    "address_held_by_deleted",
    address,
    `mailbox "${address}" ${declared}, but the address still belongs to "${last.displayName}", deleted on ${last.deletedAt} and in the recycle bin until ${freeFrom} (R2.3, R5.2: a soft-deleted recipient keeps its address); ${restorable ? `set origin: "convert" to restore that mailbox as a shared one, ` : ""}choose another address, or wait until it is purged`,
  );
  return false;
}

/** A mailbox still being provisioned (readyAt after observedAt) gets a wait before the first write to it. */
export function waitIfNotReady(ctx: PlanContext, m: ObservedMailbox): () => readonly string[] {
  let id: string | undefined;
  return () => {
    if (m.readyAt === null) return [];
    const ms = Date.parse(m.readyAt) - ctx.now;
    if (!(ms > 0)) return [];
    id ??= ctx.add({
      type: "mailbox.wait",
      target: m.address,
      params: { for: "provisioned", minutes: Math.max(1, Math.ceil(ms / 60_000)) },
      reason: "mailbox_not_ready",
      description: `Wait for ${m.address} to finish provisioning (ready at ${m.readyAt}) before changing it`,
      fingerprint: [`mailbox:${m.address}`],
    });
    return [id];
  };
}

/**
 * The extra addresses an update would add must be free (R5.2: an address
 * belongs to one recipient, live or soft-deleted): an error per address
 * another recipient holds, naming it, as the tenant would refuse it midway. The mailbox's own addresses (its
 * address, previous addresses, its account's sign-in name) are its own.
 */
export function checkExtraAddressesFree(ctx: PlanContext, spec: CanonicalSharedMailbox, settings: readonly SettingDifference[], upn: string): void {
  const change = settings.find((d) => d.rule.field === "emailAddresses");
  if (change === undefined) return;
  for (const address of addressesMissing(change.expected as readonly string[], change.actual as readonly string[])) {
    const holder = addressHolder(ctx.ix, address);
    if (holder === undefined || holder.name === spec.address || holder.name === upn || spec.previousAddresses.includes(holder.name)) continue;
    ctx.error(
      "email_address_in_use",
      spec.address,
      `mailbox "${spec.address}" declares the extra address "${address}", which already belongs to ${holder.kind} ${holder.name} (R5.2: an address belongs to one recipient, including soft-deleted ones for 30 days); remove it from emailAddresses, or take it off ${holder.name} first`,
    );
  }
}
