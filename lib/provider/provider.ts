/**
 * ITenantProvider: the one contract every tenant implementation fulfils, the
 * embedded simulated tenant today and a Microsoft Graph + Exchange admin API
 * provider later. Nothing outside providers/ knows which one it talks to.
 *
 * Reads are bulk and coarse: one call per kind of object, because the real
 * APIs punish per-mailbox reads (Get-MailboxPermission per mailbox is what
 * makes other tools take days). Writes mirror the real operations one to one,
 * so that an action in a plan is exactly one service call.
 *
 * Errors: every method rejects only with ProviderError (lib/provider/errors.ts).
 * - "throttled" / "transient": retryable; the caller backs off (honouring
 *   retryAfterMs) and calls again with the same arguments.
 * - "precondition": the service refused because one of its rules is not met;
 *   retrying the same call will fail again until the tenant changes.
 * - "notFound": the mailbox, user, or grant named does not exist.
 * - "conflict": the object to create already exists, or collides.
 * - "forbidden": the caller lacks the role.
 *
 * Idempotency: writes are NOT idempotent, as in the real service. Adding a
 * grant that exists is a conflict; removing one that is absent is notFound.
 * A caller that may have half-run a write (crash, timeout) reads first and
 * decides (see lib/apply). This keeps the contract honest for the real APIs,
 * whose duplicate-write behaviour is unconfirmed.
 *
 * Example (what apply does for one grant):
 *
 *   const mbx = await provider.getMailbox("support@contoso.com");
 *   if (mbx && mbx.readyAt === null)
 *     await provider.addMailboxPermission("support@contoso.com", "ann@contoso.com", { autoMapping: true });
 */
import type {
  ObservedGrant,
  ObservedGroup,
  ObservedMailbox,
  ObservedSku,
  ObservedTenantInfo,
  ObservedUser,
} from "./observed.js";
import type { GrantsByMailbox } from "./packed-grants.js";

/** The tenant's clock. Virtual in the simulated tenant (sleep advances it instantly). */
export interface TenantClock {
  /** The tenant's current time. */
  now(): Promise<Date>;
  /** Wait `ms` milliseconds of tenant time. */
  sleep(ms: number): Promise<void>;
}

/**
 * How a provider's reads follow its writes.
 * - "strong": a read that starts after a write returned shows it (the simulated tenant).
 * - "eventual": reads may show the state before a recent write for a while; the service is
 *   read-your-writes consistent only within one backend session (Microsoft Graph and Exchange
 *   Online). A write whose response was lost may also not show at once.
 */
export type ReadConsistency = "strong" | "eventual";

export interface CreateSharedMailboxInput {
  /** Primary SMTP address (New-Mailbox -PrimarySmtpAddress). */
  readonly address: string;
  /** New-Mailbox -Name / -DisplayName. */
  readonly displayName: string;
  /** New-Mailbox -Alias; defaults to the local part of the address. */
  readonly alias?: string;
}

/** Set-Mailbox fields exoform manages. Omitted fields are left as they are. */
export interface UpdateMailboxInput {
  readonly displayName?: string;
  readonly alias?: string;
  /** Set-Mailbox -LitigationHoldEnabled. Needs Plan 2 or Plan 1 + archiving add-on. */
  readonly litigationHold?: boolean;
  /** Enable-Mailbox -Archive / Disable-Mailbox -Archive. Same license rule as holds. */
  readonly archive?: boolean;
  /** Set-Mailbox -CustomAttribute15; null clears it. */
  readonly managementTag?: string | null;
  /** Set-Mailbox -HiddenFromAddressListsEnabled. */
  readonly hiddenFromAddressLists?: boolean;
  /** Set-Mailbox -MessageCopyForSentAsEnabled. */
  readonly messageCopyForSentAs?: boolean;
  /** Set-Mailbox -MessageCopyForSendOnBehalfEnabled. */
  readonly messageCopyForSendOnBehalf?: boolean;
  /**
   * Set-Mailbox -EmailAddresses @{Add="smtp:..."; Remove="smtp:..."}: extra SMTP
   * addresses to add and remove, never the full-list form (it would drop the
   * proxy addresses exoform does not manage: X500, SIP, the onmicrosoft one).
   * conflict: an address to add is another recipient's (R5.2). notFound: one
   * to remove is not on the mailbox.
   */
  readonly emailAddresses?: { readonly add: readonly string[]; readonly remove: readonly string[] };
}

export interface ITenantProvider {
  /** A short name for logs and the lock record, e.g. "simulated:.exoform/tenant.db". */
  readonly name: string;

