/**
 * Child process for the `tenant init` crash test (test/cli/tenant-init-atomic.test.ts):
 * creates the tenant at argv[2] from fixture argv[3] (with --force when argv[5]
 * is "force"), killing itself with SIGKILL just before its argv[4]-th step. A
 * step is any file-system call that creates, writes, syncs, renames or removes
 * a file, and any SQLite exec, pragma, transaction or close: together, every
 * point where a real crash could leave something on disk. Prints
 * "killed before step n: <what>" or "done after n steps".
 */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import Database from "better-sqlite3";

const [path, fixture, killAtArg, force] = process.argv.slice(2);
const killAt = Number(killAtArg);
let steps = 0;

function step(what: string): void {
  steps++;
  if (process.env["INIT_CRASH_TRACE"] === "1") fs.writeSync(2, `step ${steps}: ${what}\n`);
  if (steps === killAt) {
    fs.writeSync(1, `killed before step ${steps}: ${what}\n`);
    process.kill(process.pid, "SIGKILL");
  }
}

const files = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of ["openSync", "writeFileSync", "fsyncSync", "renameSync", "rmSync", "unlinkSync", "linkSync", "mkdirSync", "copyFileSync"]) {
  const original = files[name]!;
  files[name] = function (this: unknown, ...args: unknown[]) {
    step(`fs.${name}(${String(args[0])})`);
    return original.apply(this, args);
  };
}
syncBuiltinESMExports();

const proto = Database.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of ["exec", "pragma", "transaction", "close"]) {
  const original = proto[name]!;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    step(`sqlite ${name}(${typeof args[0] === "string" ? args[0].slice(0, 40) : ""})`);
    return original.apply(this, args);
  };
}

const { loadFixture, SimulatedTenant } = await import("../../../providers/simulated/index.js");
const tenant = SimulatedTenant.create(path!, loadFixture(fixture!), { force: force === "force" });
tenant.close();
fs.writeSync(1, `done after ${steps} steps\n`);
