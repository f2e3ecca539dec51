/**
 * Child process for the concurrency tests: thousands of small writes to one
 * tenant file while other processes read or write it.
 *
 * Usage: node --import tsx busy-writer.ts <tenant> <provider|admin> <mailbox> <trustee> <pairs|until-stop>
 * Each pair adds a SendAs grant and removes it again: through the provider
 * (as apply writes) or as admin edits (as `exoform tenant set` makes them).
 * Every 50 writes the provider writer lets a minute of tenant time pass, so
 * the readers meet a new tenant time again and again. "until-stop": write
 * until a line arrives on stdin. Prints "started" after the first write and
 * "wrote <n>" at the end; exit 1 with the error on stderr if a write fails.
 */
import { setImmediate as yieldToEvents } from "node:timers/promises";
import { SimulatedTenant } from "../../../../providers/simulated/index.js";
import { stopOnLine } from "./stop-line.js";

const [path, mode, mailbox, trustee, pairsArg] = process.argv.slice(2) as [string, string, string, string, string];
const untilStop = pairsArg === "until-stop";
const stopped = untilStop ? stopOnLine() : () => false;
const pairs = untilStop ? Number.POSITIVE_INFINITY : Number(pairsArg);
const tenant = SimulatedTenant.open(path);
let writes = 0;
try {
  for (let i = 0; i < pairs && !stopped(); i++) {
    if (mode === "admin") {
      tenant.adminAddGrant(mailbox, "SendAs", trustee);
      tenant.adminRemoveGrant(mailbox, "SendAs", trustee);
    } else {
      await tenant.addRecipientPermission(mailbox, trustee);
      await tenant.removeRecipientPermission(mailbox, trustee);
    }
    writes += 2;
    if (i === 0) process.stdout.write("started\n");
    if (mode !== "admin" && writes % 50 === 0) await tenant.clock.sleep(60_000);
    if (writes % 100 === 0) await yieldToEvents(); // let stdin (the stop line) in
  }
  process.stdout.write(`wrote ${writes}\n`);
} catch (e) {
  process.stderr.write(`after ${writes} writes: ${(e as Error).name}: ${(e as Error).message}\n`);
  process.exitCode = 1;
} finally {
  tenant.close();
}
