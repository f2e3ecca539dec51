/**
 * The service's rules as the simulated tenant enforces them
 * (shared/docs/exchange-online-rules.md, R-numbers below; the [U] choices are
 * in docs/decisions/0003-simulated-tenant-conservative-rules.md): the checks,
 * the bodies of the operations, and the time-driven events (purge,
 * disconnection, readiness, grant effect).
 *
 * Every method runs inside a transaction of the runner (runner.ts) and
 * refuses by throwing the runner's ProviderError; `mode` "admin" is an
 * out-of-band edit, which follows what the real service allows rather than
 * the conservative refusals.
 */
import type { CreateSharedMailboxInput, UpdateMailboxInput } from "../../lib/provider/provider.js";
import type { ObservedGroup, ObservedMailbox, ObservedUser, Right } from "../../lib/provider/observed.js";
import { capabilitiesOf, licenseShortfall } from "../../lib/model/licensing.js";
import type { ManagementAttribute } from "../../lib/model/management-tag.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import {
  ALIAS_RULE,
  DAY_MS,
  DISPLAY_NAME_RULE,
  isValidAlias,
  isValidDisplayName,
  MAX_FULL_ACCESS_ENTRIES,
  RECYCLE_BIN_DAYS,
  UNLICENSED_GRACE_DAYS,
} from "../../lib/model/service-rules.js";
import type { Runner } from "./runner.js";
import { attributeNumber, domainOf, localPart, lower, type MailboxRow, type Store, type Unsettled, type UserRow } from "./store.js";

/** Soft-deleted users and mailboxes are purged after 30 days (R2.3). */
export const RETENTION_MS = RECYCLE_BIN_DAYS * DAY_MS;
/** An unlicensed user mailbox is disconnected after 30 days (R1.12, R2.6). */
export const DISCONNECT_MS = UNLICENSED_GRACE_DAYS * DAY_MS;
/** At most 500 FullAccess ACEs per mailbox (R3.9). */
export const MAX_FULL_ACCESS = MAX_FULL_ACCESS_ENTRIES;
const SYNCED_MESSAGE =
  "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.";

/**
 * Set-Mailbox as the simulated tenant takes it: the contract's fields, and
 * custom attributes by name (the local endpoint's -CustomAttribute1..15,
 * which name the attribute itself rather than the management tag).
 */
export interface MailboxUpdate extends UpdateMailboxInput {
  /** "CustomAttribute3" -> its new value; null or "" clears it. Written after managementTag. */
  readonly customAttributes?: Readonly<Partial<Record<ManagementAttribute, string | null>>>;
}

/**
 * The custom attributes an update writes, number -> value (null: cleared):
 * managementTag in the management attribute (`tagAttribute`), then the ones
 * named. Exchange keeps no empty value: "" clears, as $null does.
 */
function attributeWrites(input: MailboxUpdate, tagAttribute: number): Map<number, string | null> {
  const out = new Map<number, string | null>();
  if (input.managementTag !== undefined) out.set(tagAttribute, input.managementTag || null);
  for (const [name, value] of Object.entries(input.customAttributes ?? {})) {
    const n = attributeNumber(name);
    if (n === null) throw new Error(`"${name}" is not one of CustomAttribute1..15`);
    out.set(n, value || null);
  }
  return out;
}

/** "provider": a call through ITenantProvider; "admin": an out-of-band edit. */
export type Mode = "provider" | "admin";

export class Rules {
  constructor(
    private readonly store: Store,
    private readonly run: Runner,
  ) {}

  // ---------------------------------------------------------------- time-driven events

  /**
   * The time-driven events due at `now`: purge (R2.3), disconnection (R1.12, R2.6), readiness,
   * grant effect. In a write transaction they are stored, and logged as system.*; elsewhere (a
   * read, which never writes) they are only shown to what the transaction reads
   * (Store.showUnsettled), exactly as storing them would change it.
   */
  dueEvents(now: number): void {
    if (!this.run.writing) {
      this.store.showUnsettled(this.unsettled(now));
      return;
    }
    const q = this.store.q;
    for (const row of q.usersToPurge.all(now - RETENTION_MS) as UserRow[]) {
      this.purgeUser(row);
      this.run.log("system.purge", row.upn, { userId: row.id }, null);
    }
    for (const address of q.mailboxesToDisconnect.pluck().all(now) as string[]) {
      q.deleteMailbox.run(address);
      this.run.log("system.disconnect", address, {}, null);
    }
    q.clearReady.run(now);
    q.clearPending.run(now);
  }

