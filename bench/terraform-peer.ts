/**
 * The peer row: `terraform plan` on as many `terraform_data` resources as
 * exoform plans mailboxes, timed in the same run so the ratio is like for
 * like on the same machine at the same load. `terraform_data` is built into
 * Terraform (no provider download, nothing from the internet); each resource
 * holds a mailbox's address and its grants, and the state is empty, so
 * Terraform plans every one as a create: its cheapest plan (no refresh).
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { performance } from "node:perf_hooks";

/** The terraform executable on PATH, or null (the row is then skipped with a note). */
export function findTerraform(): string | null {
  for (const folder of (process.env["PATH"] ?? "").split(delimiter)) {
    const candidate = join(folder, "terraform");
    if (folder !== "" && existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * Write a configuration of `resources` terraform_data resources into `dir` and `terraform init` it
 * (untimed; offline: terraform_data needs no provider). Returns the environment the timed plans run in.
 */
export function prepareTerraform(terraform: string, dir: string, resources: number, grantsPerResource: number): NodeJS.ProcessEnv {
  const resource: Record<string, { input: { address: string; grants: string[] } }> = {};
  for (let i = 0; i < resources; i++) {
    resource[`mailbox_${i}`] = { input: { address: `shared-${i}@contoso.com`, grants: Array.from({ length: grantsPerResource }, (_, j) => `person-${j}@contoso.com`) } };
  }
  writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ resource: { terraform_data: resource } }));
  // an empty CLI configuration: no user settings, no plugin cache, nothing that could reach out
  writeFileSync(join(dir, "terraformrc"), "");
  const env = { ...process.env, TF_CLI_CONFIG_FILE: join(dir, "terraformrc"), TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  run(terraform, ["init", "-input=false", "-no-color"], dir, env);
  return env;
}

/** Wall seconds of one `terraform plan` (no lock, no refresh of an empty state) in `dir`. */
export function terraformPlanSeconds(terraform: string, dir: string, env: NodeJS.ProcessEnv, resources: number): number {
  const start = performance.now();
  const out = run(terraform, ["plan", "-input=false", "-lock=false", "-no-color"], dir, env);
  const seconds = (performance.now() - start) / 1000;
  if (!out.includes(`Plan: ${resources} to add`)) throw new Error(`terraform plan did not plan ${resources} creates: ${out.trim().split("\n").slice(-2).join(" / ")}`);
  return seconds;
}

function run(terraform: string, args: readonly string[], dir: string, env: NodeJS.ProcessEnv): string {
  const out = spawnSync(terraform, args, { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`terraform ${args[0]} exited ${String(out.status)}: ${(out.stderr || out.stdout).trim().split("\n").slice(-3).join(" / ")}`);
  return out.stdout;
}
