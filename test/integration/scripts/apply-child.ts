/**
 * An apply in its own process, as `exoform apply <plan> --auto-approve` runs
 * it (FileJournal in the state dir, FileLockStore next to the tenant), without
 * the CLI's start-up cost. The integration tests run it when the process must
 * be able to die (the simulated tenant's crash fault SIGKILLs it) or must hold
 * the tenant lock while the test tries a second apply.
 *
 * Usage: node --import tsx apply-child.ts '<ChildArgs as JSON>' (see ../helpers.ts).
 * Exit: 0 converged, 2 complete but not converged, 1 refused or failed
 * (message on stderr). Prints the result document on stdout.
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { applyPlan, FileJournal, FileLockStore, journalPath } from "../../../lib/apply/index.js";
import type { PlanDocument } from "../../../lib/plan/types.js";
import type { ITenantProvider } from "../../../lib/provider/provider.js";
import { SimulatedTenant } from "../../../providers/simulated/index.js";
import type { ChildArgs } from "../helpers.js";
import { WRITE_OPERATIONS } from "../operations.js";
import { refusalExit, resultExit } from "./outcome.js";


/** The tenant, with a pause before its first write: print "paused", wait for a line on stdin. */
function pausing(tenant: SimulatedTenant): ITenantProvider {
  let gate: Promise<void> | null = null;
  return new Proxy(tenant, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      const method = (value as (...a: unknown[]) => unknown).bind(target);
      if (typeof prop !== "string" || !WRITE_OPERATIONS.has(prop)) return method;
      return async (...args: unknown[]) => {
        gate ??= new Promise<void>((resolve) => {
          const rl = createInterface({ input: process.stdin });
          rl.once("line", () => {
            rl.close();
            process.stdin.destroy(); // or the open pipe keeps this process alive after the apply
            resolve();
          });
          process.stdout.write("paused\n");
        });
        await gate;
        return method(...args);
      };
    },
  });
}

async function main(): Promise<number> {
  const args = JSON.parse(process.argv[2] ?? "{}") as ChildArgs;
  const doc = JSON.parse(readFileSync(args.plan, "utf8")) as PlanDocument;
  const tenant = SimulatedTenant.open(args.tenant);
  const journal = new FileJournal(journalPath(args.stateDir, doc.contentDigest, tenant.instance), { journal: 1, planId: doc.contentDigest, tenantId: doc.tenantId, tenantInstance: tenant.instance });
  try {
    const result = await applyPlan(doc, args.pauseBeforeFirstWrite ? pausing(tenant) : tenant, {
      journal,
      lock: new FileLockStore(args.lock),
      parallelism: args.parallelism ?? 4,
    });
    return resultExit(result);
  } catch (e) {
    return refusalExit(e);
  } finally {
    await journal.close();
    tenant.close();
  }
}

process.exitCode = await main();
