/**
 * tenant.managementAttribute end to end (issue #13): with CustomAttribute3
 * named, plan and apply write exoform's tag into CustomAttribute3 and nothing
 * into CustomAttribute15, and a value someone else put in CustomAttribute3 is
 * the error; on the simulated tenant through the CLI (lib/cli/provider.ts
 * tells the tenant the attribute), and through the Microsoft provider against
 * the local endpoint, which keeps all fifteen attributes on the wire.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../lib/apply/index.js";
import type { CanonicalDesiredState } from "../../lib/model/normalize.js";
import { plan } from "../../lib/plan/index.js";
import { observe } from "../../lib/provider/observe.js";
import { loadFixture, SimulatedTenant, type TenantFixture } from "../../providers/simulated/index.js";
import { exoformInProcess, writeInput } from "../cli/in-process.js";
import { wiredProvider } from "../providers/microsoft/wire.js";
import { createTenant, desiredFrom, REPO, tempDir } from "./helpers.js";

const info = "info@contoso.com"; // removalPolicy "delete" in the contoso code: exoform creates it tagged
const support = "support@contoso.com"; // in the tenant already; removalPolicy "delete" here: exoform tags it
const TAG = "exoform:stack=contoso;removal=delete";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The contoso code (examples/contoso/desired-state.json) with its tag kept in CustomAttribute3, and support@ to be deleted when it leaves the code. */
function contosoDocument(): Record<string, unknown> {
  const doc = JSON.parse(readFileSync(join(REPO, "examples/contoso/desired-state.json"), "utf8")) as { tenant: Record<string, unknown>; sharedMailboxes: Array<Record<string, unknown>> };
  return {
    ...doc,
    tenant: { ...doc.tenant, managementAttribute: "CustomAttribute3" },
    sharedMailboxes: doc.sharedMailboxes.map((m) => (m["address"] === support ? { ...m, removalPolicy: "delete" } : m)),
  };
}
const desired: CanonicalDesiredState = desiredFrom(contosoDocument(), "contoso with tenant.managementAttribute CustomAttribute3");

/** Contoso with a department code someone put in support@'s CustomAttribute3. */
function contosoWithForeignValue(): TenantFixture {
  const f = loadFixture("contoso");
  return { ...f, mailboxes: f.mailboxes.map((m) => (m.address === support ? { ...m, customAttributes: { CustomAttribute3: "DEPT-42" } } : m)) };
}

function folder(name: string): string {
  const dir = tempDir(name);
  dirs.push(dir);
  return dir;
}

