/**
 * Licence steps of a plan (R1.2-R1.6, R2.4, R7.1, R7.2): which SKUs to assign
 * before a mailbox changes, which to remove after, the temporary seat a
 * conversion needs, and the errors that stop a plan from leaving a mailbox
 * without the licence its content or holds require.
 */
import { addonWithoutExchangePlan, licenseShortfall, type MailboxNeeds } from "../model/licensing.js";
import { compareLicenses } from "../compare/mailbox.js";
import { compareStrings } from "../private/canonical-json.js";
import type { PlanContext } from "./context.js";

/** Temporary conversion seats are taken from these SKUs first, then from any other Exchange SKU by name. */
export const TEMPORARY_SKU_PREFERENCE: readonly string[] = ["EXCHANGESTANDARD", "EXCHANGEENTERPRISE"];

/** The tenant's SKUs that carry an Exchange mailbox plan, in temporary-seat preference order. */
export function exchangeSkusByPreference(ctx: PlanContext): string[] {
  const rank = (sku: string) => {
    const i = TEMPORARY_SKU_PREFERENCE.indexOf(sku);
    return i === -1 ? TEMPORARY_SKU_PREFERENCE.length : i;
  };
  return [...ctx.ix.skus.keys()]
    .filter((sku) => ctx.capabilities([sku]).exchange)
    .sort((a, b) => rank(a) - rank(b) || compareStrings(a, b));
}

/** The tenant's SKU part numbers, for messages. */
export function skuList(ctx: PlanContext): string {
  return [...ctx.ix.skus.keys()].sort(compareStrings).join(", ") || "none";
}

/** The declaration as the code reads: license "none", license "X", or licenses "A", "B". */
export function declaredText(licenses: readonly string[]): string {
  if (licenses.length <= 1) return `license "${licenses[0] ?? "none"}"`;
  return `licenses ${licenses.map((l) => `"${l}"`).join(", ")}`;
}

/** Whether every declared SKU is one of the tenant's; one error naming the unknown ones and the tenant's if not. */
export function checkSkuExists(ctx: PlanContext, address: string, licenses: readonly string[]): boolean {
  const unknown = licenses.filter((sku) => !ctx.ix.skus.has(sku));
  if (unknown.length === 0) return true;
  ctx.error(
    "license_not_in_tenant",
    address,
    `mailbox "${address}" declares ${declaredText(unknown)}, which the tenant does not subscribe to; use one of its SKUs (${skuList(ctx)}) or "none"`,
  );
  return false;
}

/**
 * A mailbox's declared licences are the only ones its account keeps, so they
 * must stand together: the archiving add-on needs an Exchange Online plan
 * beside it, and the tenant refuses it alone (DependencyViolation). An error
 * naming the SKUs that would do if not.
 */
export function checkLicenseStandsAlone(ctx: PlanContext, address: string, licenses: readonly string[]): boolean {
  if (!addonWithoutExchangePlan(ctx.capabilities(licenses))) return true;
  const rank = (sku: string) => (sku === "EXCHANGEENTERPRISE" ? 0 : ctx.capabilities([sku]).holdAndArchive ? 1 : 2);
  const fits = [...ctx.ix.skus.keys()].filter((sku) => ctx.capabilities([sku]).exchange).sort((a, b) => rank(a) - rank(b) || compareStrings(a, b));
  const fix = fits.length > 0
    ? `set license: "${fits[0]}"${fits.length > 1 ? ` (or one of ${fits.slice(1).join(", ")})` : ""}, or add it to licenses, a licence that carries an Exchange Online plan${ctx.capabilities([fits[0]!]).holdAndArchive ? " and allows an archive" : ""}`
    : `the tenant has no SKU with an Exchange Online plan (${skuList(ctx)}); buy Exchange Online Plan 1 or Plan 2`;
  ctx.error(
    "license_needs_exchange_plan",
    address,
    `mailbox "${address}" declares ${declaredText(licenses)}: the archiving add-on needs an Exchange Online plan (Plan 1 or Plan 2) on the same account, and without one Microsoft 365 refuses it (DependencyViolation); ${fix}`,
  );
  return false;
}

