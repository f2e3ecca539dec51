/**
 * providers/microsoft: the ITenantProvider for a real Microsoft 365 tenant,
 * Microsoft Graph v1.0 plus the Exchange Online admin API, in layers:
 * config (environment) -> auth (msal-node tokens) -> http (one fetch layer,
 * retries, errors) -> graph / exchange (each service's protocol) -> reads and
 * provider (the contract). docs/decisions/0009-microsoft-provider.md says why.
 */
export { MicrosoftProvider, openMicrosoftProvider, wallClock, type MicrosoftProviderOptions } from "./provider.js";
export { readSettings, DEFAULT_ORIGINS, type ClientCredential, type MicrosoftSettings } from "./config.js";
export { MsalTokenSource, scopeFor, decodeClaims, type Resource, type TokenClaims, type TokenSource } from "./auth.js";
export type { Cost, ServiceCost } from "./http.js";
