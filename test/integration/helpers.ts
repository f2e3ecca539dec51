/**
 * Shared scaffolding of the integration tests: temporary simulated tenants,
 * the contoso desired state, the mapping from a plan action to the write the
 * simulated tenant logs for it, convergence checks (re-plan and drift), and a
 * runner for child processes (scripts/apply-child.ts).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { updateInput } from "../../lib/apply/execute.js";
import { detectDrift, type DriftItem } from "../../lib/drift/index.js";
import type { CanonicalDesiredState } from "../../lib/model/normalize.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import { plan, type PlanAction, type PlanDocument } from "../../lib/plan/index.js";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import { observe } from "../../lib/provider/observe.js";
import { loadFixture, SimulatedTenant, type LogEntry, type TenantFixture } from "../../providers/simulated/index.js";
import { WRITE_OPERATIONS } from "./operations.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const CHILD_SCRIPT = fileURLToPath(new URL("./scripts/apply-child.ts", import.meta.url));

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `exoform-it-${prefix}-`));
}

/** The example program's desired state (examples/contoso/desired-state.json), validated. */
export function contosoDesired(): CanonicalDesiredState {
  return desiredFrom(JSON.parse(readFileSync(join(REPO, "examples/contoso/desired-state.json"), "utf8")), "examples/contoso/desired-state.json");
}

export function desiredFrom(doc: unknown, source: string): CanonicalDesiredState {
  const result = validateDesiredState(doc, source);
  if (!result.state) throw new Error(`${source}: ${result.diagnostics.map((d) => d.message).join("; ")}`);
  return result.state;
}

/** A fresh simulated tenant at `<dir>/tenant.db` (virtual clock). */
export function createTenant(dir: string, fixture: TenantFixture = loadFixture("contoso")): SimulatedTenant {
  return SimulatedTenant.create(join(dir, "tenant.db"), fixture);
}