  /**
   * What storing the events due at `now` would change in reads (null: none is due): the users the
   * purge deletes, the mailboxes it (by cascade) and the disconnection delete, and the trustees
   * whose grants go with the last user of their UPN. Readiness and grant effect past `now` are
   * cleared by the store's unsettled statements from `now`.
   */
  unsettled(now: number): Unsettled | null {
    const q = this.store.q;
    if (q.anyDue.pluck().get({ purgeBefore: now - RETENTION_MS, now }) !== 1) return null;
    const purgedUsers = new Set<string>();
    const upns = new Set<string>();
    for (const row of q.usersToPurge.all(now - RETENTION_MS) as UserRow[]) {
      purgedUsers.add(row.id);
      upns.add(row.upn);
    }
    const goneMailboxes = new Set<string>();
    for (const id of purgedUsers) {
      const m = q.mailboxOfUser.get(id) as MailboxRow | undefined;
      if (m) goneMailboxes.add(m.address);
    }
    for (const address of q.mailboxesToDisconnect.pluck().all(now) as string[]) goneMailboxes.add(address);
    const orphanedTrustees = new Set<string>();
    for (const upn of upns) {
      if ((q.userIdsWithUpn.pluck().all(upn) as string[]).every((id) => purgedUsers.has(id))) orphanedTrustees.add(upn);
    }
    return { now, purgedUsers, goneMailboxes, orphanedTrustees };
  }

  // ---------------------------------------------------------------- operations

  createSharedMailbox(address: string, input: CreateSharedMailboxInput): ObservedMailbox {
    const now = this.run.nowMs();
    const domains = this.store.tenantInfo().domains;
    if (!/^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(address)) {
      this.run.refuse("precondition", "InvalidAddress", `"${address}" is not a valid smtp address; use name@domain`);
    }
    if (!domains.includes(domainOf(address))) {
      this.run.refuse("precondition", "DomainNotAccepted", `the domain of "${address}" is not an accepted domain of the tenant (${domains.join(", ")}); use one of them`);
    }
    const alias = input.alias ?? localPart(address);
    this.checkAlias(alias);
    this.checkDisplayName(input.displayName);
    this.checkAddressFree(address);
    const userId = this.store.nextUserId();
    this.store.q.insertUser.run(userId, address, input.displayName, 1, null, 0, null, null); // R4.2: sign-in enabled, no license
    const readyMs = this.store.timing().createReadyMs;
    this.store.q.insertMailbox.run(address, input.displayName, alias, "shared", userId, 0, 0, 0, readyMs > 0 ? now + readyMs : null, null, null, null);
    return this.observedMailbox(address);
  }

  updateMailbox(target: string, input: MailboxUpdate): ObservedMailbox {
    const m = this.writableMailbox(target, "provider");
    const caps = this.store.capsOfUser(m.user_id);
    if (input.displayName !== undefined) this.checkDisplayName(input.displayName);
    if (input.alias !== undefined) this.checkAlias(input.alias);
    // R1.6: holds and archive need Plan 2, or Plan 1 + the archiving add-on
    for (const feature of ["litigationHold", "archive"] as const) {
      if (input[feature] === true && !caps.holdAndArchive) {
        const what = feature === "archive" ? "an archive" : "litigation hold";
        this.run.refuse("precondition", "LicenseRequired", `${target} cannot have ${what} without Exchange Online Plan 2, or Plan 1 with the Exchange Online Archiving add-on; assign one of them first (R1.6)`);
      }
    }
    const attributes = attributeWrites(input, this.store.managementAttribute);
    for (const [n, value] of attributes) this.checkAttributeValue(target, n, value);
    if (input.emailAddresses !== undefined) this.changeProxies(target, input.emailAddresses);
    this.store.q.updateMailbox.run(
      input.displayName ?? m.display_name,
      input.alias ?? m.alias,
      input.litigationHold === undefined ? m.litigation_hold : Number(input.litigationHold),
      input.archive === undefined ? m.archive : Number(input.archive),
      target,
    );
    for (const [n, value] of attributes) this.store.writeCustomAttribute(target, n, value);
    if (input.hiddenFromAddressLists !== undefined || input.messageCopyForSentAs !== undefined || input.messageCopyForSendOnBehalf !== undefined) {
      const s = this.store.settingsOf(target) ?? { hidden: 0, copy_sent_as: 0, copy_on_behalf: 0 };
      const flag = (value: boolean | undefined, stored: number) => (value === undefined ? stored : Number(value));
      this.store.q.upsertSettings.run(
        target,
        flag(input.hiddenFromAddressLists, s.hidden),
        flag(input.messageCopyForSentAs, s.copy_sent_as),
        flag(input.messageCopyForSendOnBehalf, s.copy_on_behalf),
      );
    }
    return this.observedMailbox(target);
  }

