/**
 * `exoform reconcile`: the operator loop (lib/reconcile). Every --interval it
 * re-reads the desired state, observes the tenant, plans, heals the classes
 * opted into with --heal (security, access; nothing by default) and reports
 * the rest as needing review.
 *
 * - A status document per cycle (schema/reconcile-status.schema.json) in
 *   --status-file (default <state dir>/reconcile/status.json), on stdout as
 *   JSON lines with --format json, and POSTed to --webhook when a condition
 *   changes.
 * - --listen host:port serves /healthz, /readyz and /metrics.
 * - --once runs one cycle and exits as drift does: 0 the tenant matches the
 *   code (after any healing), 2 differences remain (or the cycle was skipped),
 *   1 an error.
 * - SIGTERM, SIGINT or SIGHUP: the cycle's writes in flight finish, the
 *   journal is flushed, the tenant lock and the lease are released, exit 0. A
 *   second signal exits at once (the next apply settles what was in flight).
 */
import type { Command } from "commander";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { hostname, userInfo } from "node:os";
import { UserError } from "../../diagnostics/errors.js";
import { releaseHeldLocksSync } from "../../apply/lock.js";
import type { CanonicalDesiredState } from "../../model/normalize.js";
import { writeFileAtomicSync } from "../../private/atomic-file.js";
import { HEAL_CLASSES, type HealClass } from "../../reconcile/classify.js";
import { FileLease } from "../../reconcile/lease.js";
import { Reconciler, type ReconcileTenant } from "../../reconcile/loop.js";
import { parseListen, startProbeServer, type ProbeServer } from "../../reconcile/server.js";
import type { ReconcileStatus } from "../../reconcile/status.js";
import { clean } from "../../render/sanitize.js";
import { loadDesired, type DesiredOptions } from "../desired.js";
import { EXIT } from "../exit.js";
import { printDiagnostics, terminalSafeJson } from "../output.js";
import { collect, formatOf, formatOption, parseDuration, TEXT_OR_JSON, wantsJson, type FormatOptions } from "../options.js";
import { withJsonErrors } from "../json-errors.js";
import { openProvider, tenantStatePaths } from "../provider.js";
import { TENANT_OPTION_HELP } from "../tenant.js";

interface ReconcileCliOptions extends FormatOptions {
  readonly desired?: string;
  readonly app?: string;
  readonly stack?: string;
  readonly tenant?: string;
  readonly stateDir?: string;
  readonly interval: string;
  readonly once?: boolean;
  readonly heal: string[];
  readonly listen?: string;
  readonly statusFile?: string;
  readonly webhook?: string;
  readonly leaseDuration: string;
  readonly parallelism?: string;
}

/** Shortest interval: a loop that reads the whole tenant must never spin. */
const MIN_INTERVAL_MS = 10_000;

export function register(program: Command): void {
  const command = program
    .command("reconcile")
    .description("the operator loop: every --interval, plan against the tenant, heal the opted-in classes (--heal security|access), report the rest (--once: exit 0 in sync, 2 differences remain, 1 error)")
    .option("--desired <file>", "a desired-state JSON document (re-read every cycle)")
    .option("--app <command>", 'the program that synthesizes the stacks (default: "app" in cdktf.json; re-run when its sources change)')
    .option("--stack <name>", "the stack to reconcile, when the app synthesizes several")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .option("--state-dir <dir>", "where journals, heal plans and the status file are kept (default: the .exoform folder of the tenant)")
    .option("--interval <duration>", "time between cycles, e.g. 15m, 1h (at least 10s)", "15m")
    .option("--once", "run one cycle and exit (0: in sync, 2: differences remain, 1: error)")
    .option("--heal <class>", `heal this class of differences: ${HEAL_CLASSES.join(" or ")}; repeatable; default none (report only)`, collect, [])
    .option("--listen <host:port>", "serve /healthz, /readyz and /metrics (Prometheus) on this address, e.g. 127.0.0.1:9464")
    .option("--status-file <file>", "where each cycle's status document is written (default: <state dir>/reconcile/status.json)")
    .option("--webhook <url>", "POST the status document (JSON) here whenever a condition changes")
    .option("--lease-duration <duration>", "how long this reconciler's lease on the tenant lasts unrenewed; another replica takes over after it", "5m")
    .option("--parallelism <n>", "most writes at once while healing (default: apply's, which adapts to the service's pace)")
    .action((options: ReconcileCliOptions) => withJsonErrors(wantsJson(options), () => reconcile(options)));
  formatOption(command, TEXT_OR_JSON, "text", "text: a line per cycle on stderr; json: also each status as a JSON line on stdout (errors as a JSON report)");
}

