/**
 * `exoform doctor`: can this machine, with these settings, read the tenant
 * (plan, drift, export) and apply to it? The first command to run against a
 * new tenant. It checks, in order, and reports every finding, not the first:
 *
 *   1. settings: the provider; for Microsoft the variables, the credential
 *      kind, the endpoints (public cloud, sovereign, local) and the CA file a
 *      non-Microsoft endpoint needs;
 *   2. a token for each API (Graph, Exchange), or Entra's AADSTS error;
 *   3. what each token carries (application permissions, directory roles),
 *      against what reading and applying need: the table the provider
 *      explains its 403s with (providers/microsoft/permissions.ts needOf), so
 *      doctor and the provider never disagree; each missing piece names the
 *      permission to grant or the role to assign;
 *   4. one cheap read on each API, with its latency;
 *   5. with --desired/--app: the desired state's tenant is the one the
 *      credentials sign in to.
 * For the simulated tenant: the file opens; its id, clock and the faults on.
 *
 * Exit 0: everything apply needs is in place. 2: it can read but not apply (a
 * read-only app: a valid setup for plan and drift pipelines). 1: it cannot
 * read, or a check failed. Secrets and tokens are never printed: variables
 * are named, values of secrets are not, and every message passes redact().
 */
import type { Command } from "commander";
import { performance } from "node:perf_hooks";
import { existsSync } from "node:fs";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { UserError } from "../../diagnostics/errors.js";
import { ProviderError } from "../../provider/errors.js";
import { DEFAULT_ORIGINS, MicrosoftProvider, readSettings, scopeFor, type MicrosoftSettings, type Resource, type TokenClaims } from "../../../providers/microsoft/index.js";
import { needOf, type Need } from "../../../providers/microsoft/permissions.js";
import { redact } from "../../../providers/microsoft/secrets.js";
import { resolveTenantPath, type FaultSettings } from "../../../providers/simulated/index.js";
import { loadDesired } from "../desired.js";
import { EXIT } from "../exit.js";
import { withJsonErrors } from "../json-errors.js";
import { formatOf, formatOption, TEXT_OR_JSON, wantsJson, type FormatOptions } from "../options.js";
import { printJson } from "../output.js";
import { resolveProviderKind, type ProviderKind } from "../provider.js";
import { TENANT_OPTION_HELP, openTenant } from "../tenant.js";

export type CheckStatus = "ok" | "warn" | "fail";

/** One finding; schema/doctor.schema.json. */
export interface Check {
  /** What was checked: provider, settings, credential, endpoints, tls, token:<api>, permissions:<api>, read, apply, api:<api>, tenant, desired, tenant-file, clock, faults. */
  readonly name: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** What to do about it, for warn and fail. */
  readonly fix?: string;
}

/** What `exoform doctor --format json` prints (schema/doctor.schema.json). */
export interface DoctorReport {
  readonly formatVersion: 1;
  readonly provider: ProviderKind;
  readonly checks: readonly Check[];
  /** plan, drift and export will work. */
  readonly canRead: boolean;
  /** apply will work (implies canRead). */
  readonly canApply: boolean;
  /** The tenant the credentials sign in to (the simulated tenant's), when known. */
  readonly tenant: { readonly id: string; readonly domains: readonly string[] } | null;
}

interface DoctorCliOptions extends FormatOptions {
  readonly desired?: string;
  readonly app?: string;
  readonly stack?: string;
  readonly tenant?: string;
}

export function register(program: Command): void {
  const command = program
    .command("doctor")
    .description("check the settings, credentials, permissions and connectivity to the tenant, and say what is missing (exit 0: can apply, 2: can read only, 1: cannot read or a check failed)")
    .option("--desired <file>", "also check that this desired-state document is for the tenant the credentials sign in to")
    .option("--app <command>", "the same, for the desired state this program synthesizes")
    .option("--stack <name>", "the stack to check, when the app synthesizes several")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action((options: DoctorCliOptions) =>
      withJsonErrors(wantsJson(options), async () => {
        const format = formatOf(options, TEXT_OR_JSON, "a doctor output");
        const report = await diagnose(options);
        if (format === "json") printJson(report);
        else process.stdout.write(renderDoctor(report));
        process.exitCode = doctorExitCode(report);
      }),
    );
  formatOption(command, TEXT_OR_JSON, "text");
}

