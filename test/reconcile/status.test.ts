import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import schema from "../../schema/reconcile-status.schema.json" with { type: "json" };
import { FileLockStore } from "../../lib/apply/index.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import type { ReconcileStatus } from "../../lib/reconcile/status.js";
import { convergedWorld } from "./world.js";

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

function expectValid(status: ReconcileStatus): void {
  expect(validate(JSON.parse(JSON.stringify(status))), JSON.stringify(validate.errors, null, 2)).toBe(true);
}

describe("the reconcile status document", () => {
  it("validates against schema/reconcile-status.schema.json for every kind of cycle: in sync, healed, skipped for the lock or the lease, failed", async () => {
    const w = await convergedWorld();
    const a = w.reconciler(["security", "access"], { leaseHolder: "replica-a" });
    expectValid(await a.cycle());

    w.tenant.adminAddGrant("support@contoso.com", "FullAccess", "frank.moss@contoso.com");
    w.tenant.adminConvert("harry.wells@contoso.com", "regular");
    const healed = await a.cycle();
    expect(healed.healed.length).toBeGreaterThan(0);
    expect(healed.awaitingReview.length).toBeGreaterThan(0);
    expectValid(healed);

    const lease = await w.reconciler([], { leaseHolder: "replica-b" }).cycle();
    expect(lease.skipped?.reason).toBe("LeaseHeld");
    expectValid(lease);

    w.tenant.adminAddGrant("support@contoso.com", "SendAs", "frank.moss@contoso.com");
    const held = await new FileLockStore(join(w.dir, "tenant.db.lock")).acquire({ tenantId: "contoso", planId: "sha256:x", holder: { who: "ci@runner", host: "runner", pid: 1 } });
    const locked = await a.cycle();
    await held.release();
    expect(locked.skipped?.reason).toBe("TenantLocked");
    expectValid(locked);

    (a as unknown as { ports: { loadDesired: () => never } }).ports.loadDesired = () => {
      throw new UserError("desired.json: not found", "file_system");
    };
    const failed = await a.cycle();
    expect(failed.error).toBeDefined();
    expectValid(failed);
  });
});
