/**
 * The Microsoft provider passes the provider conformance suite against the
 * local endpoint (`exoform tenant serve`): Graph and the Exchange admin API
 * over HTTPS on 127.0.0.1, backed by a simulated tenant.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimulatedTenant } from "../../providers/simulated/index.js";
import { conformanceFixture, runConformanceSuite } from "./conformance.js";
import { wiredProvider } from "./microsoft/wire.js";

runConformanceSuite("microsoft (over the local endpoint)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "exoform-conformance-ms-"));
  const tenant = SimulatedTenant.create(join(dir, "tenant.db"), conformanceFixture());
  tenant.setFaults({ wireThrottling: false });
  // no retries: the suite checks the contract (a failed read rejects whole), not the retry policy (test/providers/microsoft/http.test.ts)
  const wired = await wiredProvider(tenant, { provider: { maxRetries: 0 } });
  return {
    provider: wired.provider,
    readsAutoMapping: false,
    useManagementAttribute: (attribute) => wired.provider.setManagementAttribute(attribute),
    admin: {
      seed: async (fixture) => {
        tenant.seed(fixture);
        tenant.setFaults({ wireThrottling: false });
      },
      advanceClock: async (ms) => tenant.advanceClock(ms),
      failNextReads: async (n) => void tenant.setFaults({ failReads: n }),
    },
    cleanup: async () => {
      await wired.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