/** Run `fn` on a fresh contoso tenant in a temporary folder, closed and removed afterwards. */
export async function withTenant(prefix: string, fn: (t: SimulatedTenant) => Promise<void>): Promise<void> {
  const dir = tempDir(prefix);
  const t = createTenant(dir);
  try {
    await fn(t);
  } finally {
    t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function planAgainst(tenant: SimulatedTenant, desired: CanonicalDesiredState): Promise<PlanDocument> {
  return plan(desired, await observe(tenant));
}

/** What is left after an apply: the re-plan's actions and the drift items (both must be empty to call it converged). */
export async function leftover(tenant: SimulatedTenant, desired: CanonicalDesiredState): Promise<{ replan: readonly PlanAction[]; drift: readonly DriftItem[] }> {
  const observed = await observe(tenant);
  return { replan: plan(desired, observed).actions, drift: detectDrift(desired, observed).items };
}

/** One provider write as the simulated tenant logs it. */
export interface WriteCall {
  readonly operation: string;
  readonly target: string;
  readonly args: unknown;
}

export { WRITE_OPERATIONS };

/**
 * The write the simulated tenant logs for `action` (operation, target, args
 * exactly as providers/simulated/tenant.ts records them), or null for
 * mailbox.wait, which only reads.
 */
export function writeOf(action: PlanAction): WriteCall | null {
  const t = action.target;
  const p = action.params;
  const call = (operation: string, args: unknown, target = t): WriteCall => ({ operation, target, args });
  switch (action.type) {
    case "user.restore":
      return call("restoreUser", {}, p.userId ?? "");
    case "user.assignLicense":
      return call("assignLicense", { add: [p.sku], remove: p.replaces ?? [] });
    case "user.removeLicense":
      return call("assignLicense", { add: [], remove: [p.sku] });
    case "user.resetPassword":
      return call("resetPassword", {});
    case "user.blockSignIn":
      return call("setAccountEnabled", { enabled: false });
    case "user.allowSignIn":
      return call("setAccountEnabled", { enabled: true });
    case "user.rename":
      return call("setUserPrincipalName", { newUserPrincipalName: t }, p.from ?? "");
    case "mailbox.rename":
      return call("setPrimaryAddress", { newAddress: t }, p.from ?? "");
    case "user.revokeSessions":
      return call("revokeSignInSessions", {}, p.userId ?? "");
    case "mailbox.create":
      return call("createSharedMailbox", { address: t, displayName: p.displayName, alias: p.alias });
    case "mailbox.convert":
      return call("setMailboxType", { type: p.to });
    case "mailbox.update":
      return call("updateMailbox", updateInput(action));
    case "mailbox.wait":
      return null;
    case "mailbox.delete":
      return call("removeMailbox", {});
    case "permission.grant":
    case "permission.revoke": {
      const add = action.type === "permission.grant";
      switch (p.right) {
        case "FullAccess":
          return add ? call("addMailboxPermission", { trustee: p.trustee, autoMapping: p.autoMapping ?? true }) : call("removeMailboxPermission", { trustee: p.trustee });
        case "SendAs":
          return call(add ? "addRecipientPermission" : "removeRecipientPermission", { trustee: p.trustee });
        default:
          return call("setSendOnBehalf", add ? { add: [p.trustee], remove: [] } : { add: [], remove: [p.trustee] });
      }
    }
  }
}

/**
 * A write the action makes only when needed: user.assignLicense with a
 * usageLocation first sets it when the account has none (R7.1).
 */
export function optionalWriteOf(action: PlanAction): WriteCall | null {
  const p = action.params;
  return action.type === "user.assignLicense" && p.usageLocation !== undefined ? { operation: "setUsageLocation", target: action.target, args: { usageLocation: p.usageLocation } } : null;
}

/** A comparable key of a write: operation, target and canonical args. */
export function callKey(c: WriteCall): string {
  return `${c.operation} ${c.target} ${canonicalJson(c.args)}`;
}

/** Provider writes the tenant committed (outcome ok), oldest first. */
export function committedWrites(log: readonly LogEntry[]): LogEntry[] {
  return log.filter((e) => e.outcome === "ok" && WRITE_OPERATIONS.has(e.operation));
}

/** Provider writes the tenant refused with `kind` (throttled, transient, ...). */
export function refusedWrites(log: readonly LogEntry[], kind: string): LogEntry[] {
  return log.filter((e) => e.outcome === "error" && e.kind === kind && WRITE_OPERATIONS.has(e.operation));
}

export function tally(keys: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

/** The plan's writes, each key once; throws when two actions would log the same write (the checks below rely on it). */
export function planWrites(doc: PlanDocument): Map<string, PlanAction> {
  const byKey = new Map<string, PlanAction>();
  for (const a of doc.actions) {
    const w = writeOf(a);
    if (w === null) continue;
    const key = callKey(w);
    if (byKey.has(key)) throw new Error(`two actions of the plan log the same write ${key}: ${byKey.get(key)!.id}, ${a.id}`);
    byKey.set(key, a);
  }
  return byKey;
}

/**
 * Compare the committed writes with the plan's: every planned write committed
 * exactly `expected(key)` times (default once), and nothing else written.
 * Returns the problems, for one readable assertion.
 */
export function exactlyOnceProblems(doc: PlanDocument, log: readonly LogEntry[], expected: (key: string, action: PlanAction) => number = () => 1): string[] {
  const planned = planWrites(doc);
  const seen = tally(committedWrites(log).map(callKey));
  const problems: string[] = [];
  for (const [key, action] of planned) {
    const want = expected(key, action);
    const got = seen.get(key) ?? 0;
    if (got !== want) problems.push(`${action.id}: committed ${got} times, expected ${want}`);
  }
  // optional writes: at most once
  const optional = new Map<string, PlanAction>();
  for (const a of doc.actions) {
    const w = optionalWriteOf(a);
    if (w !== null) optional.set(callKey(w), a);
  }
  for (const [key, n] of seen) {
    const maybe = optional.get(key);
    if (maybe !== undefined && n > 1) problems.push(`${maybe.id}: optional write committed ${n} times: ${key}`);
    if (maybe === undefined && !planned.has(key)) problems.push(`unplanned write committed ${n} times: ${key}`);
  }
  return problems;
}

/**
 * Ordering in the tenant's own log: each action's committed write comes after
 * the committed writes of everything it depends on (a mailbox.wait stands for
 * its own prerequisites). Returns the problems.
 */
export function orderProblems(doc: PlanDocument, log: readonly LogEntry[]): string[] {
  const seqOf = new Map<string, number>();
  for (const e of committedWrites(log)) {
    const key = callKey(e);
    if (!seqOf.has(key)) seqOf.set(key, e.seq);
  }
  const byId = new Map(doc.actions.map((a) => [a.id, a]));
  /** The write-bearing actions `id` stands for: itself, or a wait's prerequisites. */
  const writers = (id: string, out: PlanAction[] = []): PlanAction[] => {
    const a = byId.get(id)!;
    if (writeOf(a) !== null) out.push(a);
    else for (const d of a.dependsOn) writers(d, out);
    return out;
  };
  const problems: string[] = [];
  for (const a of doc.actions) {
    const w = writeOf(a);
    if (w === null) continue;
    const mine = seqOf.get(callKey(w));
    if (mine === undefined) {
      problems.push(`${a.id}: no committed write in the log`);
      continue;
    }
    for (const dep of a.dependsOn.flatMap((d) => writers(d))) {
      const theirs = seqOf.get(callKey(writeOf(dep)!));
      if (theirs === undefined || theirs > mine) problems.push(`${a.id} (seq ${mine}) written before its prerequisite ${dep.id} (seq ${theirs ?? "never"})`);
    }
  }
  return problems;
}

// ------------------------------------------------------------------ child processes

/** What scripts/apply-child.ts takes (one JSON argument). */
export interface ChildArgs {
  readonly tenant: string;
  readonly plan: string;
  readonly stateDir: string;
  readonly lock: string;
  readonly parallelism?: number;
  /** Stop before the first write, print "paused" and wait for a line on stdin. */
  readonly pauseBeforeFirstWrite?: boolean;
}

export interface ChildOutcome {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningChild {
  readonly pid: number;
  /** Resolves once the child printed `text` on stdout. */
  printed(text: string): Promise<void>;
  /** Write `line` to the child's stdin and close it. */
  send(line: string): void;
  readonly done: Promise<ChildOutcome>;
}

export interface StartOptions {
  /** The child's environment; default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Node options before the script; default ["--import", "tsx"] (none for a bundled script). */
  readonly execArgv?: readonly string[];
}

/**
 * The child script as one ES module (esbuild, packages external), so that a
 * child starts without compiling TypeScript: 2 s less per process. Written
 * under node_modules/.cache so that its packages resolve; remove() deletes it.
 */
export async function bundleScript(entry: string): Promise<{ readonly file: string; remove(): void }> {
  const { build } = await import("esbuild");
  const cache = join(REPO, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "exoform-it-"));
  const file = join(dir, "child.mjs");
  await build({ absWorkingDir: REPO, entryPoints: [entry], outfile: file, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "warning" });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Start `node --import tsx <script> <json>` in the repository. */
export function startChild(args: ChildArgs | object, script = CHILD_SCRIPT, options: StartOptions = {}): RunningChild {
  const child = spawn(process.execPath, [...(options.execArgv ?? ["--import", "tsx"]), script, JSON.stringify(args)], {
    cwd: REPO,
    stdio: ["pipe", "pipe", "pipe"],
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const w of waiters.splice(0)) {
      if (stdout.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<ChildOutcome>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ pid: child.pid!, code, signal, stdout, stderr }));
  });
  return {
    pid: child.pid!,
    printed: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void done.then((o) => reject(new Error(`child exited (${o.signal ?? o.code}) before printing "${text}": ${o.stderr}`)));
      }),
    send: (line) => child.stdin.end(`${line}\n`),
    done: done.finally(() => child.stdin.destroy()),
  };
}

/** Run `tasks` with at most `limit` at once; results in task order. */
export async function pool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Run the exoform CLI; resolves with its exit code and output. */
export function runCli(args: readonly string[]): Promise<ChildOutcome> {
  const child = spawn(process.execPath, [join(REPO, "bin/exoform.js"), ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ pid: child.pid!, code, signal, stdout, stderr }));
  });
}