/** 1 when a check failed or the tenant cannot be read; 2 when it can be read but not applied to; else 0. */
export function doctorExitCode(report: DoctorReport): number {
  if (!report.canRead || report.checks.some((c) => c.status === "fail")) return EXIT.error;
  return report.canApply ? EXIT.ok : EXIT.changes;
}

const MARK: Readonly<Record<CheckStatus, string>> = { ok: "✓", warn: "!", fail: "✗" };

/** One line per check, the fix indented below it, then the conclusion. */
export function renderDoctor(report: DoctorReport): string {
  const lines = report.checks.flatMap((c) => [`${MARK[c.status]} ${c.name}: ${c.message}`, ...(c.fix !== undefined ? [`    fix: ${c.fix}`] : [])]);
  const verdict = report.canApply
    ? "can read (plan, drift, export) and apply"
    : report.canRead
      ? "can read (plan, drift, export) but not apply"
      : "cannot read the tenant";
  const failed = report.checks.filter((c) => c.status === "fail").length;
  lines.push("", `${verdict}${failed > 0 ? `; ${failed} check${failed === 1 ? "" : "s"} failed` : ""} (exit ${doctorExitCode(report)})`);
  return `${lines.join("\n")}\n`;
}

/** Run every check for the provider the options and environment name. */
export async function diagnose(options: DoctorCliOptions): Promise<DoctorReport> {
  const kind = resolveProviderKind();
  const checks: Check[] = [];
  const add = (check: Check): void => {
    checks.push({ ...check, message: redact(check.message), ...(check.fix !== undefined ? { fix: redact(check.fix) } : {}) });
  };
  const found = kind === "simulated" ? await diagnoseSimulated(options, add) : await diagnoseMicrosoft(options, add);
  return { formatVersion: 1, provider: kind, checks, ...found };
}

type Add = (check: Check) => void;
interface Found {
  readonly canRead: boolean;
  readonly canApply: boolean;
  readonly tenant: DoctorReport["tenant"];
}

// ------------------------------------------------------------------ simulated

async function diagnoseSimulated(options: DoctorCliOptions, add: Add): Promise<Found> {
  add({ name: "provider", status: "ok", message: "simulated: the embedded tenant (use --provider microsoft, or EXOFORM_PROVIDER=microsoft, for a Microsoft 365 tenant)" });
  const path = resolveTenantPath(options.tenant);
  let tenant: ReturnType<typeof openTenant>;
  try {
    tenant = openTenant(options.tenant);
  } catch (e) {
    addErrors("tenant-file", e, add);
    await checkDesired(options, null, add);
    return { canRead: false, canApply: false, tenant: null };
  }
  try {
    const info = await tenant.readTenant();
    add({ name: "tenant-file", status: "ok", message: `${path} opens: tenant ${info.id} (domains: ${info.domains.join(", ") || "none"})` });
    add({ name: "clock", status: "ok", message: `${tenant.clockMode} clock at ${new Date(tenant.nowMs()).toISOString()}` });
    const on = faultsOn(tenant.faults());
    add(
      on.length === 0
        ? { name: "faults", status: "ok", message: "no fault injection is on" }
        : { name: "faults", status: "warn", message: `fault injection is on: ${on.join("; ")}`, fix: "expected in a rehearsal; otherwise turn them off with: exoform tenant faults clear" },
    );
    await checkDesired(options, async (desiredId) => {
      const want = desiredId.toLowerCase();
      if (info.id.toLowerCase() === want || info.domains.includes(want)) return null;
      return `the desired state is for tenant "${desiredId}", but the simulated tenant is "${info.id}" (domains: ${info.domains.join(", ") || "none"})`;
    }, add, "point --tenant at the right tenant file, or fix tenant.id in the code");
    return { canRead: true, canApply: true, tenant: { id: info.id, domains: [...info.domains] } };
  } finally {
    tenant.close();
  }
}

