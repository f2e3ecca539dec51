/**
 * `exoform tenant ...`: create, inspect and edit the embedded simulated tenant
 * (providers/simulated). Edits made here are OUT OF BAND, as an admin in the
 * portal would make them: they bypass fault injection and are logged as
 * admin.*. Every command takes --tenant <path> (default .exoform/tenant.db,
 * or $EXOFORM_TENANT). `tenant set` is in tenant-set.ts, `tenant show`'s
 * view in tenant-show.ts, what they share in tenant-edit.ts.
 */
import type { Command } from "commander";
import { UserError } from "../../diagnostics/errors.js";
import { printJson } from "../output.js";
import { durationMs, formatOf, formatOption, TEXT_OR_JSON, type FormatOptions } from "../options.js";
import { loadFixture, resolveTenantPath, SimulatedTenant, type FaultSettings } from "../../../providers/simulated/index.js";
import { TENANT_OPTION_HELP } from "../tenant.js";
import { registerServe } from "./serve.js";
import { out, usage, wholeNumber, withTenant, withTenantJson, type TenantOption } from "./tenant-edit.js";
import { registerSet } from "./tenant-set.js";
import { renderMailbox, renderSummary, tenantView } from "./tenant-show.js";

export function register(program: Command): void {
  const tenant = program
    .command("tenant")
    .description("the embedded simulated tenant: create it, look at it, change it out of band, inject faults, move its clock");

  tenant
    .command("init")
    .description("create the simulated tenant from a fixture")
    .option("--fixture <name|file>", "contoso, empty, or a fixture JSON file", "contoso")
    .option("--force", "replace an existing tenant")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action((opts: TenantOption & { fixture: string; force?: boolean }) => {
      const path = resolveTenantPath(opts.tenant);
      const fixture = loadFixture(opts.fixture);
      const t = SimulatedTenant.create(path, fixture, { force: opts.force === true });
      t.close();
      out(
        `created simulated tenant "${fixture.tenant.id}" at ${path} from ${opts.fixture}: ` +
          `${fixture.users.length} users, ${fixture.mailboxes.length} mailboxes, ${fixture.grants.length} grants; clock ${new Date(fixture.clock).toISOString()}`,
      );
    });

  formatOption(tenant.command("show"), TEXT_OR_JSON, "text")
    .description("summary of the tenant, or one mailbox in detail")
    .argument("[address]", "a mailbox address")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action((address: string | undefined, opts: TenantOption & FormatOptions) =>
      withTenantJson(opts, (t) => {
        const json = formatOf(opts, TEXT_OR_JSON, "a tenant show") === "json";
        const view = tenantView(t.exportFixture(), t.nowMs());
        if (address === undefined) {
          if (json) printJson(view);
          else out(renderSummary(view));
          return;
        }
        const mailbox = view.mailboxes.find((m) => m.address === address.toLowerCase());
        if (!mailbox) throw new UserError([{ severity: "error", code: "mailbox_not_found", target: address.toLowerCase(), message: "no such mailbox in the simulated tenant; list them with: exoform tenant show" }]);
        if (json) printJson(mailbox);
        else out(renderMailbox(mailbox));
      }),
    );

  tenant
    .command("export")
    .description("print the whole tenant as a fixture document (what init --fixture reads)")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action((opts: TenantOption) => withTenant(opts, (t) => printJson(t.exportFixture())));

  registerSet(tenant);
  registerClock(tenant);
  registerFaults(tenant);
  registerServe(tenant);

  formatOption(tenant.command("log"), TEXT_OR_JSON, "text")
    .description("the operation log: every provider write (ok or refused), admin edit and time-driven event; --requests: the HTTP requests exoform tenant serve answered")
    .option("--limit <n>", "only the last n entries")
    .option("--requests", "the local endpoint's request log instead: time, method, path or cmdlet, status, latency, throttled, injected fault")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action((opts: TenantOption & FormatOptions & { limit?: string; requests?: boolean }) =>
      withTenantJson(opts, (t) => {
        const json = formatOf(opts, TEXT_OR_JSON, "a tenant log") === "json";
        const limit = opts.limit !== undefined ? { limit: wholeNumber(opts.limit, "--limit") } : {};
        if (opts.requests) {
          const requests = t.readRequests(limit);
          if (json) return printJson(requests);
          for (const r of requests) {
            const what = r.cmdlet ?? r.path;
            const notes = [r.throttled ? "throttled" : "", r.fault !== null ? `fault ${r.fault}` : "", r.batchId !== null ? `in batch ${r.batchId}` : ""].filter((n) => n !== "").join(", ");
            out(`${String(r.seq).padStart(6)}  ${r.at}  ${r.service.padEnd(8)} ${r.method.padEnd(6)} ${what.padEnd(40)} ${String(r.status).padStart(3)} ${String(r.latencyMs).padStart(5)} ms${notes ? `  ${notes}` : ""}`);
          }
          return;
        }
        const entries = t.readLog(limit);
        if (json) return printJson(entries);
        for (const e of entries) {
          const result = e.outcome === "ok" ? "ok" : `${e.kind} ${e.code}: ${e.message}`;
          out(`${String(e.seq).padStart(6)}  ${e.at}  ${e.operation.padEnd(26)} ${e.target.padEnd(32)} ${result}`);
        }
      }),
    );
}