  /**
   * Set-Mailbox -EmailAddresses @{Add=...; Remove=...}: every address checked
   * before anything changes. An added address must be valid, in an accepted
   * domain and no other recipient's (R5.2); a removed one must be on the mailbox.
   */
  private changeProxies(target: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): void {
    const add = [...new Set(change.add.map(lower))];
    const remove = [...new Set(change.remove.map(lower))];
    const domains = this.store.tenantInfo().domains;
    const held = new Set(this.store.proxiesOf(target));
    for (const address of remove) {
      if (!held.has(address)) this.run.refuse("notFound", "ProxyAddressNotFound", `"smtp:${address}" is not an email address of ${target}, so it cannot be removed`);
    }
    for (const address of add) {
      if (address === target) this.run.refuse("precondition", "InvalidArgument", `"${address}" is the primary address of ${target}; only extra addresses are added to EmailAddresses`);
      if (!/^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(address)) this.run.refuse("precondition", "InvalidAddress", `"${address}" is not a valid smtp address; use name@domain`);
      if (!domains.includes(domainOf(address))) {
        this.run.refuse("precondition", "DomainNotAccepted", `the domain of "${address}" is not an accepted domain of the tenant (${domains.join(", ")}); use one of them`);
      }
      if (held.has(address) && !remove.includes(address)) this.run.refuse("conflict", "ProxyAddressExists", `"smtp:${address}" is already an email address of ${target}`);
      if (!held.has(address)) this.checkAddressFree(address);
    }
    for (const address of remove) this.store.q.deleteProxy.run(address, target);
    for (const address of add) this.store.q.insertProxy.run(address, target);
  }

  /**
   * Set-Mailbox -WindowsEmailAddress: the mailbox's rows move to `newAddress`
   * and the old primary stays as an extra address (R5.2: nobody else may take
   * it). An extra address of the mailbox itself may become its primary.
   */
  setPrimaryAddress(target: string, newAddress: string): ObservedMailbox {
    this.writableMailbox(target, "provider");
    const q = this.store.q;
    if (newAddress === target) this.run.refuse("conflict", "AlreadyPrimary", `"${newAddress}" is already the primary address of ${target}`);
    this.checkNewAddress(newAddress);
    if (this.store.proxyHolder(newAddress) === target) q.deleteProxy.run(newAddress, target);
    else this.checkAddressFree(newAddress);
    this.store.db.pragma("defer_foreign_keys = ON"); // rows and their references move together, checked at commit
    q.renameMailbox.run(newAddress, target);
    q.renameMailboxGrants.run(newAddress, target);
    q.renameMailboxSettings.run(newAddress, target);
    q.renameMailboxProxies.run(newAddress, target);
    q.renameMailboxAttributes.run(newAddress, target);
    q.insertProxy.run(target, newAddress);
    return this.observedMailbox(newAddress);
  }

  /** PATCH /users/{id} {userPrincipalName}. Grants given to the user follow it (they name the account, not the string). */
  setUserPrincipalName(upn: string, newUpn: string): ObservedUser {
    const user = this.requireLiveUser(upn);
    if (user.synced === 1) this.run.refuse("precondition", "Request_BadRequest", `${SYNCED_MESSAGE} (${upn} is directory-synced: rename it on premises, R4.4)`);
    if (newUpn === upn) return this.store.observedUser(user);
    this.checkNewAddress(newUpn);
    if (this.store.liveUser(newUpn)) {
      this.run.refuse("conflict", "ObjectConflict", `Another object with the same value for property userPrincipalName already exists: ${newUpn}`);
    }
    this.store.q.setUpn.run(newUpn, user.id);
    this.store.q.renameGrantTrustee.run(newUpn, upn);
    return this.store.observedUser({ ...user, upn: newUpn });
  }

