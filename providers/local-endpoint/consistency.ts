/**
 * Read lag: the eventual consistency of the real service, which is
 * read-your-writes consistent only within one backend session
 * (microsoft-apis.md §3 "Consistency").
 *
 * Model. The endpoint has BACKENDS backends. Each top-level request reaches one,
 * drawn by a seeded PRNG (pickBackend; with readLagMs 0 always backend 0, no draw).
 * A write records, for each object it touches, the object's state just BEFORE the
 * write (read through the tenant's point reads), the backend it ran on and the
 * tenant time. A read from ANOTHER backend less than readLagMs after such a write
 * (tenant clock, at + readLagMs > now) still sees the before-state; a read from the
 * write's own backend sees the write at once. When several writes to one object are
 * still lagging for a reader, the reader sees the state before the OLDEST of them
 * (even when a newer one ran on the reader's own backend: a backend that has not
 * replicated a write does not see what came after it either). Records older than
 * readLagMs are dropped, so memory holds at most the writes of the last readLagMs.
 *
 * Objects and their before-states:
 * - "mailbox:<address>": getMailbox(address), the mailbox live or soft-deleted, or null;
 * - "user:<upn>": getUser(upn), the LIVE user with that UPN, or null;
 * - "grants:<address>": getGrants(address), the mailbox's grants.
 * Point reads answer the before-state. Bulk reads substitute it, keeping the sort
 * order of the provider contract: listMailboxes drops the mailbox with that address
 * and puts the before-state back (if any); listUsers drops the live user with that
 * UPN and the user with the before-state's id (a soft-deleted copy of it) and puts the
 * before-state back; listGrants drops the mailbox's grants and puts the before-state's
 * back. A user restored by a lagging write therefore vanishes from other backends'
 * listUsers for the lag (its soft-deleted self is not a point read's answer).
 * listSkus and readTenant never lag.
 *
 * The backend draws use their own mulberry32 sequence, seeded from settings.seed XOR
 * a salt and restarted when the seed changes; settings are read on every call.
 */
import type { FaultSettings, SimulatedTenant } from "../simulated/index.js";
import type { ObservedGrant, ObservedMailbox, ObservedUser } from "../../lib/provider/observed.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import { nextRandom } from "../../lib/private/random.js";
import type { ObjectKey, ReadView, TenantReads } from "./context.js";

/** Backends a request may reach; two are enough to break read-your-writes across requests. */
export const BACKENDS = 2;

/** XOR-ed into the seed for the backend draws ("LAGB"). */
const BACKEND_SALT = 0x4c414742;

type Before =
  | { readonly kind: "mailbox"; readonly address: string; readonly state: ObservedMailbox | null }
  | { readonly kind: "user"; readonly upn: string; readonly state: ObservedUser | null }
  | { readonly kind: "grants"; readonly address: string; readonly state: readonly ObservedGrant[] };

interface Lagging {
  readonly before: Before;
  readonly backend: number;
  /** Tenant time of the write, ms. */
  readonly at: number;
}

export interface ReadLagDeps {
  readonly settings: () => FaultSettings;
  readonly nowMs: () => number;
  readonly tenant: SimulatedTenant;
}

export class ReadLag {
  /** Per object key, the lagging writes, oldest first. */
  private readonly writes = new Map<ObjectKey, Lagging[]>();
  private seed: number | null = null;
  private rng = 0;

  constructor(private readonly deps: ReadLagDeps) {}

  /** The backend a new top-level request reaches. */
  pickBackend(): ReadView {
    const settings = this.deps.settings();
    if (!(settings.readLagMs > 0)) return { backend: 0 };
    if (settings.seed !== this.seed) {
      this.seed = settings.seed;
      this.rng = (settings.seed ^ BACKEND_SALT) >>> 0;
    }
    const draw = nextRandom(this.rng);
    this.rng = draw.state;
    return { backend: Math.min(BACKENDS - 1, Math.floor(draw.value * BACKENDS)) };
  }

  /** The tenant's reads as seen from `view`: the tenant itself when nothing lags for it. */
  reads(view: ReadView): TenantReads {
    if (this.lagging(view).size === 0) return this.deps.tenant;
    return new LaggedReads(this.deps.tenant, () => this.lagging(view));
  }

  /** Run one write, keeping the before-state of `keys` for the other backends (only when readLagMs > 0). */
  async write<T>(view: ReadView, keys: readonly ObjectKey[], run: (tenant: SimulatedTenant) => Promise<T>): Promise<T> {
    const { tenant } = this.deps;
    if (!(this.deps.settings().readLagMs > 0)) return run(tenant);
    const befores: Array<[ObjectKey, Before]> = [];
    for (const key of new Set(keys.map((k) => k.toLowerCase() as ObjectKey))) befores.push([key, await snapshot(tenant, key)]);
    const result = await run(tenant);
    const at = this.deps.nowMs();
    this.prune(at);
    for (const [key, before] of befores) {
      const list = this.writes.get(key) ?? [];
      list.push({ before, backend: view.backend, at });
      this.writes.set(key, list);
    }
    return result;
  }

