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
}
/**
 * This interface was referenced by `DesiredState`'s JSON-Schema
 * via the `definition` "SharedMailboxSpec".
 */
export interface SharedMailboxSpec {
address: Address
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
 * "none" or a SKU part number such as EXCHANGEENTERPRISE.
 */
license?: string
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