/** The fault settings that are on, in a few words each (wire throttling, the service's own behaviour, is not a fault). */
function faultsOn(f: FaultSettings): string[] {
  const on: Array<string | null> = [
    f.writesPerSecond !== null ? `throttle ${f.writesPerSecond} writes/s` : null,
    f.transientRate > 0 ? `transient failures on ${f.transientRate} of writes` : null,
    f.latencyMs > 0 ? `${f.latencyMs} ms latency per write` : null,
    f.crashAfterWrites !== null ? `crash after ${f.crashAfterWrites} more writes` : null,
    f.failReads > 0 ? `the next ${f.failReads} bulk reads fail` : null,
    f.wireErrorRate > 0 ? `${f.wireErrorRate} of requests answered 503/504 over the wire` : null,
    f.wireSlowRate > 0 ? `${f.wireSlowRate} of responses held ${f.wireSlowMs} ms` : null,
    f.wireResetRate > 0 ? `${f.wireResetRate} of connections reset` : null,
    f.wireLostResponseRate > 0 ? `${f.wireLostResponseRate} of write responses lost` : null,
    f.readLagMs > 0 ? `read lag ${f.readLagMs} ms` : null,
  ];
  return on.filter((s): s is string => s !== null);
}

// ------------------------------------------------------------------ microsoft

type Service = Resource;
const API: Readonly<Record<Service, string>> = { graph: "Microsoft Graph", exchange: "Office 365 Exchange Online" };
const SERVICES: readonly Service[] = ["graph", "exchange"];

/** Directory roles by template id (tokens carry them in `wids`), as Entra names them. */
const ROLE_NAMES: Readonly<Record<string, string>> = {
  "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
  "31392ffb-586c-42d1-9346-e59415a2cc4e": "Exchange Recipient Administrator",
  "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
  "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
  "4d6ac14f-3453-41d0-bef9-a3e0c569773a": "License Administrator",
  "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
};
const GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const roleName = (id: string): string => ROLE_NAMES[id] ?? id;

type Capability = "read" | "apply";

/**
 * What plan/drift/export (read) and apply call, by API and contract operation. What each needs
 * comes from needOf (providers/microsoft/permissions.ts); apply needs the reads too.
 */
const USES: Readonly<Record<Capability, ReadonlyArray<{ readonly service: Service; readonly operation: string; readonly purpose: string }>>> = {
  read: [
    { service: "graph", operation: "readTenant", purpose: "read the organization, its users and licenses" },
    { service: "exchange", operation: "listMailboxes", purpose: "read mailboxes and their permissions" },
  ],
  apply: [
    { service: "graph", operation: "assignLicense", purpose: "assign and remove licenses" },
    { service: "graph", operation: "setAccountEnabled", purpose: "block sign-in to shared mailboxes" },
    { service: "graph", operation: "setUsageLocation", purpose: "set a usage location before licensing" },
    { service: "graph", operation: "resetPassword", purpose: "reset the password of a mailbox's account" },
    { service: "graph", operation: "restoreUser", purpose: "restore a deleted mailbox's account" },
    { service: "exchange", operation: "createSharedMailbox", purpose: "create, change and remove mailboxes and grant permissions" },
  ],
};

/** One thing a token lacks: an application permission (any of `anyOf`) or a directory role (any of `anyOf`). */
interface Missing {
  readonly service: Service;
  readonly kind: "permission" | "role";
  readonly anyOf: readonly string[];
  readonly purposes: string[];
}

/** What the tokens lack for `capability`, one entry per permission or role, in the order of USES. */
function missingFor(capability: Capability, claims: Readonly<Partial<Record<Service, TokenClaims>>>): Missing[] {
  const out = new Map<string, Missing>();
  const note = (m: Omit<Missing, "purposes">, purpose: string): void => {
    const key = `${m.service}|${m.kind}|${m.anyOf.join(",")}`;
    const known = out.get(key);
    if (known === undefined) out.set(key, { ...m, purposes: [purpose] });
    else if (!known.purposes.includes(purpose)) known.purposes.push(purpose);
  };
  for (const use of USES[capability]) {
    const held = claims[use.service];
    if (held === undefined) continue;
    const need: Need = needOf(use.service, use.operation);
    for (const anyOf of need.permissions) if (!anyOf.some((p) => held.roles.includes(p))) note({ service: use.service, kind: "permission", anyOf }, use.purpose);
    if (need.roles !== undefined && !need.roles.some((r) => held.wids.includes(r))) {
      // the read-only role first: least privilege for reading
      const roles = [...need.roles].sort((a, b) => Number(b === GLOBAL_READER) - Number(a === GLOBAL_READER));
      note({ service: use.service, kind: "role", anyOf: roles }, use.purpose);
    }
  }
  return [...out.values()];
}

