/**
 * Child process for the concurrency tests: reads the tenant in a loop (the
 * bulk reads plan and drift make, point reads, the operation log and the
 * fixture export `exoform tenant show` prints) until a line arrives on stdin.
 *
 * Usage: node --import tsx reader-loop.ts <tenant>
 * Prints "started" after the first round and "read <rounds>" at the end; exit
 * 1 with the error on stderr if any read fails.
 */
import { setImmediate as yieldToEvents } from "node:timers/promises";
import { SimulatedTenant } from "../../../../providers/simulated/index.js";
import { stopOnLine } from "./stop-line.js";

const [path] = process.argv.slice(2) as [string];
const stopped = stopOnLine();
let rounds = 0;
try {
  while (!stopped()) {
    // a fresh connection now and then: opening is a read too
    const tenant = SimulatedTenant.open(path);
    try {
      for (let i = 0; i < 20 && !stopped(); i++) {
        await tenant.readTenant();
        await tenant.listSkus();
        await tenant.listUsers();
        await tenant.listMailboxes();
        await tenant.listGrants();
        await tenant.getMailbox("support@contoso.com");
        await tenant.getGrants("support@contoso.com");
        tenant.readLog({ limit: 5 });
        tenant.exportFixture();
        rounds++;
        if (rounds === 1) process.stdout.write("started\n");
        await yieldToEvents();
      }
    } finally {
      tenant.close();
    }
  }
  process.stdout.write(`read ${rounds}\n`);
} catch (e) {
  process.stderr.write(`after ${rounds} rounds: ${(e as Error).name}: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
