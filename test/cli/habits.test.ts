/**
 * The command-line habits people bring from Terraform (issue #14): --version,
 * --no-color, --format json everywhere (--json its alias), no prompt without a
 * terminal or with --no-input, shell completion generated from the command
 * tree, `show` of a saved plan, `import` of one mailbox, and apply's
 * --target and --lock-timeout. In-process (test/cli/in-process.ts), on one
 * simulated contoso tenant per test where a test changes it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { FileLockStore } from "../../lib/apply/lock.js";
import type { ApplyResult } from "../../lib/apply/types.js";
import { completionScript, completionTree, SHELLS } from "../../lib/cli/completion.js";
import { buildProgram } from "../../lib/cli/main.js";
import { tenantStatePaths } from "../../lib/cli/provider.js";
import type { PlanDocument } from "../../lib/plan/types.js";
import { contosoDesired } from "../plan/contoso.js";
import { exoformInProcess as exoform, writeInput } from "./in-process.js";

const dir = mkdtempSync(join(tmpdir(), "exoform-habits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const desired = writeInput(dir, "desired.json", contosoDesired());

let tenants = 0;
/** A fresh contoso tenant: its --tenant arguments. */
async function freshTenant(): Promise<string[]> {
  const path = join(dir, `tenant-${++tenants}.db`);
  const init = await exoform("tenant", "init", "--fixture", "contoso", "--tenant", path);
  expect(init.status, init.stderr).toBe(0);
  return ["--tenant", path];
}

/** Pretend stdin, stdout and stderr are terminals (and colour is not turned off by the environment) for the length of `fn`. */
async function onTerminal<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { stdin: process.stdin.isTTY, stdout: process.stdout.isTTY, stderr: process.stderr.isTTY, NO_COLOR: process.env["NO_COLOR"], CI: process.env["CI"] };
  Object.assign(process.stdin, { isTTY: true });
  Object.assign(process.stdout, { isTTY: true });
  Object.assign(process.stderr, { isTTY: true });
  delete process.env["NO_COLOR"];
  delete process.env["CI"];
  try {
    return await fn();
  } finally {
    Object.assign(process.stdin, { isTTY: saved.stdin });
    Object.assign(process.stdout, { isTTY: saved.stdout });
    Object.assign(process.stderr, { isTTY: saved.stderr });
    for (const name of ["NO_COLOR", "CI"] as const) if (saved[name] !== undefined) process.env[name] = saved[name];
  }
}