/** The sentence and the fix for one missing piece. */
function describeMissing(capability: Capability, m: Missing, held: TokenClaims): { message: string; fix: string } {
  const who = capability === "read" ? "plan, drift and export need" : "apply needs";
  const [first = "", ...others] = m.anyOf;
  if (m.kind === "permission") {
    const carried = held.roles.length > 0 ? `carries ${[...held.roles].sort().join(", ")}` : "carries no application permissions";
    return {
      message: `${who} the application permission ${first} on ${API[m.service]} to ${m.purposes.join("; ")}${others.length > 0 ? ` (${others.join(" or ")} would also do)` : ""}; the ${API[m.service]} token ${carried}`,
      fix: `grant the application permission ${first} on ${API[m.service]} and give admin consent`,
    };
  }
  const names = m.anyOf.map(roleName);
  const heldRoles = held.wids.length > 0 ? held.wids.map(roleName).join(", ") : "none";
  return {
    message: `${who} the Entra role ${names.join(" or ")} on the app's service principal to ${m.purposes.join("; ")}; the ${API[m.service]} token carries directory roles: ${heldRoles}`,
    fix: `assign the Entra role ${roleName(first)}${others.length > 0 ? ` (or ${others.map(roleName).join(", or ")})` : ""} to the app's service principal`,
  };
}