export interface LicenseInput {
  /** The mailbox, for messages. */
  readonly address: string;
  /** The anchor account's UPN: the target of licence actions. */
  readonly upn: string;
  /** SKUs the anchor holds when the licence steps start (after a restore: none, R2.4). */
  readonly current: readonly string[];
  /** The declared SKUs (lib/compare desiredLicenses); [] for none. */
  readonly desired: readonly string[];
  /** What the mailbox will need once converged (size, hold, archive). */
  readonly needs: MailboxNeeds;
  /** A conversion to shared follows: the anchor must hold an Exchange licence first (R1.2). */
  readonly conversion: boolean;
  /** The account's usage location; null or undefined (a new anchor): none, so it cannot be licensed as it is (R7.1). */
  readonly usageLocation: string | null | undefined;
  /** The usage location the code declares for accounts without one (the mailbox's, else the tenant's). */
  readonly declaredUsageLocation: string | undefined;
  /** Actions every assignment waits for (a restore, a create). */
  readonly after: readonly string[];
}

export interface LicenseSteps {
  readonly ok: boolean;
  /** Ids of the assignments: conversions, hold changes and removals wait for them. */
  readonly assigns: readonly string[];
  /** SKUs to remove once the mailbox no longer needs them (after conversion and settings). */
  readonly removals: ReadonlyArray<{ readonly sku: string; readonly temporary: boolean }>;
}

/**
 * Plan the assignments a mailbox needs and work out the removals that follow.
 * Assign before remove, always: a mailbox on hold is never unlicensed, not even
 * for a moment between two calls.
 */
