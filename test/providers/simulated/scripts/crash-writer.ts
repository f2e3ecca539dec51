/**
 * Child process for the crash test: opens the tenant at argv[2], arms
 * "crash after N writes" (argv[3], mode argv[4]) and performs six grant
 * writes. The process is killed by the tenant before it can finish.
 */
import { SimulatedTenant } from "../../../../providers/simulated/index.js";

const [path, n, mode] = process.argv.slice(2);
const tenant = SimulatedTenant.open(path!);
tenant.setFaults({ crashAfterWrites: Number(n), crashMode: mode === "beforeCommit" ? "beforeCommit" : "afterCommit" });
const trustees = ["ben.ortiz", "carla.diaz", "dev.patel", "erin.kim", "harry.wells", "ivy.chen"];
for (const t of trustees) {
  await tenant.addRecipientPermission("support@contoso.com", `${t}@contoso.com`);
  process.stdout.write(`wrote ${t}\n`);
}
await tenant.assignLicense("kim.nguyen@contoso.com", { add: ["EXCHANGESTANDARD"], remove: [] });
process.stdout.write("finished\n");
tenant.close();
