/**
 * Grouping a plan's actions by the mailbox they serve, for per-mailbox
 * output. mailbox.* and permission.* actions target a mailbox address. A
 * user.* action targets a UPN: an anchor user's UPN equals its mailbox's
 * address in this product, so it joins that mailbox; a user.* action on any
 * other UPN joins the mailbox its dependency neighbours (dependsOn, or the
 * actions that depend on it) act on, and only when it has none does the user
 * get a group of its own.
 */
import type { PlanAction } from "../plan/types.js";
import { compareStrings } from "../private/canonical-json.js";
import type { Glyph } from "./glyphs.js";

export interface ActionGroup {
  /** The mailbox address, or the UPN of a user no mailbox action relates to. */
  readonly address: string;
  readonly kind: "mailbox" | "user";
  /** In plan (execution) order. */
  readonly actions: readonly PlanAction[];
  /** What happens to the mailbox as a whole. */
  readonly glyph: Glyph;
  readonly verb: string;
  /** The mailbox's display name when the plan sets it. */
  readonly displayName: string | undefined;
  readonly destructive: number;
}

function isUserAction(a: PlanAction): boolean {
  return a.type.startsWith("user.");
}

/** Groups sorted by address; actions inside each group keep plan order. */
export function groupByMailbox(actions: readonly PlanAction[]): ActionGroup[] {
  const mailboxTargets = new Set<string>();
  for (const a of actions) if (!isUserAction(a)) mailboxTargets.add(a.target);

  const home = resolveUserHomes(actions, mailboxTargets);
  const members = new Map<string, PlanAction[]>();
  for (const a of actions) {
    const key = isUserAction(a) ? (home.get(a.target) ?? a.target) : a.target;
    const list = members.get(key);
    if (list) list.push(a);
    else members.set(key, [a]);
  }
  return [...members.keys()]
    .sort(compareStrings)
    .map((address) => describeGroup(address, mailboxTargets.has(address) ? "mailbox" : "user", members.get(address) ?? []));
}

/** UPN -> mailbox address, for user.* actions on UPNs that are not mailbox addresses themselves. */
function resolveUserHomes(actions: readonly PlanAction[], mailboxTargets: ReadonlySet<string>): Map<string, string> {
  const home = new Map<string, string>();
  const strays = actions.filter((a) => isUserAction(a) && !mailboxTargets.has(a.target));
  if (strays.length === 0) return home;

  const byId = new Map<string, PlanAction>();
  const dependents = new Map<string, PlanAction[]>();
  for (const a of actions) {
    byId.set(a.id, a);
    for (const dep of a.dependsOn) {
      const list = dependents.get(dep);
      if (list) list.push(a);
      else dependents.set(dep, [a]);
    }
  }
  for (const a of strays) {
    const neighbours = [...a.dependsOn.map((id) => byId.get(id)), ...(dependents.get(a.id) ?? [])];
    for (const n of neighbours) {
      if (n === undefined || !mailboxTargets.has(n.target)) continue;
      const current = home.get(a.target);
      if (current === undefined || compareStrings(n.target, current) < 0) home.set(a.target, n.target);
    }
  }
  return home;
}

function describeGroup(address: string, kind: ActionGroup["kind"], actions: PlanAction[]): ActionGroup {
  const has = (type: PlanAction["type"]) => actions.some((a) => a.type === type);
  const convert = actions.find((a) => a.type === "mailbox.convert");
  const converted = convert ? (convert.params.to === "regular" ? "convert to user mailbox" : "convert to shared mailbox") : undefined;
  let glyph: Glyph = "~";
  let verb: string;
  if (has("mailbox.delete")) {
    glyph = "-";
    verb = "delete";
  } else if (has("mailbox.create")) {
    glyph = "+";
    verb = "create";
  } else if (has("user.restore")) {
    glyph = "+";
    verb = converted ? `restore, ${converted}` : "restore";
  } else {
    verb = converted ?? "update";
  }
  return {
    address,
    kind,
    actions,
    glyph,
    verb,
    displayName: displayNameOf(actions),
    destructive: actions.filter((a) => a.destructive).length,
  };
}

function displayNameOf(actions: readonly PlanAction[]): string | undefined {
  for (const a of actions) {
    if (a.type === "mailbox.create" && a.params.displayName !== undefined) return a.params.displayName;
    const to = a.type === "mailbox.update" ? a.params.changes?.["displayName"]?.to : undefined;
    if (typeof to === "string") return to;
  }
  return undefined;
}