export function planLicenseAssignments(ctx: PlanContext, input: LicenseInput): LicenseSteps {
  const { address, upn, desired } = input;
  if (!checkDeclaredLicense(ctx, address, desired, input.needs)) return { ok: false, assigns: [], removals: [] };
  const { expected: final, missing, extra } = compareLicenses({ licenses: desired }, input.current);
  // The archiving add-on needs an Exchange plan on the account when it is assigned (DependencyViolation):
  // with none held yet, the plan's Exchange assignments go first; with one held, the add-on goes first, so
  // a hold or archive that relies on it is never left short while a plan is replaced (R1.6, R7.2).
  const addonFirst = ctx.capabilities(input.current).exchange;
  const first = (sku: string) => isAddon(ctx, sku) === addonFirst;
  const toAssign: Array<{ sku: string; temporary: boolean }> = [...missing]
    .sort((a, b) => Number(first(b)) - Number(first(a)))
    .map((sku) => ({ sku, temporary: false }));
  if (input.conversion && !ctx.capabilities([...input.current, ...final]).exchange) {
    // A seat free now first; only then one an earlier removal in this plan frees (which serialises the two).
    const candidates = exchangeSkusByPreference(ctx);
    const temp = candidates.find((sku) => ctx.seats.free(sku) > 0) ?? candidates.find((sku) => ctx.seats.available(sku));
    if (temp === undefined) {
      const skus = candidates;
      ctx.error(
        "no_seat_for_conversion",
        address,
        `mailbox "${address}" must hold an Exchange Online license to be converted to shared, and no Exchange SKU has a free seat (${skus.map((s) => ctx.seats.describe(s)).join("; ") || "the tenant has no Exchange SKU"}); free or buy a seat, then plan again`,
      );
      return { ok: false, assigns: [], removals: [] };
    }
    toAssign.push({ sku: temp, temporary: true });
  }

  let ok = true;
  // An account without a usage location cannot be licensed (R7.1): the assignment sets the declared one first.
  const setUsageLocation = input.usageLocation == null ? input.declaredUsageLocation : undefined;
  if (toAssign.length > 0 && input.usageLocation == null && setUsageLocation === undefined) {
    ctx.error(
      "usage_location_missing",
      address,
      `mailbox "${address}" needs a license (${toAssign.map((a) => a.sku).join(", ")}) but its account ${upn} has no usage location, which Microsoft 365 requires before licensing; declare one (usageLocation: "US" on the mailbox, or on the TenantStack for every mailbox) or set it on the account (Update-MgUser -UserId ${upn} -UsageLocation US), and plan again`,
    );
    ok = false;
  }
  const finalSet = new Set(final);
  const replaced = new Set<string>();
  const assigns: string[] = [];
  const firstAssigns: string[] = [];
  for (const { sku, temporary } of toAssign) {
    // A held SKU that cannot coexist with the new one leaves in the same call (R7.2).
    const replaces = temporary ? [] : input.current.filter((held) => !finalSet.has(held) && mutuallyExclusive(ctx, held, sku));
    const freedBy = ctx.seats.take(sku);
    if (freedBy === null) {
      ctx.error(
        "no_free_seat",
        address,
        `mailbox "${address}" needs a ${sku} license and ${sku} has no free seat: ${ctx.seats.describe(sku)}; free or buy a seat, or declare another license, then plan again`,
      );
      ok = false;
      continue;
    }
    const id = ctx.add({
      type: "user.assignLicense",
      target: upn,
      params: {
        sku,
        ...(temporary ? { temporary: true } : {}),
        ...(replaces.length > 0 ? { replaces } : {}),
        ...(setUsageLocation !== undefined ? { usageLocation: setUsageLocation } : {}),
      },
      dependsOn: [...input.after, ...freedBy, ...(temporary || first(sku) ? [] : firstAssigns)],
      reason: temporary ? "license_required_for_conversion" : replaces.length > 0 ? "declared_license_replaces" : "declared_license_missing",
      description: temporary
        ? `Assign a temporary ${sku} license to ${upn}: a mailbox must be licensed to be converted to shared (R1.2); it is removed again after the conversion`
        : replaces.length > 0
          ? `Replace ${replaces.join(", ")} with ${sku} on ${upn} in one call, the license the code declares for ${address}: Exchange Online Plan 1 and Plan 2 cannot be held together (R7.2), and one call never leaves the mailbox unlicensed`
          : `Assign ${sku} to ${upn}, ${final.length > 1 ? "one of the licenses" : "the license"} the code declares for ${address}${isAddon(ctx, sku) && !addonFirst ? ", after the Exchange Online plan it depends on" : ""}${setUsageLocation !== undefined ? `, after giving the account usage location ${setUsageLocation} (R7.1)` : ""}`,
      fingerprint: [`user:${upn}`, `sku:${sku}`, ...replaces.map((r) => `sku:${r}`)],
    });
    assigns.push(id);
    if (!temporary && first(sku)) firstAssigns.push(id);
    for (const r of replaces) {
      replaced.add(r);
      ctx.seats.release(r, id);
    }
  }
  const removals = [
    ...extra.filter((s) => !replaced.has(s)).map((sku) => ({ sku, temporary: false })),
    ...toAssign.filter((a) => a.temporary),
  ];
  return { ok, assigns, removals };
}

/** An add-on only (the archiving add-on): it depends on an Exchange Online plan on the same account. */
function isAddon(ctx: PlanContext, sku: string): boolean {
  return addonWithoutExchangePlan(ctx.capabilities([sku]));
}

