/* eslint-disable */
/**
 * GENERATED FILE - DO NOT EDIT.
 * Generated from schema/desired-state.schema.json by scripts/gen-types.ts (npm run gen:types).
 * Edit the schema, then regenerate; CI fails when this file is stale.
 */

/**
 * A primary SMTP address or user principal name, compared case-insensitively.
 * 
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "Address".
 */
export type Address = string
/**
 * Exchange alias: at most 64 characters of letters, digits and !#%*+-/=?^_~, periods only between other characters.
 * 
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "Alias".
 */
export type Alias = string
/**
 * A SKU part number such as EXCHANGESTANDARD or EXCHANGEARCHIVE_ADDON.
 * 
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "SkuPartNumber".
 */
export type SkuPartNumber = string
/**
 * ISO 3166 alpha-2 country code, e.g. US, DE.
 * 
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "UsageLocation".
 */
export type UsageLocation = string
/**
 * "none" or a SKU part number such as EXCHANGEENTERPRISE.
 * 
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "License".
 */
export type License = string

/**
 * One tenant stack's desired state: the shared mailboxes exoform manages, their grants, and the shared mailboxes to turn back into user mailboxes. Produced by synth or written by hand; consumed by validate, plan, apply and drift.
 */
export interface DesiredState {
/**
 * Version of this document format. Bumped on any change a consumer must handle.
 */
formatVersion: 1
/**
 * Name of the stack this document was synthesized from; scopes the mailboxes exoform remembers as managed.
 */
stack: string
tenant: Tenant
sharedMailboxes: SharedMailboxSpec[]
userMailboxes: UserMailboxSpec[]
/**
 * Known exceptions that drift detection does not report.
 */
ignore?: IgnoreRule[]
}
/**
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "Tenant".
 */
export interface Tenant {
/**
 * Tenant id or initial domain name.
 */
id: string
/**
 * Accepted domains the tenant owns. Trustees must be in one of them.
 * 
 * @minItems 1
 */
domains: [string, ...(string)[]]
/**
 * Default usage location (ISO 3166 alpha-2) given to a mailbox account that exoform must license and that has none; Microsoft 365 licenses only accounts with one.
 */
usageLocation?: string
/**
 * The mailbox custom attribute where exoform keeps its management tag (mailboxes it may delete). A value there that exoform did not write is an error, never overwritten: pick an attribute the tenant does not use.
 */
managementAttribute?: ("CustomAttribute1" | "CustomAttribute2" | "CustomAttribute3" | "CustomAttribute4" | "CustomAttribute5" | "CustomAttribute6" | "CustomAttribute7" | "CustomAttribute8" | "CustomAttribute9" | "CustomAttribute10" | "CustomAttribute11" | "CustomAttribute12" | "CustomAttribute13" | "CustomAttribute14" | "CustomAttribute15")
}
/**
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "SharedMailboxSpec".
 */
export interface SharedMailboxSpec {
address: Address
/**
 * Primary addresses this mailbox had before a rename: a mailbox whose primary address is one of them today is this mailbox, and gets address as its primary (the old one stays as an extra address).
 */
previousAddresses?: Address[]
displayName: string
alias?: Alias
/**
 * "new": create it. "convert": the address is today a user's mailbox (or a soft-deleted user's) and must become shared.
 */
origin?: ("new" | "convert")
fullAccess?: FullAccessGrant[]
sendAs?: Address[]
sendOnBehalf?: Address[]
/**
 * "authoritative": trustees not listed are revoked. "additive": never revokes.
 */
permissionsMode?: ("authoritative" | "additive")
/**
 * The one SKU the mailbox's account holds, or "none": shorthand for licenses with one item (or none). Give license or licenses, not both.
 */
license?: string
/**
 * Every SKU the mailbox's account holds, e.g. ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"] (Plan 1 with the archiving add-on allows holds and archives, R1.6); [] for none, the default.
 */
licenses?: SkuPartNumber[]
/**
 * Usage location given to the mailbox's account when it must be licensed and has none; overrides tenant.usageLocation.
 */
usageLocation?: string
litigationHold?: boolean
archive?: boolean
/**
 * "retain": taking the mailbox out of the code never deletes it. "delete": explicit opt-in to deletion once it leaves the code.
 */
removalPolicy?: ("retain" | "delete")
signIn?: SignIn
/**
 * Hide the mailbox from the address lists (Set-Mailbox -HiddenFromAddressListsEnabled).
 */
hiddenFromAddressLists?: boolean
/**
 * Extra SMTP addresses the mailbox receives mail at (proxy addresses), in the tenant's domains; the primary is address.
 */
emailAddresses?: Address[]
/**
 * Keep a copy of mail sent as the mailbox in its Sent Items (Set-Mailbox -MessageCopyForSentAsEnabled).
 */
messageCopyForSentAs?: boolean
/**
 * Keep a copy of mail sent on behalf of the mailbox in its Sent Items (Set-Mailbox -MessageCopyForSendOnBehalfEnabled).
 */
messageCopyForSendOnBehalf?: boolean
}
/**
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "FullAccessGrant".
 */
export interface FullAccessGrant {
trustee: Address
/**
 * Outlook opens the mailbox automatically for the trustee.
 */
autoMapping?: boolean
}
/**
 * Whether people may sign in to the mailbox's account: blocked unless declared otherwise (R4.1). An exception says why, e.g. { "allowed": true, "reason": "the scanner sends as this mailbox" }.
 * 
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "SignIn".
 */
export interface SignIn {
/**
 * true: sign-in stays enabled (an exception); false: blocked, the default.
 */
allowed: boolean
/**
 * Why the account must sign in; required when allowed is true.
 */
reason?: string
}
/**
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "UserMailboxSpec".
 */
export interface UserMailboxSpec {
address: Address
/**
 * The SKU part number the person's mailbox gets back.
 */
license: string
}
/**
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "IgnoreRule".
 */
export interface IgnoreRule {
/**
 * Mailbox address, or * for every mailbox.
 */
mailbox: string
/**
 * Field to ignore (e.g. fullAccess, sendAs, sendOnBehalf, accountEnabled, license, type); omitted: every field.
 */
field?: string
reason?: string
}
