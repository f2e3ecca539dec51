/**
 * What a set of licenses means for an Exchange mailbox. Shared by the
 * simulated tenant (which enforces it) and the planner (which respects it),
 * so both read the rules the same way. Figures: shared/docs rules R1.4-R1.9.
 */

export const GB = 1024 ** 3;

/** ProhibitSendReceiveQuota of an unlicensed (or Plan 1) shared mailbox: 50 GB (R1.4, R1.9). */
export const UNLICENSED_SHARED_QUOTA = 50 * GB;
/** ProhibitSendReceiveQuota with Exchange Online Plan 2 (alone, E3, E5): 100 GB (R1.5, R1.9). */
export const PLAN2_QUOTA = 100 * GB;

export const SERVICE_PLAN = {
  plan1: "EXCHANGE_S_STANDARD",
  plan2: "EXCHANGE_S_ENTERPRISE",
  archiveAddon: "EXCHANGE_S_ARCHIVE_ADDON",
} as const;

/**
 * SKU part numbers known without the tenant's catalogue to carry only the
 * Exchange Online Archiving add-on (EXCHANGE_S_ARCHIVE_ADDON): "EOA for
 * Exchange Online" (rules table, R1.6). Validation uses it to refuse a mailbox
 * declared with the add-on and no mailbox licence before any tenant is read;
 * with the catalogue, addonWithoutExchangePlan says the same for any SKU.
 */
export const ARCHIVE_ADDON_SKUS: readonly string[] = ["EXCHANGEARCHIVE_ADDON"];

/** What the Exchange service plans of a user's licenses allow. */
export interface ExchangeCapabilities {
  /** Has a mailbox license at all (Plan 1 or Plan 2): may be converted, may open mailboxes. */
  readonly exchange: boolean;
  /** Exchange Online Plan 2: 100 GB primary, holds and archive. */
  readonly plan2: boolean;
  /** Exchange Online Archiving add-on (alone it gives no mailbox). */
  readonly archiveAddon: boolean;
  /** Litigation hold and in-place archive allowed: Plan 2, or Plan 1 + archiving add-on (R1.6). */
  readonly holdAndArchive: boolean;
  /** The primary mailbox quota these licenses give a mailbox (R1.5: P1 + EOA stays at 50 GB). */
  readonly quotaBytes: number;
}

/** Capabilities from a flat list of service plan names. */
export function capabilitiesOf(servicePlans: Iterable<string>): ExchangeCapabilities {
  const plans = new Set(servicePlans);
  const plan2 = plans.has(SERVICE_PLAN.plan2);
  const plan1 = plans.has(SERVICE_PLAN.plan1);
  const archiveAddon = plans.has(SERVICE_PLAN.archiveAddon);
  return {
    exchange: plan1 || plan2,
    plan2,
    archiveAddon,
    holdAndArchive: plan2 || (plan1 && archiveAddon),
    quotaBytes: plan2 ? PLAN2_QUOTA : UNLICENSED_SHARED_QUOTA,
  };
}

/** Capabilities of a user holding `skuPartNumbers`, given the tenant's SKU catalogue. */
export function capabilitiesOfSkus(
  skuPartNumbers: Iterable<string>,
  servicePlansBySku: ReadonlyMap<string, readonly string[]>,
): ExchangeCapabilities {
  const plans: string[] = [];
  for (const sku of skuPartNumbers) plans.push(...(servicePlansBySku.get(sku) ?? []));
  return capabilitiesOf(plans);
}

/**
 * Whether these licences put the Exchange Online Archiving add-on on an account
 * without an Exchange Online plan beside it. Microsoft 365 refuses that
 * assignment (DependencyViolation): the add-on depends on Plan 1 or Plan 2.
 */
export function addonWithoutExchangePlan(caps: ExchangeCapabilities): boolean {
  return caps.archiveAddon && !caps.exchange;
}

/** What a mailbox's content and features require of its license. */
export interface MailboxNeeds {
  readonly sizeBytes: number;
  readonly litigationHold: boolean;
  readonly archive: boolean;
}

/**
 * Why a shared mailbox with `needs` cannot live on `caps`, or null when it can.
 * One plain sentence, used by the tenant's refusal and the planner's error alike.
 */
export function licenseShortfall(needs: MailboxNeeds, caps: ExchangeCapabilities): string | null {
  if (needs.sizeBytes > caps.quotaBytes) {
    return `holds ${formatBytes(needs.sizeBytes)}, over the ${formatBytes(caps.quotaBytes)} its license allows; it needs Exchange Online Plan 2 (100 GB)`;
  }
  if (needs.litigationHold && !caps.holdAndArchive) {
    return "is on litigation hold, which needs Exchange Online Plan 2, or Plan 1 with the Exchange Online Archiving add-on";
  }
  if (needs.archive && !caps.holdAndArchive) {
    return "has an archive, which needs Exchange Online Plan 2, or Plan 1 with the Exchange Online Archiving add-on";
  }
  return null;
}

/** "62 GB", "49.5 GB", "512 MB". */
export function formatBytes(bytes: number): string {
  if (bytes >= GB) return `${trimNumber(bytes / GB)} GB`;
  return `${trimNumber(bytes / 1024 ** 2)} MB`;
}

function trimNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, "");
}
