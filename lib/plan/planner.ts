/**
 * plan(desired, observed, options): the pure heart of exoform. Reads no
 * clock (its only time is observed.observedAt), does no I/O and draws no
 * random numbers: the same inputs always give a byte-identical document.
 *
 * Mailboxes are planned in address order (the seat pool is drawn down in that
 * order), actions are then put in dependency order, and a plan with any error
 * carries no actions at all: every error is reported, none is half-applied.
 */
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { groupAutoMappingWarnings } from "../model/group-trustees.js";
import type { CanonicalDesiredState } from "../model/normalize.js";
import { compareStrings } from "../private/canonical-json.js";
import type { ObservedState } from "../provider/observed.js";
import { PlanContext } from "./context.js";
import { isDeletable, planDeletion } from "./deletion.js";
import { draftDocument, type DraftPlan } from "./document.js";
import { topologicalOrder } from "./graph.js";
import { warnLeaverGrants } from "./leaver.js";
import { planNotes } from "./notes.js";
import { recordRename } from "./rename.js";
import { planSharedMailbox } from "./shared-mailbox.js";
import type { PlanDocument, PlanOptions } from "./types.js";
import { planUserMailbox } from "./user-mailbox.js";

export function plan(desired: CanonicalDesiredState, observed: ObservedState, options: PlanOptions = {}): PlanDocument {
  return planDraft(desired, observed, options).seal();
}

/**
 * The plan as a draft: its view (what text and markdown show) now, its
 * digests and fingerprints only when `seal()` is called (for --out, JSON
 * output and apply: lib/plan/document.ts).
 */
export function planDraft(desired: CanonicalDesiredState, observed: ObservedState, options: PlanOptions = {}): DraftPlan {
  const ctx = new PlanContext(desired, observed);
  const targets = options.targets !== undefined ? [...new Set(options.targets.map((t) => t.toLowerCase()))].sort(compareStrings) : undefined;
  const inScope = targets !== undefined ? ((set: Set<string>) => (a: string) => set.has(a))(new Set(targets)) : () => true;

  // Declared mailboxes, shared and user alike, in one address order (seats are taken in this order).
  type Item = { readonly address: string; readonly run: () => void };
  const items: Item[] = [];
  const declared = new Set<string>();
  for (const spec of desired.sharedMailboxes) {
    declared.add(spec.address);
    // a mailbox the code renames is declared under its new address: never deleted (or noted as left) under its old one
    for (const previous of spec.previousAddresses) declared.add(previous);
    recordRename(ctx, spec);
    if (inScope(spec.address)) items.push({ address: spec.address, run: () => planSharedMailbox(ctx, spec) });
  }
  for (const spec of desired.userMailboxes) {
    declared.add(spec.address);
    if (inScope(spec.address)) items.push({ address: spec.address, run: () => planUserMailbox(ctx, spec) });
  }
  for (const m of observed.mailboxes) {
    if (!declared.has(m.address) && inScope(m.address) && isDeletable(ctx, m)) {
      items.push({ address: m.address, run: () => planDeletion(ctx, m) });
      // its account goes with it: grants anywhere in this plan must not name it (grants.ts)
      const anchor = ctx.ix.usersById.get(m.userId);
      if (anchor !== undefined && !m.litigationHold) ctx.deletedByPlan.set(anchor.userPrincipalName, m.address);
    }
  }
  items.sort((a, b) => compareStrings(a.address, b.address));
  for (const item of items) item.run();
  warnLeaverGrants(ctx);
  planNotes(ctx, declared, inScope, options.previous);
  // automapping never works through a group: the one thing about group trustees validation cannot see
  ctx.diagnostics.push(...groupAutoMappingWarnings(desired, new Set(ctx.ix.groups.keys())).filter((d) => inScope(d.target)));

  if (targets !== undefined) {
    for (const t of targets) {
      if (!declared.has(t) && !ctx.ix.mailboxes.has(t)) {
        ctx.error("unknown_target", t, `--target "${t}" is neither declared in the code nor a mailbox in the tenant; check the address`);
      }
    }
  }

  const failed = hasErrors(ctx.diagnostics);
  const actions = failed ? [] : topologicalOrder(ctx.actions);
  return draftDocument({
    desired,
    ix: ctx.ix,
    observed,
    actions,
    fingerprintKeys: failed ? [] : ctx.fingerprintKeys,
    diagnostics: targets === undefined ? ctx.diagnostics : ctx.diagnostics.map(withTargetSeatHint),
    ...(targets !== undefined ? { targets } : {}),
  });
}

/** Seat errors whose cause may be --target itself: conversions outside the targets would free seats. */
const SEAT_CODES = new Set(["no_seat_for_conversion", "no_free_seat", "cannot_license_user_mailbox"]);

function withTargetSeatHint(d: Diagnostic): Diagnostic {
  if (!SEAT_CODES.has(d.code)) return d;
  return { ...d, message: `${d.message} (with --target, seats that other mailboxes' planned license removals would free are not counted; plan without --target to use them)` };
}