// ------------------------------------------------------------------ clock

function registerClock(tenant: Command): void {
  const clock = tenant.command("clock").description("the tenant clock (virtual: it moves only when told to)");
  clock
    .command("show", { isDefault: true })
    .description("print the tenant time")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action((opts: TenantOption) => withTenant(opts, (t) => out(new Date(t.nowMs()).toISOString())));
  clock
    .command("advance")
    .description("move the tenant clock forward, e.g. 30m, 2h, 31d, 1h30m")
    .argument("<duration>")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action((duration: string, opts: TenantOption) => {
      const ms = parseDuration(duration);
      withTenant(opts, (t) => {
        checkClockLimit(t.nowMs(), ms, duration);
        t.advanceClock(ms);
        out(new Date(t.nowMs()).toISOString());
      });
    });
}

/**
 * The latest tenant time: the last millisecond of the year 9999. Later times
 * (up to Date's limit, +275760) have no four-digit ISO-8601 year, which the
 * documents exoform writes (plans, fixtures, logs) and the local endpoint's
 * clients expect, and past Date's limit every command would fail with
 * "Invalid time value".
 */
export const LATEST_CLOCK_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Refuse to move the clock from `now` by `ms` past LATEST_CLOCK_MS (nothing is stored). */
export function checkClockLimit(now: number, ms: number, duration: string): void {
  if (Number.isFinite(ms) && now + ms <= LATEST_CLOCK_MS) return;
  const left = LATEST_CLOCK_MS - now;
  throw new UserError([
    {
      severity: "error",
      code: "clock_out_of_range",
      target: "clock",
      message: `advancing the tenant clock by ${duration} would take it past ${new Date(LATEST_CLOCK_MS).toISOString()}, the latest time the tenant can hold (it is now ${new Date(now).toISOString()}, at most ${Math.floor(left / 86_400_000)}d or ${left}ms later); give a shorter duration`,
    },
  ]);
}

/** "30m", "2h", "31d", "1h30m", "500ms", "45s" -> milliseconds; the clock's own limit is checkClockLimit's. */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (Number.isNaN(ms)) throw usage(`duration "${text}" is not valid; use a number and a unit (ms, s, m, h, d), e.g. 30m, 2h, 31d or 1h30m`);
  return ms;
}

// ------------------------------------------------------------------ faults

interface FaultFlags extends TenantOption {
  throttle?: string;
  burst?: string;
  transient?: string;
  latency?: string;
  crashAfter?: string;
  crashMode?: string;
  seed?: string;
  failReads?: string;
  wireThrottling?: string;
  graphRu?: string;
  graphWrites?: string;
  exchangeRate?: string;
  exchangeWrites?: string;
  exchangeConcurrency?: string;
  wireErrors?: string;
  wireSlow?: string;
  wireSlowMs?: string;
  wireResets?: string;
  lostResponses?: string;
  readLag?: string;
}

