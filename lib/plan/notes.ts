/**
 * Notes (diagnostics of severity "info"): what a plan means beyond its
 * actions, for the reviewer. They change nothing and never fail a plan.
 *
 * The tenant remembers only what exoform must act on: the management tag of
 * a removalPolicy "delete" mailbox (lib/model/management-tag.ts). A retained
 * mailbox carries no tag, and no mailbox records its permissionsMode, so
 * "this mailbox left the code" and "its permissionsMode changed" can only be
 * known against the code as it was: `PlanOptions.previous`, the desired state
 * the tenant was last applied from (e.g. the base branch's synth in a pull
 * request). Without it, only what the tenant itself shows is noted: a mailbox
 * this stack tagged for deletion that it must nevertheless keep.
 */
import { compareGrants } from "../compare/grants.js";
import { grantsOn } from "../compare/observed-index.js";
import { DEFAULT_MANAGEMENT_ATTRIBUTE, parseManagementTag } from "../model/management-tag.js";
import type { CanonicalDesiredState, CanonicalSharedMailbox } from "../model/normalize.js";
import { compareStrings } from "../private/canonical-json.js";
import type { ObservedMailbox } from "../provider/observed.js";
import type { PlanContext } from "./context.js";
import { isDeletable } from "./deletion.js";

const KEPT = "no longer managed by this stack; kept, as removalPolicy retain";

export function planNotes(
  ctx: PlanContext,
  undeclared: readonly ObservedMailbox[],
  inScope: (address: string) => boolean,
  previous: CanonicalDesiredState | undefined,
): void {
  const before = new Map<string, { readonly removalPolicy: "retain" | "delete"; readonly kind: "shared" | "user" }>();
  for (const m of previous?.sharedMailboxes ?? []) before.set(m.address, { removalPolicy: m.removalPolicy, kind: "shared" });
  for (const m of previous?.userMailboxes ?? []) before.set(m.address, { removalPolicy: "retain", kind: "user" });
  for (const m of undeclared) {
    if (!inScope(m.address) || isDeletable(ctx, m)) continue;
    const was = before.get(m.address);
    const tagged = parseManagementTag(m.managementTag)?.stack === ctx.desired.stack;
    if (tagged) noteTaggedKept(ctx, m);
    else if (was !== undefined) noteLeftCode(ctx, m, was.removalPolicy, was.kind);
  }
  if (previous === undefined) return;
  const modes = new Map(previous.sharedMailboxes.map((m) => [m.address, m.permissionsMode]));
  for (const spec of ctx.desired.sharedMailboxes) {
    const was = modes.get(spec.address);
    if (was !== undefined && was !== spec.permissionsMode && inScope(spec.address)) notePermissionsMode(ctx, spec);
  }
}

/** Tagged for deletion by this stack, yet not deletable: a shared mailbox that became a user mailbox (exoform deletes only shared ones). */
function noteTaggedKept(ctx: PlanContext, m: ObservedMailbox): void {
  ctx.note(
    "left_code_kept",
    m.address,
    `mailbox "${m.address}" is ${KEPT}: it carries this stack's deletion tag, but it is a user mailbox now and exoform deletes only shared mailboxes, so a person's mail is never deleted; clear the tag (Set-Mailbox -Identity ${m.address} -${attributeOf(ctx)} $null) or convert it back to shared and plan again`,
  );
}

/** The custom attribute holding the tag in this tenant (tenant.managementAttribute). */
function attributeOf(ctx: PlanContext): string {
  return ctx.desired.tenant.managementAttribute ?? DEFAULT_MANAGEMENT_ATTRIBUTE;
}

function noteLeftCode(ctx: PlanContext, m: ObservedMailbox, removalPolicy: "retain" | "delete", kind: "shared" | "user"): void {
  const why =
    removalPolicy === "delete"
      ? `: it was declared with removalPolicy "delete", but it does not carry this stack's deletion tag (${m.managementTag ?? `${attributeOf(ctx)} is empty`}), so exoform does not delete it`
      : kind === "user"
        ? ": it was a person's mailbox given back (userMailboxes), and leaving the code never deletes one"
        : "";
  ctx.note(
    "left_code_kept",
    m.address,
    `mailbox "${m.address}" is ${KEPT}${why}; exoform leaves it, its licences and its grants as they are; declare it again to manage it, or delete it by hand if it is no longer needed`,
  );
}

/** permissionsMode changed since the previous code: what the new mode means for this mailbox's grants. */
function notePermissionsMode(ctx: PlanContext, spec: CanonicalSharedMailbox): void {
  const grants = compareGrants(spec, grantsOn(ctx.ix, spec.address));
  const extra = grants.rights.flatMap((r) => r.extra.map((t) => `${t} (${r.right})`)).sort(compareStrings);
  const listed = extra.length > 0 ? `: ${extra.join(", ")}` : "";
  const message =
    spec.permissionsMode === "additive"
      ? `permissionsMode of "${spec.address}" is now additive: nothing will be revoked; ${extra.length} grant${extra.length === 1 ? "" : "s"} the code does not list ${extra.length === 1 ? "is" : "are"} kept${listed}`
      : `permissionsMode of "${spec.address}" is now authoritative: grants the code does not list are revoked, ${extra.length} in this plan${listed}`;
  ctx.note("permissions_mode_changed", spec.address, message);
}
