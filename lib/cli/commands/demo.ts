/**
 * `exoform demo` (what `npm start` runs): the whole loop on the embedded
 * simulated tenant, by running the real commands one after another and
 * showing each one, so a newcomer sees the workflow they will use:
 *
 *   tenant init (if absent) -> synth -> plan --out -> apply <plan> -> drift
 *
 * Run it twice: the second plan is empty and apply has nothing to do.
 */
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { UserError } from "../../diagnostics/errors.js";
import { resolveTenantPath } from "../../../providers/simulated/index.js";
import { EXIT } from "../exit.js";
import { isTty } from "../output.js";
import { TENANT_OPTION_HELP } from "../tenant.js";

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
      const tenantPath = resolveTenantPath(options.tenant);
      const tenantArg = relative(process.cwd(), tenantPath) || tenantPath;
      const planFile = relative(process.cwd(), resolve(tenantPath, "..", "demo-plan.json"));
      const output = relative(process.cwd(), resolve(options.output)) || ".";
      const desiredFile = `${output}/stacks/contoso/desired-state.json`;
      const started = Date.now();

      const steps: Array<{ why: string; argv: string[]; ok: readonly number[] }> = [];
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
          argv: ["plan", "--desired", desiredFile, "--tenant", tenantArg, "--out", planFile],
          ok: [EXIT.ok],
        },
        {
          why: "apply exactly the reviewed plan, then verify by planning again",
          argv: ["apply", planFile, "--desired", desiredFile, "--tenant", tenantArg],
          ok: [EXIT.ok],
        },
        { why: "drift check: does the tenant still match the code?", argv: ["drift", "--desired", desiredFile, "--tenant", tenantArg], ok: [EXIT.ok] },
      );

      const { main } = await import("../main.js");
      for (const step of steps) {
        const why = isTty() ? `\x1b[2m# ${step.why}\x1b[0m` : `# ${step.why}`;
        process.stdout.write(`\n${why}\n$ exoform ${step.argv.join(" ")}\n`);
        process.exitCode = 0;
        const code = await main(["node", "exoform", ...step.argv]);
        if (!step.ok.includes(code)) {
          throw new UserError(`the demo stopped: "exoform ${step.argv.join(" ")}" exited ${code}`, "demo_step_failed");
        }
      }
      process.exitCode = EXIT.ok;
      process.stdout.write(
        `\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s. Run it again: the plan is empty. Try an out-of-band change:\n` +
          `  npx exoform tenant set sign-in support@contoso.com enable --tenant ${tenantArg}\n` +
          `  npx exoform drift --desired ${desiredFile} --tenant ${tenantArg}\n`,
      );
    });
}
