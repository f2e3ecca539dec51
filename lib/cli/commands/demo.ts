/**
 * `exoform demo` (what `npm start` runs): the whole loop on the embedded
 * simulated tenant, by running the real commands one after another and
 * showing each one, so a newcomer sees the workflow they will use:
 *
 *   tenant init (if absent) -> synth -> plan --out -> apply <plan> -> drift
 *
 * Run it twice: the second plan is empty and apply has nothing to do.
 *
 * With --provider microsoft the same loop runs through the Microsoft provider:
 * the demo serves the simulated tenant as a local Microsoft 365 endpoint
 * (`exoform tenant serve`) and runs plan, apply and drift as separate
 * processes given only the endpoint's `env`, exactly as a pipeline would.
 */
import type { Command } from "commander";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../../diagnostics/errors.js";
import { resolveTenantPath } from "../../../providers/simulated/index.js";
import { EXIT } from "../exit.js";
import { isTty } from "../output.js";
import { TENANT_OPTION_HELP, openTenant } from "../tenant.js";
import { resolveProviderKind } from "../provider.js";
import { startEndpoint, type LocalEndpoint } from "../../../providers/local-endpoint/server.js";

/** The example the demo synthesizes, relative to the repository's root (cdktf.json's app). */
const CONTOSO_APP = "examples/contoso/main.ts";

interface DemoOptions {
  readonly tenant?: string;
  readonly fresh?: boolean;
  readonly output: string;
}

export function register(program: Command): void {
  program
    .command("demo")
    .description("run the whole loop on the simulated contoso tenant: init (if absent), synth, plan, apply, verify, drift")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .option("--fresh", "start from a new contoso tenant even if one exists")
    .option("--output <dir>", "where synth writes the example's stacks", "cdktf.out")
    .action(async (options: DemoOptions) => {
      // the demo synthesizes the repository's contoso example (cdktf.json's app): it runs in a clone, not in a team's project
      if (!existsSync(resolve(CONTOSO_APP))) {
        throw new UserError(
          `exoform demo runs the contoso example of the exoform repository (${CONTOSO_APP}), which is not in ${process.cwd()}; run it in a clone (git clone, then npm ci && npm start), or start your own project with: exoform init`,
          "demo_outside_repository",
        );
      }
      const tenantPath = resolveTenantPath(options.tenant);
      const tenantArg = relative(process.cwd(), tenantPath) || tenantPath;
      const planFile = relative(process.cwd(), resolve(tenantPath, "..", "demo-plan.json"));
      const output = relative(process.cwd(), resolve(options.output)) || ".";
      const desiredFile = `${output}/stacks/contoso/desired-state.json`;
      const started = Date.now();

      const microsoft = resolveProviderKind() === "microsoft";
      // through the wire the tenant is the endpoint's: the commands name no tenant file, and apply keeps its
      // journal and lock with the served tenant (a re-created tenant keeps its id, so a shared folder would mix them)
      const tenantFlag = microsoft ? [] : ["--tenant", tenantArg];
      const stateFlag = microsoft ? ["--state-dir", relative(process.cwd(), dirname(tenantPath)) || "."] : [];
      const steps: Array<{ why: string; argv: string[]; ok: readonly number[]; wire?: boolean }> = [];
      if (options.fresh === true || !existsSync(tenantPath)) {
        steps.push({
          why: "create the simulated contoso tenant (people, licenses, existing shared mailboxes)",
          argv: ["tenant", "init", "--fixture", "contoso", "--tenant", tenantArg, ...(options.fresh === true ? ["--force"] : [])],
          ok: [EXIT.ok],
        });
      }
      steps.push(
        { why: "synthesize examples/contoso into Terraform JSON and a desired-state document", argv: ["synth", "--output", output], ok: [EXIT.ok] },
        {
          why: "plan: what must change in the tenant, in order, and why",
          argv: ["plan", "--desired", desiredFile, ...tenantFlag, "--out", planFile],
          ok: [EXIT.ok],
          wire: true,
        },
        {
          why: "apply exactly the reviewed plan, then verify by planning again",
          argv: ["apply", planFile, "--desired", desiredFile, ...tenantFlag, ...stateFlag],
          ok: [EXIT.ok],
          wire: true,
        },
        { why: "drift check: does the tenant still match the code?", argv: ["drift", "--desired", desiredFile, ...tenantFlag], ok: [EXIT.ok], wire: true },
      );

      const { main } = await import("../main.js");
      let endpoint: LocalEndpoint | null = null;
      let served: ReturnType<typeof openTenant> | null = null;
      try {
        for (const step of steps) {
          if (step.wire && microsoft && endpoint === null) {
            served = openTenant(tenantArg);
            endpoint = await startEndpoint({ tenant: served, stateDir: dirname(tenantPath) });
            const note = `# serve the tenant as a local Microsoft 365 endpoint (exoform tenant serve) at ${endpoint.origin}; the commands below get only its env`;
            process.stdout.write(`\n${isTty() ? `\x1b[2m${note}\x1b[0m` : note}\n`);
          }
          const why = isTty() ? `\x1b[2m# ${step.why}\x1b[0m` : `# ${step.why}`;
          const shown = step.wire && microsoft ? ["--provider", "microsoft", ...step.argv] : step.argv;
          process.stdout.write(`\n${why}\n$ exoform ${shown.join(" ")}\n`);
          process.exitCode = 0;
          const code = step.wire && endpoint !== null ? await runWithEnv(shown, endpoint) : await main(["node", "exoform", ...step.argv]);
          if (!step.ok.includes(code)) {
            throw new UserError(`the demo stopped: "exoform ${shown.join(" ")}" exited ${code}`, "demo_step_failed");
          }
        }
      } finally {
        await endpoint?.close();
        served?.close();
      }
      process.exitCode = EXIT.ok;
      process.stdout.write(
        `\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s. Run it again: the plan is empty. Try an out-of-band change:\n` +
          `  npx exoform tenant set sign-in support@contoso.com enable --tenant ${tenantArg}\n` +
          `  npx exoform drift --desired ${desiredFile} --tenant ${tenantArg}\n`,
      );
    });
}

/**
 * Run exoform in a new process with the endpoint's env, as a pipeline step would (the CA must be known
 * when Node starts: NODE_EXTRA_CA_CERTS), its output passed through this process's streams.
 */
function runWithEnv(argv: readonly string[], endpoint: LocalEndpoint): Promise<number> {
  // lib/cli/commands/demo.ts from the sources, dist/cli.mjs from the bundle
  const bin = ["../../../bin/exoform.js", "../bin/exoform.js"].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p));
  if (bin === undefined) return Promise.reject(new Error("bin/exoform.js not found next to the exoform sources"));
  const child = spawn(process.execPath, [bin, ...argv], {
    env: { ...process.env, ...endpoint.env, EXOFORM_PROVIDER: "microsoft" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk: Buffer) => process.stdout.write(chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk.toString("utf8")));
  return new Promise((resolveCode, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolveCode(code ?? 1));
  });
}
