/**
 * Scale benchmark of the simulated tenant: builds a fixture of 100,000
 * mailboxes and 1,000,000 grants in memory, inits it into a temporary db and
 * times the init and each bulk read. Targets: init < 30 s, listGrants < 2 s.
 *
 *   npx tsx bench/tenant-scale.ts [--mailboxes 100000] [--grants-per-mailbox 10]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { SimulatedTenant, type TenantFixture } from "../providers/simulated/index.js";
import type { Right } from "../lib/provider/observed.js";

export interface ScaleFigures {
  readonly mailboxes: number;
  readonly grants: number;
  readonly timingsMs: Readonly<Record<string, number>>;
}

/** A deterministic fixture: `mailboxes` mailboxes (1 in 5 shared), each anchored to its own user, `perMailbox` grants each. */
export function scaleFixture(mailboxes: number, perMailbox: number): TenantFixture {
  const domain = "scale.example";
  const users: Array<TenantFixture["users"][number]> = [];
  const boxes: Array<TenantFixture["mailboxes"][number]> = [];
  const grants: Array<TenantFixture["grants"][number]> = [];
  const upn = (i: number) => `u${String(i).padStart(6, "0")}@${domain}`;
  let licensed = 0;
  for (let i = 0; i < mailboxes; i++) {
    const shared = i % 5 === 0;
    const id = `u-${String(i + 1).padStart(6, "0")}`;
    if (!shared) licensed++;
    users.push({
      id,
      userPrincipalName: upn(i),
      displayName: `User ${i}`,
      accountEnabled: !shared,
      usageLocation: "US",
      licenses: shared ? [] : ["EXCHANGESTANDARD"],
    });
    boxes.push({ address: upn(i), displayName: `User ${i}`, type: shared ? "shared" : "user", userId: id, sizeBytes: (i % 40) * 2 ** 30 });
  }
  const rights: Right[] = ["FullAccess", "SendAs", "SendOnBehalf"];
  for (let i = 0; i < mailboxes; i++) {
    for (let k = 0; k < perMailbox; k++) {
      const right = rights[k % 3]!;
      const trustee = upn((i + 1 + k * 7919) % mailboxes);
      grants.push(right === "FullAccess" ? { mailbox: upn(i), right, trustee, autoMapping: k % 2 === 0 } : { mailbox: upn(i), right, trustee });
    }
  }
  return {
    formatVersion: 1,
    tenant: { id: "scale", domains: [domain], hybrid: false },
    clock: "2026-11-01T09:00:00.000Z",
    skus: [{ skuPartNumber: "EXCHANGESTANDARD", skuId: "4b9405b0-7788-4568-add1-99614e613b69", prepaidUnits: licensed, servicePlans: ["EXCHANGE_S_STANDARD"] }],
    users,
    mailboxes: boxes,
    grants,
  };
}

export async function runTenantScale(mailboxes = 100_000, perMailbox = 10): Promise<ScaleFigures> {
  const dir = mkdtempSync(join(tmpdir(), "exoform-scale-"));
  const timings: Record<string, number> = {};
  const time = async <T>(label: string, fn: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    const value = await fn();
    timings[label] = Math.round(performance.now() - start);
    return value;
  };
  try {
    const fixture = await time("generate", () => scaleFixture(mailboxes, perMailbox));
    const tenant = await time("init", () => SimulatedTenant.create(join(dir, "tenant.db"), fixture));
    await time("listSkus", () => tenant.listSkus());
    await time("listUsers", () => tenant.listUsers());
    await time("listMailboxes", () => tenant.listMailboxes());
    const grants = await time("listGrants", () => tenant.listGrants());
    await time("one write (remove grant)", async () => {
      await tenant.clock.sleep(1);
      await tenant.removeMailboxPermission(fixture.grants[0]!.mailbox, fixture.grants[0]!.trustee);
    });
    tenant.close();
    return { mailboxes, grants: grants.length, timingsMs: timings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await runTenantScale(flag("--mailboxes", 100_000), flag("--grants-per-mailbox", 10));
  process.stdout.write(`tenant scale: ${figures.mailboxes} mailboxes, ${figures.grants} grants\n`);
  for (const [label, ms] of Object.entries(figures.timingsMs)) process.stdout.write(`  ${label.padEnd(22)} ${String(ms).padStart(7)} ms\n`);
}
