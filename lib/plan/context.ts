/**
 * The planner's working state for one plan: the observation indexed once
 * (lib/compare/observed-index.ts, shared with drift), the actions and
 * diagnostics collected so far, and the seat pool that licence assignments
 * draw from in plan order.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { capabilitiesOfSkus, type ExchangeCapabilities } from "../model/licensing.js";
import type { CanonicalDesiredState, CanonicalUserMailbox } from "../model/normalize.js";
import { indexObserved, type ObservedIndex } from "../compare/observed-index.js";
import type { ObservedSku, ObservedState } from "../provider/observed.js";
import { actionId } from "./ids.js";
import type { AccessChange, ActionParams, ActionType, PlanAction } from "./types.js";

/** What one planned action is, before the planner orders it. */
export interface ActionDraft {
  readonly type: ActionType;
  readonly target: string;
  readonly params?: ActionParams;
  readonly dependsOn?: readonly string[];
  readonly reason: string;
  readonly description: string;
  readonly destructive?: boolean;
  readonly access?: readonly AccessChange[];
  /** Fingerprint keys of the tenant objects this action relies on (lib/plan/fingerprint.ts). */
  readonly fingerprint: readonly string[];
}

/** Seats per SKU as the plan consumes them: free seats first, then seats freed earlier in the plan. */
export class SeatPool {
  private readonly taken = new Map<string, number>();
  private readonly released = new Map<string, string[]>();

  constructor(private readonly skus: ReadonlyMap<string, ObservedSku>) {}

  /** Free seats of `sku` now, counting assignments already planned. */
  free(sku: string): number {
    const s = this.skus.get(sku);
    if (!s) return 0;
    return s.prepaidUnits - s.consumedUnits - (this.taken.get(sku) ?? 0);
  }

  /** Seats of `sku` this plan has taken so far. */
  takenBy(sku: string): number {
    return this.taken.get(sku) ?? 0;
  }

  /** Whether a seat is available, without taking it. */
  available(sku: string): boolean {
    return this.free(sku) > 0 || (this.released.get(sku)?.length ?? 0) > 0;
  }

  /**
   * Take a seat: null when none is available; otherwise the ids of actions the
   * assignment must wait for (a removal earlier in the plan that frees the seat).
   */
  take(sku: string): string[] | null {
    if (this.free(sku) > 0) {
      this.taken.set(sku, (this.taken.get(sku) ?? 0) + 1);
      return [];
    }
    const freedBy = this.released.get(sku)?.shift();
    return freedBy === undefined ? null : [freedBy];
  }

  /** A planned removal (`actionId`) frees a seat of `sku` once it has run. */
  release(sku: string, id: string): void {
    const list = this.released.get(sku);
    if (list) list.push(id);
    else this.released.set(sku, [id]);
  }

  /** "EXCHANGESTANDARD (6 prepaid, 6 consumed)" for messages. */
  describe(sku: string): string {
    const s = this.skus.get(sku);
    if (!s) return sku;
    const planned = this.takenBy(sku);
    return `${sku} (${s.prepaidUnits} prepaid, ${s.consumedUnits} consumed${planned > 0 ? `, ${planned} more taken earlier in this plan` : ""})`;
  }
}

export class PlanContext {
  readonly ix: ObservedIndex;
  readonly seats: SeatPool;
  readonly actions: PlanAction[] = [];
  readonly fingerprintKeys: string[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Desired user mailboxes (converted back) by address. */
  readonly userMailboxSpecs: ReadonlyMap<string, CanonicalUserMailbox>;
  /** Trustee checks, once per UPN per plan (see grants.ts). */
  readonly trustees = new Map<string, "ok" | "unlicensed" | "deleted" | "missing" | "deleted_by_plan" | "renamed_by_plan">();
  /** Every trustee the code names is "ok" (set by settleTrustees before planning; false until then). */
  trusteesAllOk = false;
  /**
   * Accounts this plan deletes (the anchors of the mailboxes it deletes, R2.3),
   * by UPN, with the mailbox: no grant may name them. Filled before any mailbox is planned.
   */
  readonly deletedByPlan = new Map<string, string>();
  /** Accounts this plan renames (a renamed mailbox's anchor, decision 0010), old UPN to new: no grant may name the old one. */
  readonly renamedByPlan = new Map<string, string>();
  /** Leavers' mailboxes this plan converts, with their accounts: checked for grants left in the code once all is planned (leaver.ts). */
  readonly leavers: Array<{ readonly address: string; readonly upn: string }> = [];
  private readonly ids = new Set<string>();
  private readonly capsCache = new Map<string, ExchangeCapabilities>();

  constructor(
    readonly desired: CanonicalDesiredState,
    readonly observed: ObservedState,
  ) {
    this.ix = indexObserved(observed);
    this.seats = new SeatPool(this.ix.skus);
    this.userMailboxSpecs = new Map(desired.userMailboxes.map((m) => [m.address, m]));
  }

  /** The tenant clock at observation, in ms. */
  get now(): number {
    return Date.parse(this.observed.observedAt);
  }

  add(draft: ActionDraft): string {
    const params = draft.params ?? {};
    const id = actionId(draft.type, draft.target, params);
    if (this.ids.has(id)) throw new Error(`internal: the planner produced action "${id}" twice`);
    this.ids.add(id);
    this.actions.push({
      id,
      type: draft.type,
      target: draft.target,
      params,
      dependsOn: [...new Set(draft.dependsOn ?? [])].sort(),
      reason: draft.reason,
      description: draft.description,
      destructive: draft.destructive ?? false,
      access: draft.access ?? [],
    });
    for (const key of draft.fingerprint) this.fingerprintKeys.push(key);
    return id;
  }

  error(code: string, target: string, message: string): void {
    this.diagnostics.push({ severity: "error", code, target, message });
  }

  warn(code: string, target: string, message: string): void {
    this.diagnostics.push({ severity: "warning", code, target, message });
  }

  /** A note: changes nothing, tells the reviewer what the plan means. */
  note(code: string, target: string, message: string): void {
    this.diagnostics.push({ severity: "info", code, target, message });
  }

  /** Exchange capabilities of a set of SKUs (cached by the sorted list). */
  capabilities(licenses: readonly string[]): ExchangeCapabilities {
    // no copy and sort for the common 0- and 1-licence cases: this runs once per grant (bench/, 0006-performance)
    const key = licenses.length === 0 ? "" : licenses.length === 1 ? licenses[0]! : [...licenses].sort().join(",");
    let caps = this.capsCache.get(key);
    if (!caps) {
      caps = capabilitiesOfSkus(licenses, this.ix.servicePlansBySku);
      this.capsCache.set(key, caps);
    }
    return caps;
  }

  /** "Ben Ortiz (ben.ortiz@contoso.com)", "group Helpdesk (helpdesk@contoso.com)", or the address alone for an unknown one. */
  person(upn: string): string {
    const u = this.ix.users.get(upn);
    if (u !== undefined) return u.displayName && u.displayName !== upn ? `${u.displayName} (${upn})` : upn;
    const g = this.ix.groups.get(upn);
    if (g !== undefined) return `group ${g.displayName && g.displayName !== upn ? `${g.displayName} (${upn})` : upn}`;
    return upn;
  }
}
