import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const TESTS = "test/**/*.test.ts";
const TEST_DIR = fileURLToPath(new URL("./test", import.meta.url));

/**
 * Test files that replace a module with vi.mock: a mock takes hold only if the module is not loaded
 * yet, so each of these runs in a fresh process. Found by reading the files, so that a new one cannot
 * be forgotten here.
 */
const MOCKING = (readdirSync(TEST_DIR, { recursive: true, encoding: "utf8" }) as string[])
  .filter((f) => f.endsWith(".test.ts") && readFileSync(join(TEST_DIR, f), "utf8").includes("vi.mock("))
  .map((f) => `test/${f.replaceAll("\\", "/")}`)
  .sort();

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // both cores of a 2-core CI machine (vitest's default there is one worker): the suite's budget is
    // 5 minutes on 2 cores. Every test must therefore pass beside another busy worker: none may rely on
    // being alone on the machine (waits are on the tenant's virtual clock or on an event, never a race
    // against the wall clock).
    maxWorkers: 2,
    // one CA for the run, trusted through NODE_EXTRA_CA_CERTS by every worker (local endpoint tests)
    globalSetup: ["./test/support/test-ca.ts"],
    // the default report for people, then one plain "N passed, N failed" line for CI
    reporters: ["default", "./test/support/plain-summary-reporter.ts"],
    projects: [
      {
        extends: true,
        // a worker process runs test file after test file and loads each module once: a process and a
        // fresh module graph (cdktf, TypeScript, ajv, SQLite, the sources) for each of ~140 files cost
        // about a third of the suite's CPU time. So what a file changes outside its own module (the cwd,
        // the environment, spies on process.stdout, listeners on process) it puts back when it ends.
        test: { name: "shared-process", include: [TESTS], exclude: MOCKING, isolate: false },
      },
      // with no file that mocks, the project keeps a pattern that matches no file, so it runs nothing
      { extends: true, test: { name: "own-process", include: MOCKING.length > 0 ? MOCKING : ["test/no-mocking-file"], isolate: true } },
    ],
  },
});