  /** POST /users/{id}/revokeSignInSessions: recorded as the time sessions are valid from. */
  revokeSignInSessions(userId: string): void {
    const user = this.store.q.userById.get(userId) as UserRow | undefined;
    if (!user || user.deleted_at !== null) this.run.refuse("notFound", "Request_ResourceNotFound", `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`);
    this.run.retarget(user.upn);
    this.store.q.revokeSessions.run(userId, this.run.nowMs());
  }

  /** A valid SMTP address (or UPN) in one of the tenant's accepted domains. */
  private checkNewAddress(address: string): void {
    const domains = this.store.tenantInfo().domains;
    if (!/^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(address)) this.run.refuse("precondition", "InvalidAddress", `"${address}" is not a valid smtp address; use name@domain`);
    if (!domains.includes(domainOf(address))) {
      this.run.refuse("precondition", "DomainNotAccepted", `the domain of "${address}" is not an accepted domain of the tenant (${domains.join(", ")}); use one of them`);
    }
  }

  removeMailbox(target: string): void {
    const m = this.liveMailbox(target);
    if (m.litigation_hold === 1) {
      // R2.3: a held mailbox becomes inactive rather than soft-deleted; we refuse (decision 0003)
      this.run.refuse("precondition", "MailboxOnHold", `${target} is on litigation hold; removing it would make it an inactive mailbox, not a soft-deleted one; release the hold first if deletion is really intended`);
    }
    this.softDeleteUser(m.user_id);
  }

  /** `add` and `remove` are lower-case and without repeats. */
  setSendOnBehalf(target: string, add: readonly string[], remove: readonly string[]): void {
    const both = add.filter((t) => remove.includes(t));
    if (both.length > 0) this.run.refuse("precondition", "InvalidArgument", `${both.join(", ")} is both added to and removed from the send-on-behalf list of ${target}; pick one`);
    // R3.1: incremental @{Add=...; Remove=...}; all checked before anything changes
    for (const t of remove) this.removeGrant(target, "SendOnBehalf", t, "provider");
    for (const t of add) this.addGrant(target, "SendOnBehalf", t, null, "provider");
  }

  setUsageLocation(upn: string, usageLocation: string): ObservedUser {
    const user = this.requireLiveUser(upn);
    if (!/^[A-Z]{2}$/.test(usageLocation)) {
      this.run.refuse("precondition", "Request_BadRequest", `Invalid value specified for property 'usageLocation' of resource 'User': "${usageLocation}" is not an ISO 3166 alpha-2 code`);
    }
    // usageLocation is one of the few properties Graph lets the cloud set on a synced user
    this.store.q.setUsageLocation.run(usageLocation, user.id);
    return this.store.observedUser({ ...user, usage_location: usageLocation });
  }

  resetPassword(upn: string): void {
    const user = this.requireLiveUser(upn);
    if (user.synced === 1) this.run.refuse("precondition", "Request_BadRequest", `${SYNCED_MESSAGE} (${upn} is directory-synced: reset the password on premises, R4.4)`);
    this.store.q.setPasswordReset.run(this.run.nowMs(), user.id);
  }

  restoreUser(userId: string): ObservedUser {
    const q = this.store.q;
    const now = this.run.nowMs();
    const user = q.userById.get(userId) as UserRow | undefined;
    if (!user || user.deleted_at === null) {
      this.run.refuse("notFound", "Request_ResourceNotFound", `Resource '${userId}' does not exist in the deleted items (never deleted, or purged after 30 days).`);
    }
    this.run.retarget(user.upn);
    if (this.store.liveUser(user.upn)) {
      this.run.refuse("conflict", "ObjectConflict", `A conflicting object with one or more of the specified property values is present in the directory: a live user already has the upn ${user.upn}; rename one of them (R2.4)`);
    }
    q.restoreUser.run(userId);
    const m = q.mailboxOfUser.get(userId) as MailboxRow | undefined;
    if (m) {
      const readyMs = this.store.timing().restoreReadyMs;
      // R2.5: the mailbox is re-created over 20-30 minutes; licenses are not re-added (R2.4)
      const disconnectAt = m.type === "user" ? now + DISCONNECT_MS : null;
      q.restoreMailbox.run(readyMs > 0 ? now + readyMs : null, disconnectAt, m.address);
    }
    return this.store.observedUser(q.userById.get(userId) as UserRow);
  }