const ANSI = /\u001b\[/;

describe("exoform's command-line habits", () => {
  let tenant: string[] = [];
  beforeAll(async () => {
    tenant = await freshTenant();
  });
  afterEach(() => vi.restoreAllMocks());

  it("prints its version with --version (and -V), the one in package.json", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await exoform(flag);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
    }
  });

  it("--no-color turns colour off on a terminal, as NO_COLOR does", async () => {
    const [colored, plain] = await onTerminal(async () => [
      await exoform("plan", "--desired", desired, ...tenant),
      await exoform("--no-color", "plan", "--desired", desired, ...tenant),
    ]);
    expect(colored.stdout).toMatch(ANSI);
    expect(plain.stdout).not.toMatch(ANSI);
  });

  it("takes --format json (and its alias --json) on every command that has a json output", () => {
    const missing: string[] = [];
    for (const node of completionTree(buildProgram())) {
      const flags = node.options.map((o) => o.flag);
      if (flags.includes("--json") && !flags.includes("--format")) missing.push(node.path);
    }
    expect(missing).toEqual([]);
    const withJson = completionTree(buildProgram()).filter((n) => n.options.some((o) => o.flag === "--json")).map((n) => n.path);
    expect(withJson).toEqual(
      expect.arrayContaining(["synth", "validate", "plan", "apply", "drift", "export", "doctor", "show", "import", "tenant show", "tenant log", "tenant faults show", "tenant serve"]),
    );
  });

  it("never prompts with --no-input, even on a terminal: apply without a plan file asks for --auto-approve instead", async () => {
    const r = await onTerminal(() => exoform("--no-input", "apply", "--desired", desired, ...tenant));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: apply needs approval: not on a terminal, so pass --auto-approve");
    expect(r.stderr).not.toContain("[y/N]");
  });

  describe("completion", () => {
    /** Every command path and every long option of the real command tree. */
    const everything = () => completionTree(buildProgram());

    it.each(SHELLS)("the %s script names every command and every option", (shell) => {
      const script = completionScript(buildProgram(), shell);
      for (const node of everything()) {
        for (const word of node.path.split(" ").filter(Boolean)) expect(script).toContain(word);
        for (const o of node.options) expect(script, `${node.path} ${o.flag}`).toContain(shell === "fish" ? `-l ${o.flag.slice(2)}` : o.flag);
      }
    });

    it("exoform completion bash prints a script bash runs, completing subcommands and the options of the command typed", async () => {
      const r = await exoform("completion", "bash");
      expect(r.status).toBe(0);
      const complete = (...words: string[]) => {
        const script = `${r.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _exoform; printf '%s\\n' "\${COMPREPLY[@]}"`;
        const out = spawnSync("bash", ["--norc", "-c", script], { encoding: "utf8" });
        expect(out.stderr).toBe("");
        return out.stdout.trim().split("\n");
      };
      expect(complete("exoform", "pl")).toEqual(["plan"]);
      expect(complete("exoform", "apply", "--lock")).toEqual(["--lock-timeout"]);
      expect(complete("exoform", "tenant", "clock", "adv")).toEqual(["advance"]);
      expect(complete("exoform", "--no-color", "drift", "--desired", "d.json", "--for")).toEqual(["--format"]);
    });

    it("names the shells it knows when asked for another", async () => {
      const r = await exoform("completion", "powershell");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("error: completion powershell: no script for that shell; use one of bash, zsh, fish [usage]");
    });
  });

  it("show renders a saved plan as plan printed it, in text, markdown and json, without the tenant", async () => {
    const planFile = join(dir, "saved-plan.json");
    for (const format of ["text", "markdown", "json"]) {
      const planned = await exoform("plan", "--desired", desired, ...tenant, "--format", format, "--out", planFile);
      expect(planned.status, planned.stderr).toBe(0);
      const shown = await exoform("show", planFile, "--format", format);
      expect(shown.status, shown.stderr).toBe(0);
      expect(shown.stdout).toBe(format === "json" ? planned.stdout : planned.stdout.slice(0, planned.stdout.indexOf("\nplan saved to")));
    }
    expect(JSON.parse((await exoform("show", planFile, "--json")).stdout)).toEqual(JSON.parse(readFileSync(planFile, "utf8")));
  });

  it("import prints the construct for one existing mailbox, or its desired-state entry, as export writes it", async () => {
    const ts = await exoform("import", "support@contoso.com", ...tenant);
    expect(ts.status, ts.stderr).toBe(0);
    expect(ts.stdout).toMatch(/^\/\/ needs: import \{ [^}]*SharedMailbox[^}]* \} from .*;\nnew SharedMailbox\(stack, "Support", \{\n {2}address: "support@contoso\.com",/);
    expect(ts.stdout.trimEnd().endsWith("});")).toBe(true);
    expect(ts.stdout).not.toContain("app.synth()");
    expect(ts.stderr).not.toContain("events-2025@contoso.com"); // export's notes on the mailboxes left out do not concern an import
    const unknown = await exoform("import", "nobody@contoso.com", ...tenant);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe("error: nobody@contoso.com: nobody@contoso.com is not a mailbox in the tenant; check the address [export_unknown_mailbox]\n");
    const json = await exoform("import", "support@contoso.com", ...tenant, "--format", "json");
    const exported = await exoform("export", "--mailbox", "support@contoso.com", ...tenant);
    expect(JSON.parse(json.stdout)).toEqual((JSON.parse(exported.stdout) as { sharedMailboxes: unknown[] }).sharedMailboxes[0]);
  });

  it("puts the policy verdict at the top of the pull-request comment, next to the summary, in stdout and in --parts-dir", async () => {
    const policy = writeInput(dir, "policy.json", {
      formatVersion: 1,
      rules: [{ id: "no-deletions", kind: "noDestructive", level: "mandatory", description: "no deletion or revocation without a second reviewer" }],
    });
    const parts = join(dir, "parts");
    const r = await exoform("plan", "--desired", desired, ...tenant, "--policy", policy, "--format", "markdown", "--parts-dir", parts);
    expect(r.status).toBe(1); // a mandatory rule failed
    const verdict = ":x: **policy: 1 rule, 1 mandatory failed, 0 advisory failed: the plan must not be applied**";
    for (const comment of [r.stdout, readFileSync(join(parts, "plan-1.md"), "utf8")]) {
      const lines = comment.split("\n");
      expect(lines[0]).toMatch(/^\*\*Plan: /);
      expect(lines[2]).toBe(verdict);
      expect(comment).toContain("### Policy"); // the details still end the comment
    }
  });

  it("apply --target applies only the targeted mailbox, and refuses to narrow a saved plan", async () => {
    const own = await freshTenant();
    const r = await exoform("apply", "--desired", desired, ...own, "--auto-approve", "--target", "support@contoso.com", "--json");
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as ApplyResult;
    expect(result.actions.length).toBeGreaterThan(0);
    expect(new Set(result.actions.map((a) => a.target))).toEqual(new Set(["support@contoso.com"]));
    const rest = await exoform("plan", "--desired", desired, ...own, "--format", "json");
    expect((JSON.parse(rest.stdout) as PlanDocument).actions.some((a) => a.target === "support@contoso.com")).toBe(false);

    const planFile = join(dir, "whole-plan.json");
    expect((await exoform("plan", "--desired", desired, ...own, "--out", planFile)).status).toBe(0);
    const narrowed = await exoform("apply", planFile, ...own, "--target", "info@contoso.com");
    expect(narrowed.status).toBe(1);
    expect(narrowed.stderr).toContain(`--target cannot narrow a saved plan (${planFile})`);
  });

  it("apply --lock-timeout waits for the lock, says for whom, then fails naming the holder and how long it waited", async () => {
    const own = await freshTenant();
    const lock = new FileLockStore(tenantStatePaths({ tenant: own[1] }).lockPath);
    const held = await lock.acquire({ tenantId: "contoso", planId: "sha256:other", holder: { who: "ann@build-01", host: "build-01", pid: 4242 } });
    try {
      const r = await exoform("apply", "--desired", desired, ...own, "--auto-approve", "--lock-timeout", "300ms");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("waiting for the tenant lock held by ann@build-01 (pid 4242, applying plan sha256:other since ");
      expect(r.stderr).toMatch(/error: contoso: tenant "contoso" is locked by ann@build-01 .*; gave up after waiting \d+ ms \(--lock-timeout 300 ms\) \[tenant_locked\]/);
      const bad = await exoform("apply", "--desired", desired, ...own, "--auto-approve", "--lock-timeout", "soon");
      expect(bad.stderr).toContain("error: --lock-timeout soon is not a duration of at most 1d; give numbers with units, e.g. 30s, 5m, 1h or 1h30m (a plain number is seconds)");
    } finally {
      await held.release();
    }
  });
});

export type { Command };
