/** Shared set-up for the simulated tenant's tests: throwaway tenants in a temp folder. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { loadFixture, SimulatedTenant, type TenantFixture } from "../../../providers/simulated/index.js";

export const MINUTE = 60_000;
export const DAY = 86_400_000;
export const GB = 1024 ** 3;

/** A temp folder removed after the file's tests, and a counter for unique db names. */
export function tempTenants(): { path(name?: string): string; contoso(): SimulatedTenant; from(f: TenantFixture): SimulatedTenant } {
  const dir = mkdtempSync(join(tmpdir(), "exoform-sim-"));
  const opened: SimulatedTenant[] = [];
  let n = 0;
  afterAll(() => {
    for (const t of opened) t.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const path = (name?: string) => join(dir, name ?? `tenant-${++n}.db`);
  const from = (f: TenantFixture) => {
    const t = SimulatedTenant.create(path(), f);
    opened.push(t);
    return t;
  };
  return { path, from, contoso: () => from(loadFixture("contoso")) };
}
