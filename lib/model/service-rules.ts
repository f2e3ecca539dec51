/**
 * The service's time windows and limits (shared/docs/exchange-online-rules.md),
 * stated once, so that the simulated tenant that enforces them and the planner,
 * drift and export that respect them cannot disagree. Licensing figures are in
 * licensing.ts.
 */

export const DAY_MS = 86_400_000;

/** Soft-deleted users and their mailboxes are restorable for 30 days and purged after (R2.3, R7.3). */
export const RECYCLE_BIN_DAYS = 30;

/** An unlicensed user mailbox is disconnected after 30 days (R1.12, R2.6). */
export const UNLICENSED_GRACE_DAYS = 30;

/** At most 500 FullAccess entries on one mailbox (R3.9). */
export const MAX_FULL_ACCESS_ENTRIES = 500;

/** About 25 concurrent users of one shared mailbox are supported; more cause connection failures (R3.9). */
export const SUPPORTED_CONCURRENT_USERS = 25;