  /**
   * Identifies this tenant store: the same for every process that talks to the same tenant, new
   * whenever a tenant is created again under the same name (a simulated tenant re-initialised).
   * Apply keys its journal by it, so a journal never speaks for another tenant. A real tenant's
   * provider returns its tenant id.
   */
  readonly instance: string;

  /** The tenant's clock: apply's waits and backoff run on it. */
  readonly clock: TenantClock;

  /**
   * How reads follow writes; absent means "strong". Against an "eventual" provider apply reads
   * again with backoff on the tenant's clock before it concludes that an effect is absent (settling
   * a write whose outcome is unknown, a half-run action, a conflict; verifying), and trusts a read
   * that shows an effect only once reads can show this apply's earlier writes to the same object
   * (see lib/apply/settle.ts).
   */
  readonly consistency?: ReadConsistency;

  // ---------------------------------------------------------------- bulk reads
  // Each returns every object of its kind, sorted by natural key, lower-cased
  // identities. Called once per plan/drift/verify. Never a partial answer: a read
  // that cannot complete rejects (drift must never read "absent" from a hiccup).

  /** The tenant's id, accepted domains and hybrid flag. */
  readTenant(): Promise<ObservedTenantInfo>;
  /** GET /subscribedSkus. */
  listSkus(): Promise<ObservedSku[]>;
  /** GET /users plus GET /directory/deletedItems/microsoft.graph.user (deletedAt set). */
  listUsers(): Promise<ObservedUser[]>;
  /** Get-EXOMailbox -ResultSize Unlimited (+ soft-deleted, + statistics); user and shared mailboxes. */
  listMailboxes(): Promise<ObservedMailbox[]>;
  /**
   * Every direct FullAccess, SendAs and SendOnBehalf grant in the tenant, bookkeeping entries removed,
   * including the grants a soft-deleted mailbox keeps (Get-EXOMailboxPermission -SoftDeletedMailbox):
   * a restore brings them back, so a plan that restores a mailbox must see them.
   */
  listGrants(): Promise<ObservedGrant[]>;
  /**
   * The same grants a mailbox at a time, each mailbox's as one JSON text (optional; the form is
   * lib/provider/packed-grants.ts). observe() prefers it: the planner compares a mailbox's text with
   * the declared grants as a whole and makes grant objects only for the mailboxes that differ.
   */
  listGrantsByMailbox?(): Promise<GrantsByMailbox>;

  /**
   * GET /groups?$filter=mailEnabled eq true and securityEnabled eq true, with each group's
   * members: the mail-enabled security groups that may be trustees. Optional: a provider without
   * it knows no groups (observe() then leaves ObservedState.groups out).
   */
  listGroups?(): Promise<ObservedGroup[]>;

  // ---------------------------------------------------------------- point reads
  // Used by apply to re-check a precondition right before a write, to poll
  // readiness, and to settle a write that may have half-run.

  /** Get-Mailbox -Identity; null when there is no such (live or soft-deleted) mailbox. */
  getMailbox(address: string): Promise<ObservedMailbox | null>;
  /** GET /users/{upn}; the live user, or null. Soft-deleted users are not returned. */
  getUser(userPrincipalName: string): Promise<ObservedUser | null>;
  /** The direct grants on one mailbox (live or soft-deleted); [] for an unknown address. */
  getGrants(address: string): Promise<ObservedGrant[]>;

  // ---------------------------------------------------------------- mailbox writes (Exchange)

  /**
   * New-Mailbox -Shared. Creates the anchor user (sign-in ENABLED, no license,
   * as the service does) and the mailbox, which accepts grants only once ready.
   * conflict: the address is already a proxy address of another recipient.
   */
  createSharedMailbox(input: CreateSharedMailboxInput): Promise<ObservedMailbox>;

  /**
   * Set-Mailbox -Type Shared|Regular.
   * precondition: to shared without an Exchange license; the anchor is directory-synced;
   * the mailbox is not ready yet (just restored). notFound: no such mailbox.
   */
  setMailboxType(address: string, type: "shared" | "regular"): Promise<ObservedMailbox>;

  /**
   * Set-Mailbox with the given fields: one call, as one Set-Mailbox takes them
   * all (the archive is Enable-/Disable-Mailbox). precondition: hold or archive
   * without the license they need; an extra address outside the accepted domains.
   */
  updateMailbox(address: string, input: UpdateMailboxInput): Promise<ObservedMailbox>;

  /**
   * Set-Mailbox -WindowsEmailAddress <newAddress>: a rename. `newAddress`
   * becomes the primary SMTP address and the old primary stays on the mailbox
   * as an extra address, so mail to it still arrives (and nobody else can take
   * it, R5.2). Grants, licences and the anchor user are unchanged; the
   * anchor's UPN is renamed separately (setUserPrincipalName: decision 0010).
   * conflict: `newAddress` is another recipient's. precondition: not an
   * address in an accepted domain; mailbox not ready. notFound: no such live mailbox.
   */
  setPrimaryAddress(address: string, newAddress: string): Promise<ObservedMailbox>;

