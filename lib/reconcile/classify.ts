/**
 * Which actions of a plan the reconcile loop may carry out unattended.
 *
 * A plan says for every action what it is and why it is there; the loop sorts
 * them into classes, and heals only the classes a person opted into:
 *
 * - `security`: block sign-in again on a shared mailbox's account; revoke a
 *   grant the code does not list on an authoritative mailbox. Both take
 *   access away that nobody was meant to have.
 * - `access`: add back a declared grant that was removed out of band (or
 *   re-grant one whose automapping was changed).
 * - `review`: everything else (create, convert, licences, deletion, restores,
 *   renames, settings). Never healed by the loop, whatever was opted into:
 *   these are the changes a person reviews in a pull request.
 *
 * A class is decided by the action's type AND its reason, not its type alone:
 * a sign-in block that follows a mailbox's creation or conversion is part of
 * that change (and depends on it), not a heal.
 *
 * Pure: plan document in, sorted actions out.
 */
import type { ActionType, PlanAction, PlanDocument } from "../plan/types.js";

export const HEAL_CLASSES = ["security", "access"] as const;
export type HealClass = (typeof HEAL_CLASSES)[number];
export type ActionClass = HealClass | "review";

/** The (type, reason) pairs that are heals, and their class. Everything else is review. */
const HEALS: ReadonlyMap<string, HealClass> = new Map<string, HealClass>([
  [key("user.blockSignIn", "sign_in_enabled_on_shared_mailbox"), "security"],
  [key("permission.revoke", "grant_not_declared"), "security"],
  [key("permission.grant", "grant_declared"), "access"],
  [key("permission.revoke", "automapping_changed"), "access"],
  [key("permission.grant", "automapping_changed"), "access"],
]);

function key(type: ActionType, reason: string): string {
  return `${type} ${reason}`;
}

/** The class of one action, on its own (before dependencies are considered). */
export function classOf(action: PlanAction): ActionClass {
  return HEALS.get(key(action.type, action.reason)) ?? "review";
}

export interface SortedActions {
  /** Actions the loop carries out now: in an opted-in class, and everything they depend on is too. */
  readonly heal: readonly PlanAction[];
  /** Heal-class actions not opted into (or waiting on an action that is): reported, not done. */
  readonly notOptedIn: readonly PlanAction[];
  /** Changes a person must review: never healed. */
  readonly review: readonly PlanAction[];
  /** Every action's class, by id. */
  readonly classes: ReadonlyMap<string, ActionClass>;
}

/**
 * Split a plan's actions. An action is healed only when its class is opted
 * into and every action it depends on is healed as well: a grant on a mailbox
 * that must first be created waits for the review of the creation.
 * Order is the plan's (a valid execution order), so the heal list is too.
 */
export function sortActions(doc: PlanDocument, optedIn: ReadonlySet<HealClass>): SortedActions {
  const classes = new Map<string, ActionClass>();
  const healed = new Set<string>();
  const heal: PlanAction[] = [];
  const notOptedIn: PlanAction[] = [];
  const review: PlanAction[] = [];
  for (const action of doc.actions) {
    const cls = classOf(action);
    classes.set(action.id, cls);
    if (cls === "review") {
      review.push(action);
      continue;
    }
    // dependsOn ids all appear earlier in actions[], so healed already knows about them
    if (optedIn.has(cls) && action.dependsOn.every((id) => healed.has(id))) {
      healed.add(action.id);
      heal.push(action);
    } else notOptedIn.push(action);
  }
  return { heal, notOptedIn, review, classes };
}

/** Count of actions per class, every class present (for the status document and metrics). */
export function countByClass(sorted: SortedActions): Record<ActionClass, number> {
  const counts: Record<ActionClass, number> = { security: 0, access: 0, review: 0 };
  for (const cls of sorted.classes.values()) counts[cls] += 1;
  return counts;
}
