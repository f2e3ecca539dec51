/**
 * The reconcile tests' world: the contoso tenant, converged with the example
 * program's desired state, and reconcilers on it whose ports are the
 * simulated tenant itself (virtual clock) and a wall clock the test moves.
 */
import { join } from "node:path";
import { applyPlan } from "../../lib/apply/index.js";
import type { HealClass } from "../../lib/reconcile/classify.js";
import { FileLease } from "../../lib/reconcile/lease.js";
import { Reconciler, type ReconcilerOptions, type ReconcileTenant } from "../../lib/reconcile/loop.js";
import type { SimulatedTenant } from "../../providers/simulated/index.js";
import { contosoDesired, createTenant, planAgainst, tempDir } from "../integration/helpers.js";

/** Fast retries, as the apply tests use. */
export const FAST_APPLY = { baseBackoffMs: 1, maxBackoffMs: 2 } as const;

export interface World {
  readonly dir: string;
  readonly tenant: SimulatedTenant;
  readonly desired: ReturnType<typeof contosoDesired>;
  /** The wall clock the reconcilers and leases read, in ms; tests move it. */
  wall: number;
  /** Log lines the reconcilers printed. */
  readonly lines: string[];
  reconciler(heal: readonly HealClass[], options?: Partial<ReconcilerOptions> & { leaseHolder?: string }): Reconciler;
  /** The provider writes the tenant committed since `seq` (operation target). */
  writesSince(seq: number): string[];
  lastSeq(): number;
}

/** A tenant that already matches the example program (every planned action applied). */
export async function convergedWorld(): Promise<World> {
  const dir = tempDir("reconcile");
  const tenant = createTenant(dir);
  const desired = contosoDesired();
  const result = await applyPlan(await planAgainst(tenant, desired), tenant, FAST_APPLY);
  if (!result.converged) throw new Error("the contoso world did not converge");
  const world: World = {
    dir,
    tenant,
    desired,
    wall: Date.parse("2026-11-30T09:00:00Z"),
    lines: [],
    reconciler(heal, options = {}) {
      const open: ReconcileTenant = {
        provider: tenant,
        lockPath: join(dir, "tenant.db.lock"),
        stateDir: dir,
        prepare: async () => undefined,
        cost: () => null,
        close: async () => undefined, // the world's tenant outlives every cycle
      };
      const lease = options.leaseHolder !== undefined ? new FileLease(join(dir, "tenant.db.lease"), { durationMs: 60_000, now: () => world.wall, who: options.leaseHolder, holder: options.leaseHolder }) : undefined;
      return new Reconciler(
        {
          loadDesired: () => world.desired,
          openTenant: async () => open,
          now: () => world.wall,
          sleep: async (ms) => {
            world.wall += ms;
          },
          log: (line) => world.lines.push(line),
        },
        { heal: new Set(heal), intervalMs: 900_000, apply: FAST_APPLY, ...(lease !== undefined ? { lease } : {}), ...options },
      );
    },
    writesSince(seq) {
      return tenant
        .readLog({ afterSeq: seq })
        .filter((e) => e.outcome === "ok" && !e.operation.startsWith("admin.") && !e.operation.startsWith("system."))
        .map((e) => `${e.operation} ${e.target}`);
    },
    lastSeq() {
      return tenant.readLog().at(-1)?.seq ?? 0;
    },
  };
  return world;
}
