/**
 * The tenant side of every command: open the provider, and read it whole.
 * A failed read is an error that says nothing was concluded; it is never
 * taken to mean "absent" (the false-drift trap other tools fall into).
 */
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

/** Open the tenant a command's --tenant names (or the default), on the clock --clock / EXOFORM_CLOCK chose. */
export function openTenant(flag: string | undefined): SimulatedTenant {
  return SimulatedTenant.open(resolveTenantPath(flag), { clock: resolveClockMode() });
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