async function diagnoseMicrosoft(options: DoctorCliOptions, add: Add): Promise<Found> {
  const none: Found = { canRead: false, canApply: false, tenant: null };
  add({ name: "provider", status: "ok", message: "microsoft: Microsoft Graph and the Exchange Online admin API, credentials from AZURE_* variables" });
  if (options.tenant !== undefined) {
    add({ name: "settings", status: "fail", message: "--tenant names a simulated tenant file, and the Microsoft provider takes its tenant from AZURE_TENANT_ID", fix: "drop --tenant, or use --provider simulated" });
  }

  // 1. settings
  let settings: MicrosoftSettings | null = null;
  try {
    settings = readSettings(process.env);
  } catch (e) {
    addErrors("settings", e, add);
  }
  if (settings === null) {
    await checkDesired(options, null, add);
    return none;
  }
  add({ name: "settings", status: "ok", message: `AZURE_TENANT_ID is ${settings.tenantId}, AZURE_CLIENT_ID is ${settings.clientId}` });
  add({ name: "credential", status: "ok", message: credentialText(settings) });
  const endpoints = classifyEndpoints(settings);
  add(endpoints.check);
  const trust = endpoints.microsoft ? null : trustCheck(settings);
  if (trust !== null) add(trust);

  let provider: MicrosoftProvider;
  try {
    provider = new MicrosoftProvider({ settings, timeoutMs: 30_000, maxRetries: 2 });
  } catch (e) {
    // a certificate file that cannot be read or opened
    addErrors("credential", e, add);
    await checkDesired(options, null, add);
    return none;
  }

  // 2. tokens
  const claims: Partial<Record<Service, TokenClaims>> = {};
  for (const service of SERVICES) {
    const scope = scopeFor(service, service === "graph" ? settings.graphUrl : settings.exchangeUrl);
    const started = performance.now();
    try {
      const held = await provider.claims(service);
      claims[service] = held;
      const minutes = Math.round((held.expiresAt - Date.now()) / 60_000);
      add({ name: `token:${service}`, status: "ok", message: `acquired for ${scope} in ${ms(started)}: tenant ${held.tid || "(none)"}, app ${held.appId || "(none)"}, valid for ${minutes} min` });
    } catch (e) {
      add(tokenFailure(service, scope, settings, e, trust !== null && trust.status !== "ok"));
    }
  }

  // 3. what the tokens carry, against what reading and applying need
  for (const service of SERVICES) {
    const held = claims[service];
    if (held === undefined) continue;
    const roles = held.roles.length > 0 ? [...held.roles].sort().join(", ") : "none";
    const wids = held.wids.length > 0 ? held.wids.map(roleName).join(", ") : "none";
    add({ name: `permissions:${service}`, status: "ok", message: `the ${API[service]} token carries application permissions: ${roles}; directory roles: ${wids}` });
  }
  const withoutToken = SERVICES.filter((s) => claims[s] === undefined);
  const readMissing = missingFor("read", claims);
  const applyMissing = missingFor("apply", claims).filter((m) => !readMissing.some((r) => r.service === m.service && r.anyOf.join() === m.anyOf.join()));

  // 4. a cheap read on each API
  let tenant: DoctorReport["tenant"] = null;
  let graphAnswers = false;
  let exchangeAnswers = false;
  if (claims.graph !== undefined) {
    const started = performance.now();
    try {
      const info = await provider.readTenant();
      tenant = { id: info.id, domains: [...info.domains] };
      graphAnswers = true;
      add({ name: "api:graph", status: "ok", message: `GET /organization answered in ${ms(started)} (${settings.graphUrl}); verified domains: ${info.domains.join(", ") || "none"}` });
    } catch (e) {
      add(apiFailure("graph", "GET /organization", settings.graphUrl, e));
    }
  }
  if (claims.exchange !== undefined) {
    // no cheap listing exists on the provider: a point read of an address that does not exist (two Get-Mailbox calls)
    const domain = tenant?.domains.find((d) => d.endsWith(".onmicrosoft.com")) ?? tenant?.domains[0] ?? (settings.tenantId.includes(".") ? settings.tenantId : "example.invalid");
    const started = performance.now();
    try {
      await provider.getMailbox(`exoform-doctor-probe@${domain}`);
      exchangeAnswers = true;
      add({ name: "api:exchange", status: "ok", message: `Get-Mailbox answered in ${ms(started)} (${settings.exchangeUrl})` });
    } catch (e) {
      add(apiFailure("exchange", "Get-Mailbox", settings.exchangeUrl, e));
    }
  }

  // the conclusions, every missing piece on its own line
  for (const m of readMissing) {
    // a role the token does not show, while Exchange answers: granted another way (Exchange RBAC for applications)
    const answered = m.kind === "role" && (m.service === "exchange" ? exchangeAnswers : graphAnswers);
    const { message, fix } = describeMissing("read", m, claims[m.service]!);
    add(answered ? { name: "read", status: "warn", message: `${message}, yet ${API[m.service]} answered: the access may come from Exchange RBAC for applications, which tokens do not show`, fix } : { name: "read", status: "fail", message, fix });
  }
  const readBlocked = readMissing.some((m) => !(m.kind === "role" && (m.service === "exchange" ? exchangeAnswers : graphAnswers)));
  const canRead = withoutToken.length === 0 && !readBlocked && graphAnswers && exchangeAnswers;
  if (withoutToken.length > 0) {
    const why = `no token for ${withoutToken.map((s) => API[s]).join(" or ")} (see token:${withoutToken.join(", token:")})`;
    add({ name: "read", status: "fail", message: `cannot tell what plan, drift and export may do: ${why}` });
  } else if (canRead) {
    add({ name: "read", status: "ok", message: "plan, drift and export can read the tenant" });
  }
  for (const m of applyMissing) add({ name: "apply", status: "warn", ...describeMissing("apply", m, claims[m.service]!) });
  const canApply = canRead && applyMissing.length === 0;
  if (canApply) add({ name: "apply", status: "ok", message: "apply has every permission and role it needs" });
  else if (canRead && applyMissing.length > 0) {
    add({ name: "apply", status: "warn", message: `the app can read but not apply: ${applyMissing.length} permission${applyMissing.length === 1 ? " or role is" : "s or roles are"} missing (above); a valid setup for plan and drift pipelines`, fix: "use a second app with the apply permissions for apply (docs/connect-a-tenant.md), or grant the pieces above" });
  }

  // 5. the desired state's tenant
  await checkDesired(options, claims.graph === undefined ? null : async (desiredId) => {
    try {
      await provider.assertTenant(desiredId);
      return null;
    } catch (e) {
      if (UserError.is(e)) return e.diagnostics.map((d) => d.message).join("; ");
      return `could not be checked: ${errorText(e)}`;
    }
  }, add, "set AZURE_TENANT_ID and AZURE_CLIENT_ID for the desired state's tenant, or fix tenant.id in the code");
  if (options.desired === undefined && options.app === undefined && claims.graph !== undefined) {
    add({ name: "tenant", status: "ok", message: `the credentials sign in to tenant ${claims.graph.tid}; pass --desired <file> or --app <command> to check a desired state against it` });
  }
  return { canRead, canApply, tenant };
}