async function reconcile(options: ReconcileCliOptions): Promise<void> {
  const settings = parseOptions(options);
  const paths = tenantStatePaths(options);
  const statusFile = resolve(options.statusFile ?? join(paths.stateDir, "reconcile", "status.json"));
  const who = `${safeUser()}@${hostname()} (pid ${process.pid})`;
  const lease = new FileLease(`${paths.lockPath.replace(/\.lock$/, "")}.lease`, { durationMs: Math.max(settings.leaseMs, 2 * MIN_INTERVAL_MS), who });
  const stop = new AbortController();
  const reconciler = new Reconciler(
    {
      loadDesired: desiredLoader(options),
      openTenant: async (): Promise<ReconcileTenant> => openProvider(options),
      now: Date.now,
      sleep: (ms, signal) => sleep(ms, signal),
      log: (line) => process.stderr.write(`${clean(line)}\n`),
    },
    {
      heal: settings.heal,
      intervalMs: settings.intervalMs,
      lease,
      holder: { who: `${safeUser()}@${hostname()}`, host: hostname(), pid: process.pid },
      apply: settings.parallelism !== undefined ? { parallelism: settings.parallelism } : {},
      ...(process.env["EXOFORM_PLAN_KEY"] ? { planKey: process.env["EXOFORM_PLAN_KEY"] } : {}),
      onStatus: async (status, previous) => {
        for (const a of status.healed) process.stderr.write(`  ${a.outcome === "done" || a.outcome === "skipped" ? "healed" : a.outcome}: ${clean(a.description)} [${a.class}]\n`);
        mkdirSync(dirname(statusFile), { recursive: true });
        writeFileAtomicSync(statusFile, `${JSON.stringify(status, null, 2)}\n`);
        if (settings.json) process.stdout.write(`${terminalSafeJson(JSON.stringify(status))}\n`);
        if (options.webhook !== undefined && conditionsChanged(status, previous)) await notify(options.webhook, status);
      },
    },
  );
  const probes: ProbeServer | null = settings.listen !== null ? await startProbeServer(settings.listen.host, settings.listen.port, reconciler.metrics, () => reconciler.status) : null;
  if (probes !== null) process.stderr.write(`reconcile: serving /healthz, /readyz and /metrics on ${probes.url}\n`);
  const signals = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
  const onSignal = (name: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      // a second signal: go now; the lease expires by itself and the next apply settles writes in flight
      lease.release();
      releaseHeldLocksSync();
      process.exit(143);
    }
    process.stderr.write(`reconcile: received ${name}: finishing the writes in flight, then releasing the tenant lock and the lease (a second signal exits at once)\n`);
    stop.abort();
  };
  for (const s of signals) process.on(s, onSignal);
  let last: ReconcileStatus | null;
  try {
    last = await reconciler.run(stop.signal, options.once === true);
  } finally {
    for (const s of signals) process.off(s, onSignal);
    await probes?.close();
  }
  if (options.once === true && !stop.signal.aborted) process.exitCode = onceExit(last);
}

interface Settings {
  readonly heal: ReadonlySet<HealClass>;
  readonly intervalMs: number;
  readonly leaseMs: number;
  readonly parallelism: number | undefined;
  readonly listen: { host: string; port: number } | null;
  readonly json: boolean;
}

