/**
 * Which tenant a command talks to: the embedded simulated tenant (the
 * default) or a Microsoft 365 tenant through Graph and the Exchange admin API
 * (`--provider microsoft` or EXOFORM_PROVIDER=microsoft, credentials from the
 * Azure SDK variables). The only place the CLI chooses an implementation;
 * everything after this sees an ITenantProvider.
 */
import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { ManagementAttribute } from "../model/management-tag.js";
import { UserError } from "../diagnostics/errors.js";
import type { ITenantProvider, TenantClock } from "../provider/provider.js";
import { resolveClockMode, resolveTenantPath } from "../../providers/simulated/index.js";
import { DEFAULT_ORIGINS, openMicrosoftProvider, readSettings, type MicrosoftProvider } from "../../providers/microsoft/index.js";
import { EndpointClock } from "../../providers/microsoft/endpoint-clock.js";
import { openTenant } from "./tenant.js";

export const PROVIDERS = ["simulated", "microsoft"] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

/** The help of the global --provider option. */
export const PROVIDER_OPTION_HELP = "the tenant to talk to: simulated (the embedded tenant; the default) or microsoft (Graph and the Exchange admin API, credentials from AZURE_* variables); same as EXOFORM_PROVIDER";

/** The provider kind: the --provider flag (mirrored into EXOFORM_PROVIDER), else simulated. */
export function resolveProviderKind(flag?: string): ProviderKind {
  const chosen = flag ?? (process.env["EXOFORM_PROVIDER"] || "simulated");
  if (!(PROVIDERS as readonly string[]).includes(chosen)) {
    throw new UserError(`provider "${chosen}" is not known; use --provider simulated or --provider microsoft (or EXOFORM_PROVIDER)`, "provider_unknown");
  }
  return chosen as ProviderKind;
}

/**
 * Where apply keeps the lock and journals of the tenant the options name, without opening it (force-unlock
 * needs no credentials). A simulated tenant's lock is next to its file, so every process applying to it sees
 * the same lock; a Microsoft tenant's is in the state folder, by AZURE_TENANT_ID.
 */
export function tenantStatePaths(options: { readonly tenant?: string | undefined; readonly stateDir?: string | undefined }): { lockPath: string; stateDir: string } {
  if (resolveProviderKind() === "simulated") {
    const path = resolveTenantPath(options.tenant);
    // the lock is next to the file itself: a symbolic link to it (or to its folder) names the same lock
    return { lockPath: `${realTenantPath(path)}.lock`, stateDir: options.stateDir !== undefined ? resolve(options.stateDir) : defaultStateDir(path) };
  }
  const stateDir = resolve(options.stateDir ?? ".exoform");
  const tenantId = (process.env["AZURE_TENANT_ID"] ?? "").trim().toLowerCase();
  if (tenantId === "") throw new UserError("AZURE_TENANT_ID is not set; with --provider microsoft it names the tenant (its id or a verified domain)", "usage");
  return { lockPath: join(stateDir, `microsoft-${tenantId.replace(/[^a-z0-9.-]/g, "_")}.lock`), stateDir };
}

export interface OpenedProvider {
  readonly kind: ProviderKind;
  readonly provider: ITenantProvider;
  /** Where apply keeps its lock for this tenant. */
  readonly lockPath: string;
  /** Where journals live by default. */
  readonly stateDir: string;
  /** Requests, throttled answers and retries so far (the Microsoft provider); null for the simulated tenant. */
  cost(): ReturnType<MicrosoftProvider["cost"]> | null;
  /**
   * Prepare to plan or check `desired` (null: read everything, as export does): refuse a desired state for
   * another tenant (the Microsoft provider checks the token's tenant), and read per-mailbox permissions only
   * for the mailboxes the code declares or exoform tags (FullAccess has no bulk read on the real service).
   */
  prepare(desired: { readonly tenant: { readonly id: string; readonly managementAttribute?: ManagementAttribute }; readonly sharedMailboxes: ReadonlyArray<{ readonly address: string }> } | null): Promise<void>;
  close(): Promise<void>;
}

/** Open the tenant the options and environment name. `tenant` is the simulated tenant's --tenant flag. */
export async function openProvider(options: { readonly tenant?: string | undefined; readonly stateDir?: string | undefined }): Promise<OpenedProvider> {
  const kind = resolveProviderKind();
  if (kind === "simulated") {
    const tenant = openTenant(options.tenant);
    return {
      kind,
      provider: tenant,
      ...tenantStatePaths(options),
      cost: () => null,
      // the tag is read from and written to the attribute the code names, as against Microsoft
      prepare: async (desired) => tenant.setManagementAttribute(desired?.tenant.managementAttribute ?? null),
      close: async () => tenant.close(),
    };
  }
  if (options.tenant !== undefined) {
    throw new UserError("--tenant names a simulated tenant file; with --provider microsoft the tenant comes from AZURE_TENANT_ID", "usage");
  }
  const settings = readSettings(process.env);
  const clock = await clockFor(settings.graphUrl);
  const provider = await openMicrosoftProvider(process.env, clock ? { clock } : {});
  return {
    kind,
    provider,
    ...tenantStatePaths(options),
    cost: () => provider.cost(),
    prepare: async (desired) => {
      if (desired === null) return provider.setGrantScope(null);
      await provider.assertTenant(desired.tenant.id);
      // the tag is read from and written to the attribute the code names (default CustomAttribute15)
      provider.setManagementAttribute(desired.tenant.managementAttribute ?? null);
      const declared = new Set(desired.sharedMailboxes.map((m) => m.address.toLowerCase()));
      provider.setGrantScope((address, tag) => declared.has(address) || tag !== null);
    },
    close: async () => undefined,
  };
}

/** The tenant file with every symbolic link resolved: the file's, else (not created yet) its folder's real path. */
function realTenantPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

/** Where journals live by default: the .exoform folder the simulated tenant is in, or one next to it. */
export function defaultStateDir(tenantPath: string): string {
  const dir = dirname(tenantPath);
  return basename(dir) === ".exoform" ? dir : join(dir, ".exoform");
}

/**
 * Against Microsoft the clock is wall time. Against a local endpoint (`exoform tenant serve`) on a virtual
 * clock, the provider follows the endpoint's clock, so its waits take tenant time (docs/decisions/0008).
 * --clock real (EXOFORM_CLOCK=real) keeps wall time everywhere.
 */
async function clockFor(graphUrl: string): Promise<TenantClock | null> {
  if (resolveClockMode() === "real") return null;
  const host = new URL(graphUrl).host;
  if (Object.values(DEFAULT_ORIGINS).some((o) => new URL(o).host === host) || /(^|\.)microsoft(online)?\.(com|us)$|\.cn$/.test(host)) return null;
  return (await EndpointClock.available(graphUrl)) ? new EndpointClock(graphUrl) : null;
}

/**
 * The cost of a command against Microsoft, on stderr (stdout stays the command's result): requests per
 * service, throttled answers, retries. Nothing for the simulated tenant, whose calls cost nothing.
 */
export function reportCost(opened: OpenedProvider, stream: NodeJS.WritableStream = process.stderr): void {
  const cost = opened.cost();
  if (cost === null) return;
  const parts = Object.entries(cost)
    .filter(([, c]) => c.requests > 0)
    .map(([service, c]) => `${service} ${c.requests} request${c.requests === 1 ? "" : "s"} (${c.throttled} throttled, ${c.retries} retried)`);
  stream.write(`cost: ${parts.length > 0 ? parts.join(", ") : "no requests"}\n`);
}