function credentialText(settings: MicrosoftSettings): string {
  const c = settings.credential;
  switch (c.kind) {
    case "secret":
      return "client secret (AZURE_CLIENT_SECRET is set)";
    case "certificate":
      return `certificate ${c.path} (AZURE_CLIENT_CERTIFICATE_PATH${c.password !== null ? "; AZURE_CLIENT_CERTIFICATE_PASSWORD is set" : ""})`;
    case "federatedTokenFile":
      return `federated token file ${c.path} (AZURE_FEDERATED_TOKEN_FILE)`;
    case "githubActions":
      return "GitHub Actions OIDC (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are set), no secret";
  }
}

/** Microsoft's clouds: authority, Graph and Exchange hosts (docs/connect-a-tenant.md). */
const CLOUDS: ReadonlyArray<{ readonly name: string; readonly hosts: readonly [string, string, string] }> = [
  { name: "Microsoft's public cloud", hosts: [new URL(DEFAULT_ORIGINS.EXOFORM_AUTHORITY_HOST).host, new URL(DEFAULT_ORIGINS.EXOFORM_GRAPH_URL).host, new URL(DEFAULT_ORIGINS.EXOFORM_EXCHANGE_URL).host] },
  { name: "US Government GCC High", hosts: ["login.microsoftonline.us", "graph.microsoft.us", "outlook.office365.us"] },
  { name: "US Government DoD", hosts: ["login.microsoftonline.us", "dod-graph.microsoft.us", "outlook-dod.office365.us"] },
  { name: "China operated by 21Vianet", hosts: ["login.chinacloudapi.cn", "microsoftgraph.chinacloudapi.cn", "partner.outlook.cn"] },
];
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

function classifyEndpoints(settings: MicrosoftSettings): { check: Check; microsoft: boolean } {
  const urls = [settings.authorityHost, settings.graphUrl, settings.exchangeUrl].map((u) => new URL(u));
  const hosts = urls.map((u) => u.host.toLowerCase());
  const shown = `authority ${settings.authorityHost}, Graph ${settings.graphUrl}, Exchange ${settings.exchangeUrl}`;
  const cloud = CLOUDS.find((c) => c.hosts.every((h, i) => hosts[i] === h));
  if (cloud !== undefined) return { microsoft: true, check: { name: "endpoints", status: "ok", message: `${cloud.name} (${shown})` } };
  if (urls.every((u) => LOOPBACK.test(u.hostname))) {
    return { microsoft: false, check: { name: "endpoints", status: "ok", message: `a local endpoint, not Microsoft (${shown}); exoform tenant serve serves one` } };
  }
  return {
    microsoft: false,
    check: {
      name: "endpoints",
      status: "warn",
      message: `not one of Microsoft's clouds (${shown}); tokens are asked for ${scopeFor("graph", settings.graphUrl)} and ${scopeFor("exchange", settings.exchangeUrl)}`,
      fix: "set EXOFORM_AUTHORITY_HOST, EXOFORM_GRAPH_URL and EXOFORM_EXCHANGE_URL to one cloud's origins (docs/connect-a-tenant.md lists them), or unset all three for the public cloud",
    },
  };
}