function registerFaults(tenant: Command): void {
  const faults = tenant
    .command("faults")
    .description("fault injection on provider writes (throttling, transient failures, latency, crash) and bulk reads, and over the wire of `exoform tenant serve`");
  formatOption(faults.command("show", { isDefault: true }), TEXT_OR_JSON, "text")
    .description("print the fault settings")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action((opts: TenantOption & FormatOptions) =>
      withTenantJson(opts, (t) => (formatOf(opts, TEXT_OR_JSON, "a faults show") === "json" ? printJson(t.faults()) : out(renderFaults(t.faults())))),
    );
  faults
    .command("set")
    .description("change fault settings (only the flags given)")
    .option("--throttle <writes/s>", "token bucket refill rate on writes (0: off)")
    .option("--burst <n>", "token bucket size")
    .option("--transient <rate>", "probability 0..1 that a write fails with ServiceUnavailable")
    .option("--latency <ms>", "added to every provider write (tenant time)")
    .option("--crash-after <n>", "kill the process after n more successful writes (0: off)")
    .option("--crash-mode <mode>", "after-commit (the write is kept) or before-commit (it is lost)")
    .option("--seed <n>", "seed of the transient-failure sequence")
    .option("--fail-reads <n>", "the next n bulk reads fail with a transient error")
    .option("--wire-throttling <on|off>", "over the wire: throttle Graph and Exchange as the services do")
    .option("--graph-ru <n|auto>", "over the wire: Graph resource units per 10 s per app (auto: by tenant size, 3,500 / 5,000 / 8,000)")
    .option("--graph-writes <n>", "over the wire: Graph writes per 150 s per app")
    .option("--exchange-rate <n>", "over the wire: Exchange cmdlets per 5 s")
    .option("--exchange-writes <n>", "over the wire: Exchange writing cmdlets per 60 s")
    .option("--exchange-concurrency <n>", "over the wire: Exchange requests in flight at once; more answer 429")
    .option("--wire-errors <rate>", "over the wire: probability 0..1 that a request is answered 503 or 504 without being run")
    .option("--wire-slow <rate>", "over the wire: probability 0..1 that a response is held back --wire-slow-ms")
    .option("--wire-slow-ms <ms>", "over the wire: how long a slow response is held back (wall time)")
    .option("--wire-resets <rate>", "over the wire: probability 0..1 that the connection is reset after the request ran")
    .option("--lost-responses <rate>", "over the wire: probability 0..1 that a write is committed and its response lost")
    .option("--read-lag <ms>", "over the wire: a write shows on another backend only this long after it (tenant time; 0: off)")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action((opts: FaultFlags) =>
      withTenant(opts, (t) => {
        const change = faultChange(opts);
        if (Object.keys(change).length === 0) throw usage("no fault flag given; see: exoform tenant faults set --help");
        out(renderFaults(t.setFaults(change)));
      }),
    );
  faults
    .command("clear")
    .description("turn every fault off")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .action((opts: TenantOption) =>
      withTenant(opts, (t) => {
        t.clearFaults();
        out(renderFaults(t.faults()));
      }),
    );
}

type NumberFault = { [K in keyof FaultSettings]: FaultSettings[K] extends number ? K : never }[keyof FaultSettings];

const atLeastOne = (n: number) => Number.isInteger(n) && n >= 1;
const isRate = (n: number) => n >= 0 && n <= 1;
const isWhole = (n: number) => Number.isInteger(n) && n >= 0;

/** The numeric wire flags: option, flag, field, check, what is expected. */
const WIRE_NUMBER_FLAGS: ReadonlyArray<readonly [keyof FaultFlags, string, NumberFault, (n: number) => boolean, string]> = [
  ["graphWrites", "--graph-writes", "graphWritesPer150s", atLeastOne, "a whole number of writes of at least 1"],
  ["exchangeRate", "--exchange-rate", "exchangeCmdletsPer5s", atLeastOne, "a whole number of cmdlets of at least 1"],
  ["exchangeWrites", "--exchange-writes", "exchangeWritesPer60s", atLeastOne, "a whole number of cmdlets of at least 1"],
  ["exchangeConcurrency", "--exchange-concurrency", "exchangeConcurrency", atLeastOne, "a whole number of requests of at least 1"],
  ["wireErrors", "--wire-errors", "wireErrorRate", isRate, "a rate between 0 and 1"],
  ["wireSlow", "--wire-slow", "wireSlowRate", isRate, "a rate between 0 and 1"],
  ["wireSlowMs", "--wire-slow-ms", "wireSlowMs", isWhole, "milliseconds"],
  ["wireResets", "--wire-resets", "wireResetRate", isRate, "a rate between 0 and 1"],
  ["lostResponses", "--lost-responses", "wireLostResponseRate", isRate, "a rate between 0 and 1"],
  ["readLag", "--read-lag", "readLagMs", isWhole, "milliseconds, 0 to turn off"],
];

