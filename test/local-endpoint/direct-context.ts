/**
 * An EndpointContext without a server, throttling or read lag: protocol
 * modules' unit tests call their handlers with it, over a real simulated
 * tenant. The wire tests (server.test.ts and friends) use the real server.
 */
import type { EndpointContext } from "../../providers/local-endpoint/context.js";
import type { Caller } from "../../providers/local-endpoint/wire.js";
import { APPLY_APP, READ_ONLY_APP } from "../../providers/local-endpoint/permissions.js";
import { SimulatedTenant, loadFixture } from "../../providers/simulated/index.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function directContext(tenant: SimulatedTenant, origin = "https://127.0.0.1:1"): EndpointContext {
  const info = JSON.parse(JSON.stringify(tenant.exportFixture().tenant)) as { id: string; domains: string[] };
  return {
    tenant,
    tenantId: info.id,
    domains: info.domains,
    origin,
    nowMs: () => tenant.nowMs(),
    admit: () => null,
    reads: () => tenant,
    write: (_view, _keys, run) => run(tenant),
  };
}

/** A new contoso tenant (or another built-in fixture) in a temporary folder. */
export function tempTenant(fixture = "contoso"): SimulatedTenant {
  const dir = mkdtempSync(join(tmpdir(), "exoform-endpoint-"));
  return SimulatedTenant.create(join(dir, "tenant.db"), loadFixture(fixture));
}

/** The caller of the full-permission app (what `exoform tenant serve` registers as the apply client). */
export function applyCaller(tenantId: string): Caller {
  return { appId: "apply-app", tenantId, roles: new Set([...APPLY_APP.graph, ...APPLY_APP.exchange]), wids: new Set(APPLY_APP.wids) };
}

/** The caller of the read-only app: can plan and drift, never apply. */
export function readOnlyCaller(tenantId: string): Caller {
  return { appId: "read-app", tenantId, roles: new Set([...READ_ONLY_APP.graph, ...READ_ONLY_APP.exchange]), wids: new Set(READ_ONLY_APP.wids) };
}
