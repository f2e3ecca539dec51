/**
 * A leaver's mailbox converted to shared: its account is blocked right after
 * (R1.13, R4.1) and keeps no licence, so any grant the code still gives that
 * account on another mailbox serves no one, and usually means the person's
 * access was forgotten when they left. A warning names those mailboxes.
 */
import type { CanonicalDesiredState } from "../model/normalize.js";
import type { Right } from "../provider/observed.js";
import type { PlanContext } from "./context.js";
import { forEachDeclaredGrant } from "./grants.js";

interface DeclaredGrant {
  readonly mailbox: string;
  readonly right: Right;
}

/** The grants the code declares to `accounts`, by trustee: one pass over the code's grants, keeping only theirs. */
function declaredGrantsTo(desired: CanonicalDesiredState, accounts: ReadonlySet<string>): Map<string, DeclaredGrant[]> {
  const byTrustee = new Map<string, DeclaredGrant[]>();
  const add = (trustee: string, mailbox: string, right: Right) => {
    if (!accounts.has(trustee)) return;
    const list = byTrustee.get(trustee);
    if (list) list.push({ mailbox, right });
    else byTrustee.set(trustee, [{ mailbox, right }]);
  };
  for (const m of desired.sharedMailboxes) forEachDeclaredGrant(m, (right, trustee) => add(trustee, m.address, right));
  return byTrustee;
}

/** `address` (a leaver's mailbox this plan converts, account `upn`) is checked once every mailbox is planned (warnLeaverGrants). */
export function recordLeaver(ctx: PlanContext, address: string, upn: string): void {
  ctx.leavers.push({ address, upn });
}

/**
 * Warn for each recorded leaver whose account is a trustee elsewhere in the
 * code. Done after planning, in one pass over the code's grants for all
 * leavers together: an index of every declared grant by trustee cost more
 * than the rest of a large plan (issue 15).
 */
export function warnLeaverGrants(ctx: PlanContext): void {
  if (ctx.leavers.length === 0) return;
  const byTrustee = declaredGrantsTo(ctx.desired, new Set(ctx.leavers.flatMap((l) => [l.address, l.upn])));
  for (const { address, upn } of ctx.leavers) {
    const accounts = upn === address ? [address] : [address, upn];
    const grants = accounts.flatMap((a) => (byTrustee.get(a) ?? []).map((g) => ({ ...g, trustee: a }))).filter((g) => g.mailbox !== address);
    if (grants.length === 0) continue;
    const mailboxes = [...new Set(grants.map((g) => g.mailbox))];
    const listed = grants.map((g) => `${g.right} on ${g.mailbox}${accounts.length > 1 ? ` (as ${g.trustee})` : ""}`).join(", ");
    ctx.warn(
      "leaver_still_granted",
      address,
      `mailbox "${address}" is converted to shared because its person left, but the code still grants their account ${upn} ${listed}; the account is blocked after the conversion (R1.13, R4.1), so ${mailboxes.length === 1 ? "that grant serves" : "those grants serve"} no one: remove ${upn} from ${mailboxes.join(", ")} in the code, or grant the access to whoever took over the work`,
    );
  }
}
