/**
 * The tenant side of every command: open the provider, and read it whole.
 * A failed read is an error that says nothing was concluded; it is never
 * taken to mean "absent" (the false-drift trap other tools fall into).
 */
import { accessSync, closeSync, constants, existsSync, openSync, readSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { UserError } from "../diagnostics/errors.js";
import type { CanonicalDesiredState } from "../model/normalize.js";
import { ProviderError } from "../provider/errors.js";
import { observe } from "../provider/observe.js";
import type { ObservedState } from "../provider/observed.js";
import type { ITenantProvider } from "../provider/provider.js";
import { SimulatedTenant, resolveClockMode, resolveTenantPath } from "../../providers/simulated/index.js";

/** The help of every command's --tenant option. */
export const TENANT_OPTION_HELP = "the simulated tenant file (default: $EXOFORM_TENANT, else .exoform/tenant.db)";

/**
 * Open the tenant a command's --tenant names (or the default), on the clock --clock / EXOFORM_CLOCK chose.
 * A file that cannot be opened as a tenant gets advice that never puts what is left of it at risk.
 */
export function openTenant(flag: string | undefined): SimulatedTenant {
  const path = resolveTenantPath(flag);
  try {
    return SimulatedTenant.open(path, { clock: resolveClockMode() });
  } catch (e) {
    if (!UserError.is(e) || e.diagnostics[0]?.code !== "tenant_schema") throw e;
    const detail = /is not an exoform simulated tenant \((.*)\); create one with/s.exec(e.message)?.[1] ?? e.message;
    throw new UserError([{ severity: "error", target: path, ...unusableTenant(path, detail) }]);
  }
}

/** Why the file at `path` is no tenant exoform can open (`detail`: what the open said), and what to do; a damaged tenant is copied before anything replaces it. */
function unusableTenant(path: string, detail: string): { code: string; message: string } {
  const dir = dirname(path);
  const name = basename(path);
  const canAccess = (p: string, mode: number) => {
    try {
      accessSync(p, mode);
      return true;
    } catch {
      return false;
    }
  };
  if (!canAccess(path, constants.R_OK)) {
    return { code: "tenant_unreadable", message: `this process may not read the tenant file (${detail}); make it readable (chmod u+r ${path}) or run as the user who owns it` };
  }
  if (!canAccess(dir, constants.W_OK) && !existsSync(`${path}-shm`)) {
    return {
      code: "tenant_folder_read_only",
      message:
        `the folder ${dir} is read-only (${detail}): SQLite keeps ${name}-wal and ${name}-shm next to the tenant file and must create them even to read it; ` +
        `make the folder writable (chmod u+w ${dir}), or copy the file to a writable folder (cp ${path} <folder>/) and pass --tenant <folder>/${name}`,
    };
  }
  const keep = `keep a copy of it, with its -wal file if there is one, before anything else (cp ${path} ${path}.damaged; cp ${path}-wal ${path}.damaged-wal), then start a new tenant there with exoform tenant init --fixture contoso --tenant ${path} --force (or your own fixture)`;
  if (!isSqliteFile(path)) {
    return {
      code: "tenant_damaged",
      message: `the file is not a SQLite database (${detail}): --tenant (or EXOFORM_TENANT) names another kind of file, or the tenant file is damaged; check the path, and if it is a damaged tenant, ${keep}`,
    };
  }
  if (/malformed|corrupt/i.test(detail)) {
    return { code: "tenant_damaged", message: `the tenant file is damaged (${detail}); ${keep}` };
  }
  return {
    code: "tenant_schema",
    message:
      `the file is a SQLite database but not an exoform simulated tenant (${detail}): --tenant (or EXOFORM_TENANT) may name another program's database, or a tenant that is damaged or from another exoform version; ` +
      `check the path, and if it is a tenant you cannot use, ${keep}`,
  };
}

/** The file starts with SQLite's header ("SQLite format 3" and a NUL). */
function isSqliteFile(path: string): boolean {
  const header = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString("latin1") === "SQLite format 3\0";
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Observe `provider` for `desired`. `consequence` finishes the sentence
 * "reading the tenant failed (...); <consequence>", e.g. "nothing was planned".
 */
export async function observeFor(
  provider: ITenantProvider,
  desired: CanonicalDesiredState,
  consequence: string,
  again: string,
): Promise<ObservedState> {
  const observed = await observeOrFail(provider, consequence, again);
  // a tenant is named by its id or one of its domains (a real tenant's id is a GUID; people write contoso.com)
  const want = desired.tenant.id.toLowerCase();
  if (observed.tenant.id.toLowerCase() !== want && !observed.tenant.domains.includes(want)) {
    throw new UserError(
      `the desired state is for tenant "${desired.tenant.id}" but the tenant read is "${observed.tenant.id}"; point --tenant at the right tenant`,
      "tenant_mismatch",
    );
  }
  return observed;
}

/** Observe `provider` whole; a failed read is a UserError saying `consequence` (see observeFor). */
export async function observeOrFail(provider: ITenantProvider, consequence: string, again: string): Promise<ObservedState> {
  try {
    return await observe(provider);
  } catch (e) {
    if (!ProviderError.is(e)) throw e;
    const d: Diagnostic = {
      severity: "error",
      code: "tenant_read_failed",
      target: e.target,
      location: provider.name,
      message: `reading the tenant failed (${e.operation}: ${e.code}: ${e.message}); ${consequence}; run ${again} again${e.retryable ? " (the error is transient)" : ""}`,
    };
    throw new UserError([d]);
  }
}