  /** Purge soft-deleted users (and their mailboxes) from the recycle bin now. `who` is an id or a UPN. */
  purgeDeletedUser(who: string): void {
    const rows = this.store.q.deletedUsersByIdOrUpn.all(who, lower(who)) as UserRow[];
    if (rows.length === 0) this.run.refuse("notFound", "Request_ResourceNotFound", `no soft-deleted user "${who}" in the recycle bin`);
    for (const row of rows) this.purgeUser(row);
  }

  /** Set-Mailbox -CustomAttribute<n> out of band (a person in the portal); null clears it. */
  setCustomAttribute(target: string, n: number, value: string | null): void {
    this.liveMailbox(target);
    const stored = value === "" ? null : value;
    this.checkAttributeValue(target, n, stored);
    this.store.writeCustomAttribute(target, n, stored);
  }

  // ---------------------------------------------------------------- groups (out of band: exoform reads groups, never changes them)

  /** New-DistributionGroup -Type Security: a mail-enabled security group at a free address of an accepted domain (R5.2). */
  createGroup(address: string, displayName: string): ObservedGroup {
    this.checkNewAddress(address);
    this.checkDisplayName(displayName);
    this.checkAddressFree(address);
    const id = this.store.nextGroupId();
    this.store.q.insertGroup.run(id, address, displayName);
    return this.group(address);
  }

  /** Add-DistributionGroupMember: a live user joins the group once. */
  addGroupMember(address: string, upn: string): ObservedGroup {
    const group = this.requireGroup(address);
    const user = this.requireMember(address, upn);
    if (this.group(address).members.includes(user.upn)) {
      this.run.refuse("conflict", "MemberAlreadyExists", `The recipient "${upn}" is already a member of the group "${address}"; nothing to add`);
    }
    this.store.q.insertGroupMember.run(group.id, user.id);
    return this.group(address);
  }

  /** Remove-DistributionGroupMember. */
  removeGroupMember(address: string, upn: string): ObservedGroup {
    const group = this.requireGroup(address);
    const user = this.requireMember(address, upn);
    if (this.store.q.deleteGroupMember.run(group.id, user.id).changes === 0) {
      this.run.refuse("notFound", "MemberNotFound", `The recipient "${upn}" isn't a member of the group "${address}"; its members are listed by: exoform tenant show`);
    }
    return this.group(address);
  }

  /**
   * Remove-DistributionGroup: a security group is deleted at once (no recycle
   * bin), its memberships and the grants it held with it, as the grants of a
   * purged user go (decision 0003). Its members' accounts are untouched.
   */
  deleteGroup(address: string): void {
    const group = this.requireGroup(address);
    this.store.q.deleteGroup.run(group.id);
    this.store.q.deleteGrantsOfTrustee.run(address);
  }

  private requireGroup(address: string): { id: string; address: string } {
    const group = this.store.groupByAddress(address);
    if (!group) {
      this.run.refuse("notFound", "ManagementObjectNotFound", `The operation couldn't be performed because group '${address}' couldn't be found; the tenant's groups are listed by: exoform tenant show`);
    }
    return group;
  }

  /** A group's members are live users of the tenant. */
  private requireMember(address: string, upn: string): UserRow {
    const user = this.store.liveUser(upn);
    if (!user) {
      const deleted = this.store.q.anyUserWithUpn.get(upn) !== undefined;
      this.run.refuse("notFound", "Request_ResourceNotFound", `"${upn}" is ${deleted ? "a deleted user" : "not a user of the tenant"}, so it cannot be a member of group "${address}"; ${deleted ? "restore the user first" : "check the name"}`);
    }
    return user;
  }

  private group(address: string): ObservedGroup {
    return this.store.groups().find((g) => g.address === address)!;
  }