/** Every option checked before anything starts; all problems reported at once. */
function parseOptions(o: ReconcileCliOptions): Settings {
  const problems: string[] = [];
  const heal = new Set<HealClass>();
  for (const h of o.heal) {
    if ((HEAL_CLASSES as readonly string[]).includes(h)) heal.add(h as HealClass);
    else problems.push(`--heal ${h} is not a class the loop heals; use ${HEAL_CLASSES.join(" or ")} (creations, conversions, licences and deletions are never healed: they need review)`);
  }
  const duration = (flag: string, text: string): number => {
    try {
      return parseDuration(text, flag, 7 * 86_400_000);
    } catch (e) {
      problems.push((e as Error).message);
      return 0;
    }
  };
  const intervalMs = duration("--interval", o.interval);
  if (intervalMs > 0 && intervalMs < MIN_INTERVAL_MS) problems.push(`--interval ${o.interval} is too short; every cycle reads the whole tenant, so give at least 10s`);
  const leaseMs = duration("--lease-duration", o.leaseDuration);
  const parallelism = o.parallelism === undefined ? undefined : Number(o.parallelism);
  if (parallelism !== undefined && (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 64)) problems.push(`--parallelism ${o.parallelism} is not valid; give a whole number from 1 to 64`);
  let listen: Settings["listen"] = null;
  if (o.listen !== undefined) {
    const parsed = parseListen(o.listen);
    if (typeof parsed === "string") problems.push(parsed);
    else listen = parsed;
  }
  let json = false;
  try {
    json = formatOf(o, TEXT_OR_JSON, "a reconcile output") === "json";
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (o.webhook !== undefined && !/^https?:\/\/[^\s]+$/.test(o.webhook)) problems.push(`--webhook ${o.webhook} is not an http(s) URL`);
  if (problems.length > 0) throw new UserError(problems.map((message) => ({ severity: "error" as const, code: "usage", target: "reconcile", message })));
  return { heal, intervalMs, leaseMs, parallelism, listen, json };
}

/**
 * The desired state for each cycle: the file, read again every cycle, or the
 * app, synthesized again only when a file under the working folder changed
 * (size or mtime), as a controller re-reads its object only on a new generation.
 * Validation warnings are printed when the desired state changes, not every cycle.
 */
function desiredLoader(options: DesiredOptions): () => CanonicalDesiredState {
  let stamp = "";
  let cached: CanonicalDesiredState | null = null;
  let lastSource = "";
  return () => {
    const now = options.desired === undefined ? sourcesStamp(process.cwd()) : "";
    if (cached !== null && options.desired === undefined && now === stamp) return cached;
    const loaded = loadDesired(options);
    const generation = JSON.stringify(loaded.state);
    if (generation !== lastSource) printDiagnostics(loaded.diagnostics);
    lastSource = generation;
    stamp = now;
    cached = loaded.state;
    return loaded.state;
  };
}

/** Sizes and mtimes of the app's sources (folders exoform and npm write excluded). */
function sourcesStamp(root: string): string {
  const skip = new Set(["node_modules", ".git", "cdktf.out", ".exoform", "dist"]);
  const parts: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (entry.isFile()) {
        const s = statSync(path);
        parts.push(`${path}:${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(root, 0);
  return parts.sort().join("\n");
}

function conditionsChanged(status: ReconcileStatus, previous: ReconcileStatus | null): boolean {
  if (previous === null) return true;
  const key = (s: ReconcileStatus) => s.conditions.map((c) => `${c.type}=${c.status}`).join(",");
  return key(status) !== key(previous);
}

/** POST the status; a webhook that fails is logged, never fatal (the next change is sent again). */
async function notify(url: string, status: ReconcileStatus): Promise<void> {
  try {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(status), signal: AbortSignal.timeout(10_000) });
    if (!res.ok) process.stderr.write(`reconcile: webhook answered ${res.status}; the status is in the status file\n`);
    await res.body?.cancel();
  } catch (e) {
    process.stderr.write(`reconcile: webhook failed: ${clean((e as Error).message)}; the status is in the status file\n`);
  }
}

function onceExit(status: ReconcileStatus | null): number {
  if (status === null || status.error !== undefined) return EXIT.error;
  return status.remaining === 0 && status.skipped === undefined ? EXIT.ok : EXIT.changes;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