function faultChange(opts: FaultFlags): Partial<FaultSettings> {
  const problems: string[] = [];
  const num = (v: string | undefined, flag: string, check: (n: number) => boolean, expect: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || !check(n)) {
      problems.push(`${flag} "${v}" is not valid; expected ${expect}`);
      return undefined;
    }
    return n;
  };
  const whole = (n: number) => Number.isInteger(n) && n >= 0;
  const change: { -readonly [K in keyof FaultSettings]?: FaultSettings[K] } = {};
  const throttle = num(opts.throttle, "--throttle", (n) => n >= 0, "writes per second, 0 to turn off");
  if (throttle !== undefined) change.writesPerSecond = throttle === 0 ? null : throttle;
  const burst = num(opts.burst, "--burst", (n) => Number.isInteger(n) && n >= 1, "a whole number of at least 1");
  if (burst !== undefined) change.burst = burst;
  const transient = num(opts.transient, "--transient", (n) => n >= 0 && n <= 1, "a rate between 0 and 1");
  if (transient !== undefined) change.transientRate = transient;
  const latency = num(opts.latency, "--latency", whole, "milliseconds");
  if (latency !== undefined) change.latencyMs = latency;
  const crash = num(opts.crashAfter, "--crash-after", whole, "a number of writes, 0 to turn off");
  if (crash !== undefined) change.crashAfterWrites = crash === 0 ? null : crash;
  const seed = num(opts.seed, "--seed", Number.isInteger, "a whole number");
  if (seed !== undefined) change.seed = seed;
  const failReads = num(opts.failReads, "--fail-reads", whole, "a number of reads");
  if (failReads !== undefined) change.failReads = failReads;
  if (opts.crashMode !== undefined) {
    if (opts.crashMode === "after-commit") change.crashMode = "afterCommit";
    else if (opts.crashMode === "before-commit") change.crashMode = "beforeCommit";
    else problems.push(`--crash-mode "${opts.crashMode}" is not valid; expected after-commit or before-commit`);
  }
  // over the wire (exoform tenant serve)
  if (opts.wireThrottling !== undefined) {
    if (opts.wireThrottling === "on" || opts.wireThrottling === "off") change.wireThrottling = opts.wireThrottling === "on";
    else problems.push(`--wire-throttling "${opts.wireThrottling}" is not valid; expected on or off`);
  }
  if (opts.graphRu === "auto") change.graphResourceUnitsPer10s = null;
  else {
    const graphRu = num(opts.graphRu, "--graph-ru", atLeastOne, "a whole number of resource units of at least 1, or auto");
    if (graphRu !== undefined) change.graphResourceUnitsPer10s = graphRu;
  }
  for (const [option, flag, field, check, expect] of WIRE_NUMBER_FLAGS) {
    const n = num(opts[option], flag, check, expect);
    if (n !== undefined) change[field] = n;
  }
  if (problems.length > 0) throw new UserError(problems.map((message) => ({ severity: "error" as const, code: "usage", target: "", message })));
  return change;
}

function renderFaults(f: FaultSettings): string {
  const lines = [
    `throttle     ${f.writesPerSecond === null ? "off" : `${f.writesPerSecond} writes/s, burst ${f.burst}`}`,
    `transient    ${f.transientRate === 0 ? "off" : `${f.transientRate} of writes`} (seed ${f.seed})`,
    `latency      ${f.latencyMs === 0 ? "off" : `${f.latencyMs} ms per write`}`,
    `crash        ${f.crashAfterWrites === null ? "off" : `after ${f.crashAfterWrites} more writes (${f.crashMode === "afterCommit" ? "after commit" : "before commit"})`}`,
    `fail reads   ${f.failReads === 0 ? "off" : `next ${f.failReads} bulk reads`}`,
    "over the wire (exoform tenant serve)",
    `  throttling   ${f.wireThrottling ? "on" : "off"}`,
    `  graph        ${f.graphResourceUnitsPer10s === null ? "resource units by tenant size (3,500 / 5,000 / 8,000)" : `${f.graphResourceUnitsPer10s} resource units`} per 10 s, ${f.graphWritesPer150s} writes per 150 s, per app`,
    `  exchange     ${f.exchangeCmdletsPer5s} cmdlets per 5 s, ${f.exchangeWritesPer60s} writing cmdlets per 60 s, ${f.exchangeConcurrency} requests in flight`,
    `  errors       ${f.wireErrorRate === 0 ? "off" : `${f.wireErrorRate} of requests answered 503 or 504`}`,
    `  lost         ${f.wireLostResponseRate === 0 ? "off" : `${f.wireLostResponseRate} of write responses`}`,
    `  resets       ${f.wireResetRate === 0 ? "off" : `${f.wireResetRate} of responses`}`,
    `  slow         ${f.wireSlowRate === 0 ? "off" : `${f.wireSlowRate} of responses, held ${f.wireSlowMs} ms (wall time)`}`,
    `  read lag     ${f.readLagMs === 0 ? "off" : `${f.readLagMs} ms (tenant time)`}`,
  ];
  return lines.join("\n");
}
