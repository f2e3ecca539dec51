/**
 * providers/simulated: an embedded Exchange Online tenant in one SQLite file
 * (default .exoform/tenant.db) that implements ITenantProvider and enforces
 * the real service's rules (licensing, quotas, soft delete, readiness,
 * trustees, directory sync), with a tenant-owned clock (virtual by default),
 * deterministic fault injection (throttling, transient failures, latency,
 * crashes), an operation log, a request log for the local endpoint, and
 * fixtures (contoso, empty) that load and export in one JSON format. The CLI
 * surface is `exoform tenant ...` (lib/cli/commands/tenant.ts); see README.md
 * here.
 */
import { resolve } from "node:path";
import type { ITenantProvider } from "../../lib/provider/provider.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { SimulatedTenant } from "./tenant.js";

export { SimulatedTenant, RETENTION_MS, DISCONNECT_MS, MAX_FULL_ACCESS, attributeName, attributeNumber, CUSTOM_ATTRIBUTES } from "./tenant.js";
export type { CustomAttributes, LogEntry, MailboxUpdate, OpenOptions, ReadLogOptions, ReadRequestsOptions, RequestLogEntry } from "./tenant.js";
export {
  BUILTIN_FIXTURES,
  DEFAULT_FAULTS,
  DEFAULT_TIMING,
  loadFixture,
  normalizeFixture,
  validateFixture,
} from "./fixture.js";
export type {
  FaultSettings,
  FixtureGrant,
  FixtureMailbox,
  FixtureSku,
  FixtureUser,
  TenantFixture,
  TenantSettings,
  TimingSettings,
} from "./fixture.js";

/** Where the tenant lives when nothing says otherwise, relative to the working folder. */
export const DEFAULT_TENANT_PATH = ".exoform/tenant.db";

/** The tenant file: the --tenant flag, else $EXOFORM_TENANT, else .exoform/tenant.db (absolute). */
export function resolveTenantPath(flag?: string): string {
  // an empty variable is unset (a pipeline variable never given a value)
  const chosen = flag ?? (process.env["EXOFORM_TENANT"] || DEFAULT_TENANT_PATH);
  return resolve(chosen);
}

/** The clock mode: the --clock flag, else $EXOFORM_CLOCK, else "virtual". */
export function resolveClockMode(flag?: string): "virtual" | "real" {
  const chosen = flag ?? (process.env["EXOFORM_CLOCK"] || "virtual"); // empty counts as unset, like EXOFORM_TENANT
  if (chosen !== "virtual" && chosen !== "real") {
    throw new UserError(`clock mode "${chosen}" is not valid; use --clock virtual or --clock real`, "clock_mode");
  }
  return chosen;
}

// compile-time check: the simulated tenant fulfils the provider contract
const _check: (t: SimulatedTenant) => ITenantProvider = (t) => t;
void _check;