/** Remove the licences `steps` found unneeded, once `after` (conversion, settings, assignments) is done. */
export function planLicenseRemovals(
  ctx: PlanContext,
  input: { readonly address: string; readonly upn: string; readonly desired: readonly string[] },
  steps: LicenseSteps,
  after: readonly string[],
): void {
  // add-ons leave first: an Exchange plan removed before them would leave them alone (DependencyViolation)
  const addonRemovals: string[] = [];
  const ordered = [...steps.removals].sort((a, b) => Number(isAddon(ctx, b.sku)) - Number(isAddon(ctx, a.sku)));
  for (const { sku, temporary } of ordered) {
    const id = ctx.add({
      type: "user.removeLicense",
      target: input.upn,
      params: temporary ? { sku, temporary: true } : { sku },
      dependsOn: [...after, ...steps.assigns, ...(isAddon(ctx, sku) ? [] : addonRemovals)],
      reason: temporary ? "temporary_license_removed" : "license_not_declared",
      description: temporary
        ? `Remove the temporary ${sku} license from ${input.upn} now that ${input.address} is shared; the seat returns to the pool`
        : `Remove ${sku} from ${input.upn}: the code declares ${declaredText(input.desired)} for ${input.address}`,
      // the tenant refuses a removal that would leave the shared mailbox short of what its size or holds need
      // (R1.4-R1.6): the mailbox is recorded too, so a mailbox that grew after planning makes the plan stale.
      // Only when it is the account's own address: the removal changes the mailbox (its quota), and on resume
      // apply excuses only keys named by an action's target (docs/decisions/0004, 0005)
      fingerprint: input.upn === input.address ? [`user:${input.upn}`, `sku:${sku}`, `mailbox:${input.address}`] : [`user:${input.upn}`, `sku:${sku}`],
    });
    ctx.seats.release(sku, id);
    if (isAddon(ctx, sku)) addonRemovals.push(id);
  }
}

/** Whether holding both SKUs would put Exchange Online Plan 1 and Plan 2 on one user (MutuallyExclusiveViolation, R7.2). */
export function mutuallyExclusive(ctx: PlanContext, a: string, b: string): boolean {
  const ca = ctx.capabilities([a]);
  const cb = ctx.capabilities([b]);
  return ca.exchange && cb.exchange && ca.plan2 !== cb.plan2;
}

/** The declared licences are the tenant's, stand together, and cover what the mailbox will need; errors saying why not. */
export function checkDeclaredLicense(ctx: PlanContext, address: string, licenses: readonly string[], needs: MailboxNeeds): boolean {
  return checkSkuExists(ctx, address, licenses) && checkLicenseStandsAlone(ctx, address, licenses) && checkFinalLicense(ctx, address, licenses, needs);
}

/** The declared licences must cover what the mailbox needs (R1.4-R1.6); an error spelling out the fix if not. */
function checkFinalLicense(ctx: PlanContext, address: string, desired: readonly string[], needs: MailboxNeeds): boolean {
  const shortfall = licenseShortfall(needs, ctx.capabilities(desired));
  if (shortfall === null) return true;
  const fits = [...ctx.ix.skus.keys()]
    .filter((sku) => licenseShortfall(needs, ctx.capabilities([sku])) === null)
    .sort((a, b) => compareStrings(a, b));
  const preferred = fits.includes("EXCHANGEENTERPRISE") ? "EXCHANGEENTERPRISE" : fits[0];
  const others = fits.filter((s) => s !== preferred);
  const alternatives: string[] = [];
  if (needs.litigationHold) alternatives.push("turn litigationHold off");
  if (needs.archive) alternatives.push("turn archive off");
  if (needs.sizeBytes > 50 * 1024 ** 3) alternatives.push("reduce the mailbox below 50 GB");
  const fix = preferred
    ? `set license: "${preferred}" on ${address}${others.length ? ` (or one of ${others.join(", ")})` : ""}${alternatives.length ? `, or ${alternatives.join(" and ")}` : ""}`
    : `the tenant has no SKU that allows it (${skuList(ctx)}); buy Exchange Online Plan 2${alternatives.length ? `, or ${alternatives.join(" and ")}` : ""}`;
  const what = desired.length === 0 ? `declares license "none"` : `declares ${declaredText(desired)}, which ${desired.length > 1 ? "do" : "does"} not allow that`;
  ctx.error("license_insufficient", address, `mailbox "${address}" ${shortfall}, but the code ${what}; ${fix}`);
  return false;
}
