/** The simulated tenant passes the provider conformance suite. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimulatedTenant } from "../../providers/simulated/index.js";
import { conformanceFixture, runConformanceSuite } from "./conformance.js";

runConformanceSuite("simulated", async () => {
  const dir = mkdtempSync(join(tmpdir(), "exoform-conformance-"));
  const tenant = SimulatedTenant.create(join(dir, "tenant.db"), conformanceFixture());
  return {
    provider: tenant,
    useManagementAttribute: (attribute) => tenant.setManagementAttribute(attribute),
    admin: {
      seed: async (fixture) => tenant.seed(fixture),
      advanceClock: async (ms) => tenant.advanceClock(ms),
      failNextReads: async (n) => void tenant.setFaults({ failReads: n }),
    },
    cleanup: async () => {
      tenant.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