  setMailboxSize(target: string, sizeBytes: number): void {
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) this.run.refuse("precondition", "InvalidArgument", `size ${sizeBytes} of ${target} is not a whole number of bytes`);
    this.liveMailbox(target);
    this.store.q.setSize.run(sizeBytes, target);
  }

  // ---------------------------------------------------------------- rules

  /** R5.1, stated once in lib/model/service-rules.ts (the validator refuses the same aliases before planning). */
  checkAlias(alias: string): void {
    if (!isValidAlias(alias)) {
      this.run.refuse("precondition", "InvalidAlias", `alias ${JSON.stringify(alias)} is not valid: ${ALIAS_RULE}`);
    }
  }

  /** R5.1, stated once in lib/model/service-rules.ts. */
  checkDisplayName(name: string): void {
    if (!isValidDisplayName(name)) {
      this.run.refuse("precondition", "InvalidDisplayName", `display name ${JSON.stringify(name.slice(0, 40))} is not valid: ${DISPLAY_NAME_RULE}`);
    }
  }

  /** A custom attribute holds at most 1024 characters (Set-Mailbox refuses more). */
  private checkAttributeValue(target: string, n: number, value: string | null): void {
    if (value !== null && value.length > 1024) {
      this.run.refuse("precondition", "InvalidArgument", `the value for CustomAttribute${n} of ${target} is longer than 1024 characters; shorten it`);
    }
  }

  /** R5.2: the address must not be a proxy address of any recipient, live or soft-deleted. */
  checkAddressFree(address: string): void {
    const mailbox = this.store.mailboxRow(address) ?? this.store.mailboxRow(this.store.proxyHolder(address) ?? "");
    const user = this.store.q.anyUserWithUpn.get(address) as UserRow | undefined;
    const group = this.store.groupByAddress(address);
    const holder = mailbox?.display_name ?? user?.display_name ?? (group !== undefined ? `group ${group.address}` : undefined);
    if (holder !== undefined) {
      this.run.refuse("conflict", "ProxyAddressExists", `The proxy address "smtp:${address}" is already being used by the proxy addresses or LegacyExchangeDN of "${holder}". Please choose another proxy address.`);
    }
  }

  /** R3.7, R3.8: a trustee is a live user, or a mail-enabled security group, of one of the tenant's domains. */
  checkTrustee(trustee: string): void {
    const domains = this.store.tenantInfo().domains;
    if (!trustee.includes("@") || !domains.includes(domainOf(trustee))) {
      this.run.refuse("precondition", "TrusteeOutsideTenant", `"${trustee}" is outside the tenant (accepted domains: ${domains.join(", ")}); external accounts cannot be granted access, use a member of the tenant (R3.8)`);
    }
    if (this.store.liveUser(trustee)) return;
    // a mail-enabled security group is a trustee too (R3.9)
    if (this.store.groupByAddress(trustee)) return;
    if (this.store.q.anyUserWithUpn.get(trustee)) {
      this.run.refuse("precondition", "TrusteeNotFound", `"${trustee}" is a deleted user; restore the user or grant the access to someone else`);
    }
    this.run.refuse("precondition", "TrusteeNotFound", `The user "${trustee}" couldn't be found; check the name or create the user first`);
  }

  addGrant(address: string, right: Right, trustee: string, autoMapping: boolean | null, mode: Mode): void {
    const q = this.store.q;
    this.writableMailbox(address, mode);
    this.checkTrustee(trustee);
    if (q.grantExists.get(address, right, trustee)) {
      // R3.10 [U]: re-adding is a conflict (decision 0003); to change autoMapping, remove then add (R3.5)
      this.run.refuse("conflict", "ACEAlreadyExists", `${trustee} already holds ${right} on ${address}; to change it (for example autoMapping), remove the grant and add it again`);
    }
    if (right === "FullAccess" && (q.countFullAccess.pluck().get(address) as number) >= MAX_FULL_ACCESS) {
      this.run.refuse("precondition", "TooManyACEs", `${address} already has ${MAX_FULL_ACCESS} FullAccess entries, the most a mailbox can hold (R3.9); use a mail-enabled security group`);
    }
    const delay = this.store.timing().grantEffectiveMs;
    q.insertGrant.run(address, right, trustee, right === "FullAccess" ? Number(autoMapping ?? true) : null, delay > 0 ? this.run.nowMs() + delay : null);
  }

  removeGrant(address: string, right: Right, trustee: string, mode: Mode): void {
    this.writableMailbox(address, mode);
    if (this.store.q.deleteGrant.run(address, right, trustee).changes === 0) {
      // R3.10
      this.run.refuse("notFound", "ACENotFound", `Can't remove the access control entry on the object "${address}" for account "${trustee}" because the ACE doesn't exist on the object.`);
    }
  }

  signIn(upn: string, enabled: boolean, mode: Mode): ObservedUser {
    const user = this.requireLiveUser(upn);
    if (mode === "provider" && user.synced === 1) {
      // R4.4: accountEnabled is mastered on premises
      this.run.refuse("precondition", "Request_BadRequest", `${SYNCED_MESSAGE} (${upn} is directory-synced: change sign-in in on-premises Active Directory, R4.4)`);
    }
    this.store.q.setEnabled.run(Number(enabled), user.id);
    return this.store.observedUser({ ...user, account_enabled: Number(enabled) });
  }

  convert(address: string, type: "shared" | "regular", mode: Mode): ObservedMailbox {
    const m = this.writableMailbox(address, mode);
    const user = this.store.q.userById.get(m.user_id) as UserRow;
    if (mode === "provider" && user.synced === 1) {
      // R6.3, R4.4: a cloud-only conversion of a synced mailbox is reverted by directory sync
      this.run.refuse("precondition", "Request_BadRequest", `${address} is directory-synced (onPremisesSyncEnabled); convert it on premises with Set-RemoteMailbox -Type ${type === "shared" ? "Shared" : "Regular"} (R6.2, R6.3)`);
    }
    const want = type === "shared" ? "shared" : "user";
    if (m.type === want) {
      this.run.refuse("conflict", "AlreadyOfType", `Couldn't convert the mailbox because the mailbox "${address}" is already of the type '${type === "shared" ? "Shared" : "Regular"}'.`);
    }
    const caps = this.store.capsOfUser(m.user_id);
    if (type === "shared") {
      // R1.2 (grace period [U]: refuse, decision 0003)
      if (!caps.exchange) {
        this.run.refuse("precondition", "LicenseRequired", `${address} has no Exchange Online license; a user mailbox must be licensed before it can be converted to shared: assign a license, convert, then remove it (R1.2, R2.5)`);
      }
      this.store.q.setType.run("shared", null, address);
    } else {
      // R1.12: unlicensed, the user mailbox is disconnected after 30 days
      this.store.q.setType.run("user", caps.exchange ? null : this.run.nowMs() + DISCONNECT_MS, address);
    }
    return this.observedMailbox(address);
  }

  changeLicenses(upn: string, addIn: readonly string[], removeIn: readonly string[], mode: Mode): ObservedUser {
    const q = this.store.q;
    const user = this.requireLiveUser(upn);
    const held = new Set(this.store.licensesOf(user.id));
    const add = [...new Set(addIn)].filter((s) => !held.has(s)); // re-adding a held SKU is accepted and changes nothing (Graph)
    const remove = [...new Set(removeIn)];
    for (const sku of [...add, ...remove]) {
      if (!q.skuPlans.get(sku)) {
        this.run.refuse("notFound", "SkuNotFound", `License ${sku} does not correspond to a valid company License; the tenant's skus are listed by: exoform tenant show`);
      }
    }
    for (const sku of remove) {
      if (!held.has(sku)) this.run.refuse("notFound", "LicenseNotAssigned", `User ${upn} does not have a corresponding license ${sku}.`);
    }
    if (add.length > 0 && !user.usage_location) {
      this.run.refuse("precondition", "InvalidUsageLocation", `License assignment cannot be done for user with invalid usage location. (${upn} has no usageLocation; set one first, R7.1)`);
    }
    for (const sku of add) {
      const consumed = q.consumedOf.pluck().get(sku) as number;
      const prepaid = q.prepaidOf.pluck().get(sku) as number;
      if (consumed + 1 > prepaid) {
        this.run.refuse("precondition", "CountViolation", `Subscription ${sku} has no free licenses (${consumed} of ${prepaid} assigned); buy more seats or free one first`);
      }
    }
    const final = new Set([...held].filter((s) => !remove.includes(s)).concat(add));
    const plans = new Set(this.store.servicePlans(final));
    const after = capabilitiesOf(plans);
    if (plans.has("EXCHANGE_S_STANDARD") && plans.has("EXCHANGE_S_ENTERPRISE")) {
      this.run.refuse("precondition", "MutuallyExclusiveViolation", `${upn} would hold both Exchange Online Plan 1 and Plan 2 service plans (${[...final].sort(compareStrings).join(", ")}), which are mutually exclusive; remove one in the same call`);
    }
    if (after.archiveAddon && !after.exchange) {
      this.run.refuse("precondition", "DependencyViolation", `${upn} would hold the Exchange Online Archiving add-on without an Exchange Online plan it depends on; keep or add Plan 1 or Plan 2`);
    }
    const mailbox = q.mailboxOfUser.get(user.id) as MailboxRow | undefined;
    const before = this.store.capsOfUser(user.id);
    if (mailbox && mailbox.deleted_at === null && mailbox.type === "shared" && mode === "provider" && remove.length > 0) {
      const needs = { sizeBytes: mailbox.size_bytes, litigationHold: mailbox.litigation_hold === 1, archive: mailbox.archive === 1 };
      const shortfall = licenseShortfall(needs, after);
      // R1.4-R1.9, R2.6: the service would let it go over quota or break the hold; we refuse (decision 0003)
      if (shortfall !== null && licenseShortfall(needs, before) === null) {
        this.run.refuse("precondition", "MailboxNeedsLicense", `removing ${remove.join(", ")} from ${upn} is refused: the shared mailbox ${mailbox.address} ${shortfall}; keep the license, or reduce the mailbox (size, hold, archive) first`);
      }
    }
    for (const sku of remove) q.deleteLicense.run(user.id, sku);
    for (const sku of add) q.insertLicense.run(user.id, sku);
    if (mailbox && mailbox.deleted_at === null && mailbox.type === "user") {
      // R2.6: a user mailbox losing its Exchange license is disconnected after 30 days; a license reconnects it
      if (after.exchange) q.setDisconnect.run(null, mailbox.address);
      else if (mailbox.disconnect_at === null) q.setDisconnect.run(this.run.nowMs() + DISCONNECT_MS, mailbox.address);
    }
    return this.store.observedUser(user);
  }

  /** Soft-delete a user and its mailbox for 30 days; licenses are released (R2.3, R2.4). */
  softDeleteUser(userId: string): void {
    const now = this.run.nowMs();
    this.store.q.softDeleteUser.run(now, userId);
    this.store.q.softDeleteMailboxOfUser.run(now, userId);
    this.store.q.deleteLicensesOf.run(userId);
  }

  /** Purge a soft-deleted user: its licenses, mailbox and the grants on it; its grants elsewhere once no user has its UPN (R2.3). */
  purgeUser(row: UserRow): void {
    this.store.q.deleteUser.run(row.id); // cascades to licenses, the mailbox and the grants on it
    if (!this.store.q.anyUserWithUpn.get(row.upn)) this.store.q.deleteGrantsOfTrustee.run(row.upn);
  }

  // ---------------------------------------------------------------- refusals of lookups

  requireLiveUser(upn: string): UserRow {
    const user = this.store.liveUser(upn);
    if (!user) this.run.refuse("notFound", "Request_ResourceNotFound", `Resource '${upn}' does not exist or one of its queried reference-property objects are not present.`);
    return user;
  }

  /** A live (not soft-deleted) mailbox, or notFound. */
  liveMailbox(address: string): MailboxRow {
    const m = this.store.mailboxRow(address);
    if (!m || m.deleted_at !== null) this.run.refuse("notFound", "ManagementObjectNotFound", `The operation couldn't be performed because object '${address}' couldn't be found.`);
    return m;
  }

  /** A live mailbox that is ready for writes (provider mode), or the refusal. */
  writableMailbox(address: string, mode: Mode): MailboxRow {
    const m = this.liveMailbox(address);
    if (mode === "provider" && m.ready_at !== null && m.ready_at > this.run.nowMs()) {
      this.run.refuse("precondition", "MailboxNotReady", `${address} is still being provisioned and accepts changes from ${new Date(m.ready_at).toISOString()}; retry later`);
    }
    return m;
  }

  /** The mailbox at `address` (known to exist) as observed now. */
  private observedMailbox(address: string): ObservedMailbox {
    return this.store.observedMailbox(this.store.mailboxRow(address)!, this.run.nowMs());
  }
}
