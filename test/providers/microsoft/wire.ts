/**
 * The Microsoft provider pointed at a served simulated tenant, exactly as a
 * user points it: the `env` the endpoint hands out, NODE_EXTRA_CA_CERTS (the
 * test run's CA), and the endpoint's clock followed through its control API.
 */
import { openMicrosoftProvider, type MicrosoftProvider, type MicrosoftProviderOptions } from "../../../providers/microsoft/index.js";
import { EndpointClock } from "../../../providers/microsoft/endpoint-clock.js";
import type { EndpointOptions } from "../../../providers/local-endpoint/server.js";
import type { SimulatedTenant } from "../../../providers/simulated/index.js";
import { serve, type Served } from "../../local-endpoint/serve.js";

export interface WiredProvider {
  readonly served: Served;
  readonly provider: MicrosoftProvider;
  stop(): Promise<void>;
}

export async function wiredProvider(
  tenant: SimulatedTenant,
  options: { readonly endpoint?: Omit<EndpointOptions, "tenant" | "ca">; readonly provider?: Omit<MicrosoftProviderOptions, "settings">; readonly readOnly?: boolean } = {},
): Promise<WiredProvider> {
  const served = await serve(tenant, options.endpoint ?? {});
  const env = { ...served.endpoint.env, ...(options.readOnly ? served.endpoint.readOnly : {}) };
  const provider = await openMicrosoftProvider(env, { clock: new EndpointClock(served.origin), random: () => 0.5, ...(options.provider ?? {}) });
  return { served, provider, stop: () => served.stop() };
}