describe("tenant.managementAttribute on the simulated tenant, through the CLI", () => {
  it("applies the code with the tag written into CustomAttribute3, CustomAttribute15 untouched, and plans nothing after", async () => {
    const dir = folder("attr-cli");
    const tenant = join(dir, "tenant.db");
    const file = writeInput(dir, "desired.json", contosoDocument());
    expect((await exoformInProcess("tenant", "init", "--tenant", tenant)).status).toBe(0);
    const applied = await exoformInProcess("apply", "--desired", file, "--tenant", tenant, "--auto-approve");
    expect(applied.status, applied.stderr).toBe(0);
    const t = SimulatedTenant.open(tenant); // as another process reads it
    try {
      expect(await t.getCustomAttributes(info)).toEqual({ CustomAttribute3: TAG });
      expect(await t.getCustomAttributes(support)).toEqual({ CustomAttribute3: TAG });
      // the fixture's own CustomAttribute15 tag on a mailbox the code does not name is not read as exoform's any more
      expect(await t.getCustomAttributes("events-2025@contoso.com")).toEqual({ CustomAttribute15: TAG });
    } finally {
      t.close();
    }
    const again = await exoformInProcess("plan", "--desired", file, "--tenant", tenant, "--format", "json");
    expect(again.status, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { actions: unknown[] }).actions).toEqual([]);
  });

  it("applies a saved plan, with no desired state given, into the attribute the plan records", async () => {
    const dir = folder("attr-cli-saved");
    const tenant = join(dir, "tenant.db");
    const file = writeInput(dir, "desired.json", contosoDocument());
    const planFile = join(dir, "plan.json");
    expect((await exoformInProcess("tenant", "init", "--tenant", tenant)).status).toBe(0);
    const planned = await exoformInProcess("plan", "--desired", file, "--tenant", tenant, "--out", planFile);
    expect(planned.status, planned.stderr).toBe(0);
    expect((JSON.parse(readFileSync(planFile, "utf8")) as { managementAttribute?: string }).managementAttribute).toBe("CustomAttribute3");
    const applied = await exoformInProcess("apply", planFile, "--tenant", tenant);
    expect(applied.status, applied.stderr).toBe(0);
    const t = SimulatedTenant.open(tenant);
    try {
      expect(await t.getCustomAttributes(info)).toEqual({ CustomAttribute3: TAG });
      expect(await t.getCustomAttributes(support)).toEqual({ CustomAttribute3: TAG });
    } finally {
      t.close();
    }
  });

  it("refuses to plan over a value exoform did not write in CustomAttribute3, naming the mailbox, the attribute and the fixes", async () => {
    const dir = folder("attr-cli-foreign");
    const tenant = join(dir, "tenant.db");
    const file = writeInput(dir, "desired.json", contosoDocument());
    expect((await exoformInProcess("tenant", "init", "--tenant", tenant)).status).toBe(0);
    expect((await exoformInProcess("tenant", "set", "attribute", support, "CustomAttribute3", "DEPT-42", "--tenant", tenant)).status).toBe(0);
    const planned = await exoformInProcess("plan", "--desired", file, "--tenant", tenant);
    expect(planned.status).toBe(1);
    expect(planned.stdout + planned.stderr).toContain(`mailbox "${support}" has CustomAttribute3 = "DEPT-42", which exoform did not write`);
    expect(planned.stdout + planned.stderr).toContain("Set-Mailbox -CustomAttribute3 $null");
  });
});

describe("tenant.managementAttribute through the Microsoft provider against the local endpoint", () => {
  it("applies the code with the tag written as Set-Mailbox -CustomAttribute3, CustomAttribute15 untouched, and re-plans nothing", async () => {
    const tenant = createTenant(folder("attr-wire"));
    const wired = await wiredProvider(tenant);
    try {
      wired.provider.setManagementAttribute("CustomAttribute3"); // what the CLI's prepare() does with the code's tenant.managementAttribute
      const doc = plan(desired, await observe(wired.provider));
      expect(doc.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const result = await applyPlan(doc, wired.provider, { seed: 3 });
      expect(result.summary).toMatchObject({ failed: 0, notStarted: 0 });
      for (const address of [info, support]) expect(await tenant.getCustomAttributes(address)).toEqual({ CustomAttribute3: TAG });
      expect(tenant.readLog().filter((e) => e.operation === "updateMailbox" && e.target === support).map((e) => e.args)).toEqual([{ customAttributes: { CustomAttribute3: TAG } }]);
      expect(plan(desired, await observe(wired.provider)).actions).toEqual([]);
    } finally {
      await wired.stop();
      tenant.close();
    }
  });

  it("refuses to plan over a value exoform did not write in CustomAttribute3", async () => {
    const tenant = createTenant(folder("attr-wire-foreign"), contosoWithForeignValue());
    const wired = await wiredProvider(tenant);
    try {
      wired.provider.setManagementAttribute("CustomAttribute3");
      const errors = plan(desired, await observe(wired.provider)).diagnostics.filter((d) => d.severity === "error");
      expect(errors.map((d) => [d.code, d.target])).toEqual([["management_attribute_in_use", support]]);
      expect(errors[0]!.message).toContain('CustomAttribute3 = "DEPT-42"');
    } finally {
      await wired.stop();
      tenant.close();
    }
  });
});