/** NODE_EXTRA_CA_CERTS, for endpoints that are not Microsoft's (their certificates are not signed by a public CA). */
function trustCheck(settings: MicrosoftSettings): Check {
  const https = [settings.authorityHost, settings.graphUrl, settings.exchangeUrl].some((u) => u.startsWith("https:"));
  const file = process.env["NODE_EXTRA_CA_CERTS"]?.trim() ?? "";
  if (!https) return { name: "tls", status: "ok", message: "the endpoints are plain http; no certificate to trust" };
  if (file === "") {
    return {
      name: "tls",
      status: "warn",
      message: "NODE_EXTRA_CA_CERTS is not set, so Node trusts only its built-in CAs; a local endpoint's certificate will be refused",
      fix: "set NODE_EXTRA_CA_CERTS to the endpoint's CA file (exoform tenant serve writes local-endpoint-ca.pem) before exoform starts",
    };
  }
  if (!existsSync(file)) {
    return { name: "tls", status: "fail", message: `NODE_EXTRA_CA_CERTS names ${file}, which does not exist`, fix: "set NODE_EXTRA_CA_CERTS to the endpoint's CA certificate file (PEM)" };
  }
  return { name: "tls", status: "ok", message: `NODE_EXTRA_CA_CERTS names ${file} (Node reads it when the process starts)` };
}

/** What to do about Entra's common refusals, by AADSTS number. */
const AADSTS_FIXES: Readonly<Record<string, string>> = {
  "7000215": "AZURE_CLIENT_SECRET must be the value (not the id) of a current client secret of the app; create a new secret in the app registration (Certificates & secrets) if it was lost, or move to a certificate or a federated credential",
  "7000222": "the client secret has expired; create a new one in the app registration (Certificates & secrets), or move to a certificate or a federated credential",
  "700016": "AZURE_CLIENT_ID is not an application in tenant AZURE_TENANT_ID; check both values, and that the app is registered in (or consented to by) that tenant",
  "90002": "AZURE_TENANT_ID names no tenant in this cloud; check it, and that EXOFORM_AUTHORITY_HOST is the tenant's cloud",
  "900023": "AZURE_TENANT_ID is not a tenant id or domain; set it to the directory (tenant) id",
  "700027": "the certificate is not registered on the app, or the PEM's key does not match it; upload the certificate (the public part) to the app registration's Certificates & secrets",
  "70021": "no federated credential of the app matches the token's issuer, subject and audience; add one (issuer https://token.actions.githubusercontent.com, subject repo:<org>/<repo>:ref:refs/heads/main or repo:<org>/<repo>:environment:<name>, audience api://AzureADTokenExchange)",
  "700024": "the federated token has expired; a workload identity platform must refresh the file AZURE_FEDERATED_TOKEN_FILE names",
  "7000112": "the application is disabled in the tenant; enable its enterprise application (service principal)",
  "500011": "the API's service principal is not in the tenant (a tenant without Exchange Online has none for Office 365 Exchange Online); check the endpoints are the tenant's cloud and the tenant has the service",
};