  /**
   * Remove-Mailbox: soft-deletes the mailbox AND its anchor user for 30 days
   * (restorable with restoreUser). exoform calls it only for mailboxes whose
   * removalPolicy is "delete".
   */
  removeMailbox(address: string): Promise<void>;

  // ---------------------------------------------------------------- grant writes (Exchange)

  /**
   * Add-MailboxPermission -AccessRights FullAccess -InheritanceType All [-AutoMapping].
   * precondition: trustee outside the tenant, deleted, unknown; mailbox not ready; 500 ACEs.
   * conflict: the trustee already holds FullAccess (to change autoMapping, remove then add).
   */
  addMailboxPermission(address: string, trustee: string, options: { readonly autoMapping: boolean }): Promise<void>;
  /** Remove-MailboxPermission -AccessRights FullAccess. notFound: "the ACE doesn't exist on the object". */
  removeMailboxPermission(address: string, trustee: string): Promise<void>;

  /** Add-RecipientPermission -AccessRights SendAs. Same errors as addMailboxPermission. */
  addRecipientPermission(address: string, trustee: string): Promise<void>;
  /** Remove-RecipientPermission -AccessRights SendAs. notFound when absent. */
  removeRecipientPermission(address: string, trustee: string): Promise<void>;

  /**
   * Set-Mailbox -GrantSendOnBehalfTo @{Add=...; Remove=...} (incremental, never
   * the full-list form, which breaks on orphaned entries).
   * notFound: a trustee to remove is not on the list. conflict: one to add already is.
   */
  setSendOnBehalf(address: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<void>;

  // ---------------------------------------------------------------- user writes (Graph)

  /**
   * POST /users/{id}/assignLicense with addLicenses and removeLicenses (SKU part numbers).
   * precondition codes: "CountViolation" (no free seat), "InvalidUsageLocation",
   * "MutuallyExclusiveViolation", "DependencyViolation"; removing the license
   * of a shared mailbox that needs it (over 50 GB, hold, archive) is refused.
   */
  assignLicense(userPrincipalName: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<ObservedUser>;

  /** PATCH /users/{id} {accountEnabled}. precondition: directory-synced user (Request_BadRequest). */
  setAccountEnabled(userPrincipalName: string, enabled: boolean): Promise<ObservedUser>;

  /**
   * PATCH /users/{id} {usageLocation} (ISO 3166 alpha-2). Licensing needs one (R7.1);
   * a new shared mailbox's account has none. Idempotent. precondition: not a valid code.
   */
  setUsageLocation(userPrincipalName: string, usageLocation: string): Promise<ObservedUser>;

  /** Reset the password to a random one nobody knows (the value is never returned). */
  resetPassword(userPrincipalName: string): Promise<void>;

  /**
   * PATCH /users/{id} {userPrincipalName}: the sign-in name, which for a
   * shared mailbox's anchor follows its primary address after a rename.
   * conflict: a live user already has it. precondition: not in an accepted
   * domain; a directory-synced user (R4.4). notFound: no such live user.
   */
  setUserPrincipalName(userPrincipalName: string, newUserPrincipalName: string): Promise<ObservedUser>;

  /**
   * POST /users/{id}/revokeSignInSessions: every refresh token and session
   * cookie of the user stops working, so a sign-in blocked now is not
   * outlived by a session opened before. Recorded as ObservedUser.sessionsRevokedAt.
   * notFound: no such live user.
   */
  revokeSignInSessions(userId: string): Promise<void>;

  /**
   * POST /directory/deletedItems/{id}/restore. Restores the user and its
   * mailbox; the mailbox is re-created over 20-30 minutes (readyAt).
   * notFound: not in the recycle bin (purged after 30 days). conflict: UPN taken by a live user.
   */
  restoreUser(userId: string): Promise<ObservedUser>;
}

/** Every write method of the contract, by name: what logs and crash tests count as a write. */
export const WRITE_OPERATIONS = [
  "createSharedMailbox",
  "setMailboxType",
  "updateMailbox",
  "setPrimaryAddress",
  "removeMailbox",
  "addMailboxPermission",
  "removeMailboxPermission",
  "addRecipientPermission",
  "removeRecipientPermission",
  "setSendOnBehalf",
  "assignLicense",
  "setUsageLocation",
  "setAccountEnabled",
  "resetPassword",
  "setUserPrincipalName",
  "revokeSignInSessions",
  "restoreUser",
] as const satisfies ReadonlyArray<keyof ITenantProvider>;
