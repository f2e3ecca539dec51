/**
 * `exoform <args>` run in this process (fast: no child, no tsx start), its
 * stdout and stderr captured: for CLI tests that do not need a real process.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { vi } from "vitest";
import { main } from "../../lib/cli/main.js";

export interface InProcessRun {
  /** The exit code main() returned. */
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function exoformInProcess(...args: string[]): Promise<InProcessRun> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  process.exitCode = undefined;
  try {
    const status = await main(["node", "exoform", ...args]);
    return { status, stdout: out.join(""), stderr: err.join("") };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
}

/** Write `value` (a string as it is, anything else as JSON) to `<dir>/<name>`; returns the path. */
export function writeInput(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}
