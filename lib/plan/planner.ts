/**
 * plan(desired, observed, options): the pure heart of exoform. Reads no
 * clock (its only time is observed.observedAt), does no I/O and draws no
 * random numbers: the same inputs always give a byte-identical document.
 *
 * Mailboxes are planned in address order (the seat pool is drawn down in that
 * order), by walking the sorted declared and live mailbox lists together: a
 * merge-join, with no map lookup per mailbox (issue 15). Actions are then put
 * in dependency order, and a plan with any error carries no actions at all:
 * every error is reported, none is half-applied.
 */
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { groupAutoMappingWarnings } from "../model/group-trustees.js";
import type { CanonicalDesiredState, CanonicalSharedMailbox, CanonicalUserMailbox } from "../model/normalize.js";
import { NO_HELD } from "../compare/observed-index.js";
import { compareStrings } from "../private/canonical-json.js";
import type { ObservedMailbox, ObservedState } from "../provider/observed.js";
import { PlanContext } from "./context.js";
import { isDeletable, planDeletion } from "./deletion.js";
import { draftDocument, type DraftPlan } from "./document.js";
import { topologicalOrder } from "./graph.js";
import { settleTrustees } from "./grants.js";
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
  const shared = inAddressOrder(desired.sharedMailboxes);
  const users = inAddressOrder(desired.userMailboxes);
  const live = ctx.ix.liveMailboxes;

  // Before any mailbox is planned: the renames, then the mailboxes this plan deletes (their accounts go with them:
  // grants anywhere in this plan must not name them, grants.ts), then what each declared trustee is.
  for (const spec of shared) recordRename(ctx, spec);
  const undeclared = undeclaredLive(live, shared, users);
  const deletions = undeclared.filter((m) => inScope(m.address) && isDeletable(ctx, m));
  for (const m of deletions) {
    const anchor = ctx.ix.usersById.get(m.userId);
    if (anchor !== undefined && !m.litigationHold) ctx.deletedByPlan.set(anchor.userPrincipalName, m.address);
  }
  settleTrustees(ctx);

  // Declared mailboxes, shared and user alike, and the deletions, in one address order (seats are taken in this order):
  // a merge of the sorted lists, each shared mailbox meeting its live mailbox and grants on the way (no lookups).
  let s = 0; // next shared mailbox
  let u = 0; // next user mailbox
  let del = 0; // next deletion
  let l = 0; // the live mailbox the walk has reached
  for (;;) {
    const next = least(shared[s]?.address, users[u]?.address, deletions[del]?.address);
    if (next === undefined) break;
    if (shared[s]?.address === next) {
      const spec = shared[s++]!;
      if (!inScope(next)) continue;
      while (l < live.length && live[l]!.address < next) l++;
      const found = l < live.length && live[l]!.address === next;
      planSharedMailbox(ctx, spec, found ? live[l] : undefined, found ? ctx.ix.liveGrants[l]! : NO_HELD);
    } else if (users[u]?.address === next) {
      const spec = users[u++]!;
      if (inScope(next)) planUserMailbox(ctx, spec);
    } else planDeletion(ctx, deletions[del++]!);
  }
  warnLeaverGrants(ctx);
  planNotes(ctx, undeclared, inScope, options.previous);
  // automapping never works through a group: the one thing about group trustees validation cannot see
  ctx.diagnostics.push(...groupAutoMappingWarnings(desired, new Set(ctx.ix.groups.keys())).filter((d) => inScope(d.target)));

  if (targets !== undefined) {
    const declared = new Set([...shared.flatMap((m) => [m.address, ...m.previousAddresses]), ...users.map((m) => m.address)]);
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

/** `list` itself when in address order (the canonical form is), or a sorted copy. */
function inAddressOrder<T extends { readonly address: string }>(list: readonly T[]): readonly T[] {
  for (let i = 1; i < list.length; i++) {
    if (list[i - 1]!.address > list[i]!.address) return [...list].sort((a, b) => compareStrings(a.address, b.address));
  }
  return list;
}

/** The least of the addresses given (undefined: that list is done). */
function least(a: string | undefined, b: string | undefined, c: string | undefined): string | undefined {
  let m = a;
  if (b !== undefined && (m === undefined || b < m)) m = b;
  if (c !== undefined && (m === undefined || c < m)) m = c;
  return m;
}

/**
 * The live mailboxes the code does not declare (under their address, or as
 * the old address of a mailbox it renames), in address order: one walk of the
 * three sorted lists.
 */
function undeclaredLive(live: readonly ObservedMailbox[], shared: readonly CanonicalSharedMailbox[], users: readonly CanonicalUserMailbox[]): ObservedMailbox[] {
  const renamedAway = new Set(shared.flatMap((m) => m.previousAddresses));
  const out: ObservedMailbox[] = [];
  let i = 0;
  let j = 0;
  for (const m of live) {
    const a = m.address;
    while (i < shared.length && shared[i]!.address < a) i++;
    while (j < users.length && users[j]!.address < a) j++;
    if (shared[i]?.address === a || users[j]?.address === a || (renamedAway.size > 0 && renamedAway.has(a))) continue;
    out.push(m);
  }
  return out;
}

/** Seat errors whose cause may be --target itself: conversions outside the targets would free seats. */
const SEAT_CODES = new Set(["no_seat_for_conversion", "no_free_seat", "cannot_license_user_mailbox"]);

function withTargetSeatHint(d: Diagnostic): Diagnostic {
  if (!SEAT_CODES.has(d.code)) return d;
  return { ...d, message: `${d.message} (with --target, seats that other mailboxes' planned license removals would free are not counted; plan without --target to use them)` };
}