  /** For each object, the before-state a reader on `view` sees now (the oldest write lagging for it). */
  private lagging(view: ReadView): Map<ObjectKey, Before> {
    const out = new Map<ObjectKey, Before>();
    const lagMs = this.deps.settings().readLagMs;
    if (!(lagMs > 0)) {
      this.writes.clear();
      return out;
    }
    const now = this.deps.nowMs();
    this.prune(now);
    for (const [key, list] of this.writes) {
      const oldest = list.find((w) => w.backend !== view.backend && w.at + lagMs > now);
      if (oldest) out.set(key, oldest.before);
    }
    return out;
  }

  /** Drop the writes no backend lags behind any more. */
  private prune(now: number): void {
    const lagMs = this.deps.settings().readLagMs;
    for (const [key, list] of this.writes) {
      const kept = list.filter((w) => w.at + lagMs > now);
      if (kept.length === 0) this.writes.delete(key);
      else if (kept.length !== list.length) this.writes.set(key, kept);
    }
  }
}

async function snapshot(tenant: SimulatedTenant, key: ObjectKey): Promise<Before> {
  const colon = key.indexOf(":");
  const kind = key.slice(0, colon);
  const id = key.slice(colon + 1);
  if (kind === "mailbox") return { kind, address: id, state: await tenant.getMailbox(id) };
  if (kind === "user") return { kind, upn: id, state: await tenant.getUser(id) };
  return { kind: "grants", address: id, state: await tenant.getGrants(id) };
}

/** The tenant's reads with the lagging objects' before-states substituted. */
class LaggedReads implements TenantReads {
  constructor(
    private readonly tenant: SimulatedTenant,
    private readonly lagging: () => Map<ObjectKey, Before>,
  ) {}

  readTenant() {
    return this.tenant.readTenant();
  }

  listSkus() {
    return this.tenant.listSkus();
  }

  async listMailboxes(): Promise<ObservedMailbox[]> {
    const befores = this.befores("mailbox");
    const addresses = new Set(befores.map((b) => b.address));
    return substitute(await this.tenant.listMailboxes(), (m) => addresses.has(m.address), present(befores.map((b) => b.state)), (m) => [m.address]);
  }

  async listUsers(): Promise<ObservedUser[]> {
    const befores = this.befores("user");
    const upns = new Set(befores.map((b) => b.upn));
    const restored = present(befores.map((b) => b.state));
    const ids = new Set(restored.map((u) => u.id));
    // the live user now under that UPN, and any copy of the restored user (soft-deleted by the write)
    const replaced = (u: ObservedUser) => ids.has(u.id) || (u.deletedAt === null && upns.has(u.userPrincipalName));
    return substitute(await this.tenant.listUsers(), replaced, restored, (u) => [u.userPrincipalName, u.id]);
  }

  async listGrants(): Promise<ObservedGrant[]> {
    const befores = this.befores("grants");
    const mailboxes = new Set(befores.map((b) => b.address));
    return substitute(await this.tenant.listGrants(), (g) => mailboxes.has(g.mailbox), befores.flatMap((b) => b.state), (g) => [g.mailbox, g.right, g.trustee]);
  }

  async getMailbox(address: string): Promise<ObservedMailbox | null> {
    const before = this.before("mailbox", address);
    return before ? before.state : this.tenant.getMailbox(address);
  }

  async getUser(userPrincipalName: string): Promise<ObservedUser | null> {
    const before = this.before("user", userPrincipalName);
    return before ? before.state : this.tenant.getUser(userPrincipalName);
  }

  async getGrants(address: string): Promise<ObservedGrant[]> {
    const before = this.before("grants", address);
    return before ? [...before.state] : this.tenant.getGrants(address);
  }

  private before<K extends Before["kind"]>(kind: K, id: string): Extract<Before, { kind: K }> | undefined {
    const found = this.lagging().get(`${kind}:${id.toLowerCase()}`);
    return found?.kind === kind ? (found as Extract<Before, { kind: K }>) : undefined;
  }

  private befores<K extends Before["kind"]>(kind: K): Array<Extract<Before, { kind: K }>> {
    return [...this.lagging().values()].filter((b): b is Extract<Before, { kind: K }> => b.kind === kind);
  }
}

function present<T>(items: ReadonlyArray<T | null>): T[] {
  return items.filter((x): x is T => x !== null);
}

/**
 * `all` (sorted by `key`, compared field by field) without the items `replaced` picks, with `restored`
 * put back in order; one pass over `all`. `all` itself when there is nothing to change.
 */
function substitute<T>(all: T[], replaced: (x: T) => boolean, restored: readonly T[], key: (x: T) => readonly string[]): T[] {
  const kept = all.filter((x) => !replaced(x));
  if (restored.length === 0 && kept.length === all.length) return all;
  const compare = (a: T, b: T) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const c = compareStrings(ka[i] ?? "", kb[i] ?? "");
      if (c !== 0) return c;
    }
    return 0;
  };
  const inserts = [...restored].sort(compare);
  const out: T[] = [];
  let j = 0;
  for (const item of kept) {
    for (; j < inserts.length && compare(inserts[j] as T, item) < 0; j++) out.push(inserts[j] as T);
    out.push(item);
  }
  for (; j < inserts.length; j++) out.push(inserts[j] as T);
  return out;
}