/** `untrusted`: the endpoints are not Microsoft's and NODE_EXTRA_CA_CERTS is unset or wrong (msal then reports only an unreachable endpoint). */
function tokenFailure(service: Service, scope: string, settings: MicrosoftSettings, e: unknown, untrusted: boolean): Check {
  const name = `token:${service}`;
  if (!ProviderError.is(e)) {
    if (UserError.is(e)) return { name, status: "fail", message: e.diagnostics.map((d) => d.message).join("; ") };
    return { name, status: "fail", message: `cannot get a token for ${scope}: ${errorText(e)}` };
  }
  // msal wraps Entra's answer ("Error(s): 7000215 - Timestamp: ... - Description: AADSTS7000215: ..."): keep the AADSTS sentence
  const prefix = `cannot get a token for ${API[service]}: `;
  const at = e.message.search(/AADSTS\d+:/);
  const text = (at > 0 ? `${prefix}${e.message.slice(at)}` : e.message).replace(/\s*Trace ID:.*$/s, "");
  const number = /^AADSTS(\d+)$/.exec(e.code)?.[1];
  let fix: string = number !== undefined
    ? AADSTS_FIXES[number] ?? "check AZURE_TENANT_ID, AZURE_CLIENT_ID and the credential against the app registration in Entra ID"
    : "check AZURE_TENANT_ID, AZURE_CLIENT_ID, the credential and EXOFORM_AUTHORITY_HOST";
  const unreachable = number === undefined && (e.kind === "transient" || /network|endpoints_resolution|ECONNREFUSED|ENOTFOUND|fetch failed/i.test(text));
  if (number === undefined && (/certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_/i.test(text) || (unreachable && untrusted))) {
    fix = `${settings.authorityHost}'s TLS certificate is likely not trusted; set NODE_EXTRA_CA_CERTS to the endpoint's CA file before exoform starts`;
  } else if (unreachable) {
    fix = `cannot reach ${settings.authorityHost}; check EXOFORM_AUTHORITY_HOST, the network and any proxy`;
  }
  return { name, status: "fail", message: text.includes(e.code) ? text : `${text} (${e.code})`, fix };
}

function apiFailure(service: Service, what: string, origin: string, e: unknown): Check {
  const name = `api:${service}`;
  if (!ProviderError.is(e)) return { name, status: "fail", message: `${what} failed: ${errorText(e)}` };
  const fix =
    e.kind === "forbidden"
      ? "grant what the message names (the read checks below list each piece)"
      : e.retryable
        ? `run exoform doctor again; if it persists, check the network path to ${origin}`
        : `check that ${origin} is the tenant's ${API[service]} endpoint`;
  return { name, status: "fail", message: `${what} failed: ${e.code}: ${e.message}`, fix };
}

// ------------------------------------------------------------------ shared

/**
 * With --desired or --app: load the desired state and check its tenant with `compare` (null: the
 * tenant could not be reached, so the check cannot run). Returns nothing; adds the checks.
 */
async function checkDesired(options: DoctorCliOptions, compare: ((desiredId: string) => Promise<string | null>) | null, add: Add, fix?: string): Promise<void> {
  if (options.desired === undefined && options.app === undefined) return;
  let desiredId: string;
  try {
    desiredId = loadDesired(options).state.tenant.id;
  } catch (e) {
    addErrors("desired", e, add);
    return;
  }
  if (compare === null) {
    add({ name: "tenant", status: "fail", message: `the desired state is for tenant "${desiredId}", and the tenant could not be reached to compare (see above)` });
    return;
  }
  const mismatch = await compare(desiredId);
  if (mismatch === null) {
    add({ name: "tenant", status: "ok", message: `the desired state's tenant "${desiredId}" is the one the credentials reach` });
    return;
  }
  // the provider's message carries its own fix after "; "
  const cut = mismatch.indexOf("; ");
  add(cut > 0 ? { name: "tenant", status: "fail", message: mismatch.slice(0, cut), fix: mismatch.slice(cut + 2) } : { name: "tenant", status: "fail", message: mismatch, ...(fix !== undefined ? { fix } : {}) });
}

/** A UserError's diagnostics (or any error) as failed checks; the fix is the part of a message after its first "; ". */
function addErrors(name: string, e: unknown, add: Add): void {
  const diagnostics: readonly Diagnostic[] = UserError.is(e) ? e.diagnostics : [{ severity: "error", code: "error", target: "", message: errorText(e) }];
  for (const d of diagnostics) {
    // where, as the CLI's diagnostics say it; a variable's name is already in its message
    const where = [d.location?.startsWith("env:") ? undefined : d.location, d.target].filter((s) => s !== undefined && s !== "").join(": ");
    const message = where !== "" ? `${where}: ${d.message}` : d.message;
    const cut = message.indexOf("; ");
    const status: CheckStatus = d.severity === "error" ? "fail" : "warn";
    add(cut > 0 ? { name, status, message: message.slice(0, cut), fix: message.slice(cut + 2) } : { name, status, message });
  }
}

function errorText(e: unknown): string {
  if (ProviderError.is(e)) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

function ms(started: number): string {
  return `${Math.round(performance.now() - started)} ms`;
}
