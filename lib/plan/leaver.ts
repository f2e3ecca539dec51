/**
 * A leaver's mailbox converted to shared: its account is blocked right after
 * (R1.13, R4.1) and keeps no licence, so any grant the code still gives that
 * account on another mailbox serves no one, and usually means the person's
 * access was forgotten when they left. A warning names those mailboxes.
 */
import type { CanonicalDesiredState } from "../model/normalize.js";
import type { Right } from "../provider/observed.js";
import type { PlanContext } from "./context.js";

export interface DeclaredGrant {
  readonly mailbox: string;
  readonly right: Right;
}

/** Every grant the code declares, by trustee: built once per plan, and only when a conversion asks. */
export function declaredGrantsByTrustee(desired: CanonicalDesiredState): ReadonlyMap<string, readonly DeclaredGrant[]> {
  const byTrustee = new Map<string, DeclaredGrant[]>();
  const add = (trustee: string, grant: DeclaredGrant) => {
    const list = byTrustee.get(trustee);
    if (list) list.push(grant);
    else byTrustee.set(trustee, [grant]);
  };
  for (const m of desired.sharedMailboxes) {
    for (const g of m.fullAccess) add(g.trustee, { mailbox: m.address, right: "FullAccess" });
    for (const t of m.sendAs) add(t, { mailbox: m.address, right: "SendAs" });
    for (const t of m.sendOnBehalf) add(t, { mailbox: m.address, right: "SendOnBehalf" });
  }
  return byTrustee;
}

/** Warn when the account of `address` (a leaver's mailbox this plan converts) is a trustee elsewhere in the code. */
export function warnLeaverGrants(ctx: PlanContext, address: string, upn: string): void {
  const accounts = upn === address ? [address] : [address, upn];
  const grants = accounts.flatMap((a) => (ctx.declaredGrantsByTrustee().get(a) ?? []).map((g) => ({ ...g, trustee: a }))).filter((g) => g.mailbox !== address);
  if (grants.length === 0) return;
  const mailboxes = [...new Set(grants.map((g) => g.mailbox))];
  const listed = grants.map((g) => `${g.right} on ${g.mailbox}${accounts.length > 1 ? ` (as ${g.trustee})` : ""}`).join(", ");
  ctx.warn(
    "leaver_still_granted",
    address,
    `mailbox "${address}" is converted to shared because its person left, but the code still grants their account ${upn} ${listed}; the account is blocked after the conversion (R1.13, R4.1), so ${mailboxes.length === 1 ? "that grant serves" : "those grants serve"} no one: remove ${upn} from ${mailboxes.join(", ")} in the code, or grant the access to whoever took over the work`,
  );
}
