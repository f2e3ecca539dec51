import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // one CA for the run, trusted through NODE_EXTRA_CA_CERTS by every worker (local endpoint tests)
    globalSetup: ["./test/support/test-ca.ts"],
    // the default report for people, then one plain "N passed, N failed" line for CI
    reporters: ["default", "./test/support/plain-summary-reporter.ts"],
  },
});
