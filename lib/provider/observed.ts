/**
 * The observed state of a tenant: what a provider's bulk reads return, in the
 * shape the planner, apply and drift consume. Plain data, JSON-serialisable,
 * no methods: a snapshot of one moment on the tenant's clock.
 *
 * Conventions
 * - Addresses and user principal names are lower-case (providers normalise).
 * - Sizes are bytes. Times are ISO-8601 UTC strings from the tenant's clock.
 * - Lists are sorted by their natural key (address, UPN, then right/trustee),
 *   so two reads of an unchanged tenant are deep-equal.
 */

/** The tenant itself: identity, accepted domains, whether it is hybrid (directory-synced). */
export interface ObservedTenantInfo {
  readonly id: string;
  readonly domains: readonly string[];
  readonly hybrid: boolean;
}

/** One subscribed SKU, as Graph's /subscribedSkus reports it. */
export interface ObservedSku {
  /** e.g. "EXCHANGEENTERPRISE". */
  readonly skuPartNumber: string;
  /** Graph's skuId GUID. */
  readonly skuId: string;
  /** prepaidUnits.enabled. */
  readonly prepaidUnits: number;
  /** consumedUnits: seats assigned. Free seats = prepaidUnits - consumedUnits. */
  readonly consumedUnits: number;
  /** Service plan names, e.g. ["EXCHANGE_S_ENTERPRISE"]. */
  readonly servicePlans: readonly string[];
}

/** An Entra ID user (a person, or the anchor account of a shared mailbox). */
export interface ObservedUser {
  /** Immutable object id. Several soft-deleted users may share a UPN; ids never repeat. */
  readonly id: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly accountEnabled: boolean;
  /** ISO 3166 alpha-2, or null when unset (then the user cannot be licensed). */
  readonly usageLocation: string | null;
  /** Assigned SKUs by part number, sorted. */
  readonly licenses: readonly string[];
  /** onPremisesSyncEnabled: mastered on premises (hybrid); cloud writes to type and accountEnabled fail. */
  readonly onPremisesSyncEnabled: boolean;
  /** Set when the user is soft-deleted (in the recycle bin); null for live users. */
  readonly deletedAt: string | null;
  /**
   * signInSessionsValidFromDateTime: when the user's sessions were last
   * revoked (revokeSignInSessions). Absent or null: never (optional so older
   * observed states keep their meaning).
   */
  readonly sessionsRevokedAt?: string | null;
}

export type MailboxType = "user" | "shared";

/** An Exchange mailbox, as Get-Mailbox (+ statistics) reports it. */
export interface ObservedMailbox {
  /** Primary SMTP address, lower-case. */
  readonly address: string;
  readonly displayName: string;
  readonly alias: string;
  /** RecipientTypeDetails: UserMailbox -> "user", SharedMailbox -> "shared". */
  readonly type: MailboxType;
  /** Object id of the anchor user (ExternalDirectoryObjectId). */
  readonly userId: string;
  /** TotalItemSize in bytes. */
  readonly sizeBytes: number;
  /** ProhibitSendReceiveQuota in bytes: follows the license (50 GB unlicensed shared, 100 GB Plan 2). */
  readonly quotaBytes: number;
  readonly litigationHold: boolean;
  readonly archive: boolean;
  /**
   * When the mailbox can take grants and conversions: set after creation (a few
   * minutes) and after a restore (20-30 minutes). Null once known ready.
   */
  readonly readyAt: string | null;
  /** Set when the mailbox is soft-deleted together with its user; null otherwise. */
  readonly deletedAt: string | null;
  /**
   * CustomAttribute15, where exoform records what it must remember about a
   * mailbox it manages (see lib/model/management-tag.ts). Null when unset.
   */
  readonly managementTag: string | null;
  // The settings below are optional so observed states built before they
  // existed (test builders, saved observations) keep their meaning: absent is
  // the service's default, given after each. Providers always report them.
  /** HiddenFromAddressListsEnabled. Absent: false. */
  readonly hiddenFromAddressLists?: boolean;
  /**
   * The extra SMTP addresses (EmailAddresses "smtp:" entries, not the primary
   * "SMTP:" one), lower-case, sorted. Absent: none.
   */
  readonly emailAddresses?: readonly string[];
  /** MessageCopyForSentAsEnabled. Absent: false. */
  readonly messageCopyForSentAs?: boolean;
  /** MessageCopyForSendOnBehalfEnabled. Absent: false. */
  readonly messageCopyForSendOnBehalf?: boolean;
}

/** The mailbox settings exoform manages beyond its identity, with the service's defaults filled in. */
export interface MailboxSettings {
  readonly hiddenFromAddressLists: boolean;
  readonly emailAddresses: readonly string[];
  readonly messageCopyForSentAs: boolean;
  readonly messageCopyForSendOnBehalf: boolean;
}

/** The settings of `m`, absent ones read as the service's defaults (see ObservedMailbox). */
export function mailboxSettings(m: ObservedMailbox): MailboxSettings {
  return {
    hiddenFromAddressLists: m.hiddenFromAddressLists ?? false,
    emailAddresses: m.emailAddresses ?? [],
    messageCopyForSentAs: m.messageCopyForSentAs ?? false,
    messageCopyForSendOnBehalf: m.messageCopyForSendOnBehalf ?? false,
  };
}

export type Right = "FullAccess" | "SendAs" | "SendOnBehalf";

/**
 * One direct grant on a mailbox. Providers filter out the service's own
 * bookkeeping entries (NT AUTHORITY\SELF, inherited and deny ACEs).
 */
export interface ObservedGrant {
  readonly mailbox: string;
  readonly right: Right;
  /** Trustee UPN, lower-case. */
  readonly trustee: string;
  /** FullAccess only: whether Outlook automaps the mailbox for the trustee. */
  readonly autoMapping?: boolean;
}

/**
 * A mail-enabled security group: a trustee of FullAccess, SendAs and
 * SendOnBehalf grants, named by its address (R3.9 recommends one over many
 * FullAccess entries). exoform reads groups, never changes them.
 */
export interface ObservedGroup {
  /** Immutable object id. */
  readonly id: string;
  /** Its primary SMTP address (Graph `mail`), lower-case: how grants and the desired state name it. */
  readonly address: string;
  readonly displayName: string;
  /** The UPNs of its direct user members, lower-case, sorted. */
  readonly members: readonly string[];
}

/** Everything a plan needs, read in one bulk call per kind of object. */
export interface ObservedState {
  readonly tenant: ObservedTenantInfo;
  /** The tenant clock at the time of the read (ISO-8601). The planner's only notion of "now". */
  readonly observedAt: string;
  readonly skus: readonly ObservedSku[];
  readonly users: readonly ObservedUser[];
  readonly mailboxes: readonly ObservedMailbox[];
  readonly grants: readonly ObservedGrant[];
  /**
   * Mail-enabled security groups, sorted by address. Absent when the provider
   * does not read groups (and in observations made before they existed): no group is known.
   */
  readonly groups?: readonly ObservedGroup[];
}
