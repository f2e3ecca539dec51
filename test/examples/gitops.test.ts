/**
 * The GitOps examples (GitHub Actions workflows and the exoform action they
 * use, a Kubernetes CronJob) parse, do what their headers promise, and call
 * the CLI only with commands and long flags the CLI registers. The action's
 * shell steps are run with bash, exoform replaced by a stand-in, to show how
 * they treat empty variables, exit codes and a stale plan. actionlint checks
 * them too (actionlint.test.ts).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../lib/cli/main.js";
import { SCAFFOLD } from "../../lib/cli/commands/init.js";
import {
  ACTION_FILE,
  ACTION_USES,
  CRONJOB_FILE,
  WORKFLOW_FILES,
  action,
  actionStep,
  jobs,
  read,
  ROOT,
  steps,
  text,
  workflows,
  type Step,
  type Yaml,
} from "./workflows.js";

/**
 * Every `exoform <command> <args>` run as a command in a shell script (the
 * first word of a command, optionally after npx; prose in echo lines is not a
 * command, nor is quoted text), line continuations joined, stopping at
 * redirections.
 */
export function invocationsIn(script: string): string[][] {
  const out: string[][] = [];
  for (const line of script.replace(/\\\n/g, " ").split("\n")) {
    // quoted text is an argument, never a command: blank it before splitting on ; && || |
    for (const segment of line.replace(/"[^"]*"|'[^']*'/g, '""').split(/&&|\|\||;|\|/)) {
      const words = segment.trim().split(/\s+/);
      if (words[0] === "npx") words.shift();
      if (words[0] !== "exoform" || words.length < 2) continue;
      const args: string[] = [];
      for (const word of words.slice(1)) {
        if (/^(\d?>|>>|<)/.test(word)) break;
        args.push(word);
      }
      out.push(args);
    }
  }
  return out;
}

function cronjobInvocation(cronjob: Yaml): string[] {
  const spec = cronjob["spec"] as { jobTemplate: { spec: { template: { spec: { containers: Array<{ command: string[]; args: string[] }> } } } } };
  const container = spec.jobTemplate.spec.template.spec.containers[0]!;
  expect(container.command).toEqual(["exoform"]);
  return container.args;
}

const cronjob = read(CRONJOB_FILE);
const WORKFLOWS = Object.entries(workflows) as Array<[keyof typeof workflows, Yaml]>;

const invocations: Array<{ file: string; words: string[] }> = [
  ...WORKFLOWS.flatMap(([name, wf]) => steps(wf).flatMap((s) => invocationsIn(s.run ?? "").map((words) => ({ file: WORKFLOW_FILES[name], words })))),
  ...action.runs.steps.flatMap((s) => invocationsIn(s.run ?? "").map((words) => ({ file: ACTION_FILE, words }))),
  { file: CRONJOB_FILE, words: cronjobInvocation(cronjob) },
];

/** The steps of a workflow that use the exoform action, with the job each is in. */
function actionSteps(wf: Yaml): Array<{ job: string; step: Step; index: number; all: Step[] }> {
  return Object.entries(jobs(wf)).flatMap(([job, j]) => j.steps.flatMap((step, index) => (step.uses === ACTION_USES ? [{ job, step, index, all: j.steps }] : [])));
}

const PLAN_KEY = "${{ secrets.EXOFORM_PLAN_KEY }}";

describe("the workflows run exoform through the exoform action the package installs", () => {
  it.each(WORKFLOWS)("%s.yml: each use of the action comes after npm ci in its job", (_name, wf) => {
    const uses = actionSteps(wf);
    expect(uses.length).toBeGreaterThan(0);
    for (const { all, index } of uses) expect(all.slice(0, index).some((s) => s.run === "npm ci")).toBe(true);
  });

  it("the package ships action.yml at its root, where ./node_modules/@exoform/exoform finds it", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; files: string[] };
    expect(`./node_modules/${pkg.name}`).toBe(ACTION_USES);
    expect(pkg.files).toEqual(expect.arrayContaining(["action.yml", "examples/github-actions/", "examples/policy/"]));
    expect(action.runs.using).toBe("composite");
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(["command", "working-directory", "plan-file", "policy", "comment", "plan-key"]));
  });

  it("the workflows use the policy at the path exoform init writes it", () => {
    const policies = WORKFLOWS.flatMap(([, wf]) => actionSteps(wf).flatMap(({ step }) => (step.with?.["policy"] !== undefined ? [step.with["policy"]] : [])));
    expect(new Set(policies)).toEqual(new Set(["policy.json"]));
    expect(SCAFFOLD.map((f) => f.path)).toContain("policy.json");
  });
});

describe("GitOps examples: what each one does", () => {
  it("plan.yml runs on pull requests and plans with the policy and the plan key", () => {
    const wf = workflows.plan;
    expect(wf["on"]).toHaveProperty("pull_request");
    const [use] = actionSteps(wf);
    expect(use?.step.with).toEqual({ command: "plan", policy: "policy.json", "plan-key": PLAN_KEY });
  });

  it("the action's plan keeps one comment per plan part by its marker, writes the job summary and keeps plan.json unless the plan failed", () => {
    const comment = actionStep("Post or update the plan comments");
    const script = String(comment.with?.["script"]);
    expect(script).toContain("<!-- exoform-plan part ${i} -->");
    expect(script).toContain("updateComment");
    expect(script).toContain("createComment");
    expect(script).toContain("deleteComment"); // parts a shorter plan no longer has
    const run = String(actionStep("run").run);
    expect(run).toContain("--parts-dir exoform-plan-parts");
    expect(run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const keep = actionStep("Keep the plan");
    expect(keep.if).toBe("inputs.command == 'plan' && steps.run.outputs.exit-code != '1'");
    expect(keep.with).toMatchObject({ name: "exoform-plan", path: "${{ inputs.working-directory }}/${{ inputs.plan-file }}" });
  });

  it("apply.yml applies the merged pull request's reviewed plan in the protected environment, one run per tenant at a time, never cancelled", () => {
    const wf = workflows.apply;
    expect(wf["on"]).toEqual({ push: { branches: ["main"] } });
    expect(wf["concurrency"]).toEqual({ group: "exoform-${{ vars.AZURE_TENANT_ID || vars.EXOFORM_TENANT || 'simulated' }}", "cancel-in-progress": false });
    const { apply } = jobs(wf);
    expect(apply?.environment).toBe("exoform-apply");
    const runs = apply!.steps.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("commits/$SHA/pulls");
    expect(runs).toContain('gh run download "$RUN_ID" --name exoform-plan');
    expect(actionSteps(wf).find((u) => u.job === "apply")?.step.with).toEqual({ command: "apply", "plan-key": PLAN_KEY, "allow-stale": true });
  });

  it("apply.yml answers a stale or missing reviewed plan with a fresh plan of main, posted on the pull request, applied once the environment's reviewers approve", () => {
    const { apply, replan, "apply-fresh": fresh } = jobs(workflows.apply);
    expect(apply?.outputs?.["replan"]).toBe("${{ steps.find.outputs.run-id == '' || steps.apply.outputs.stale == 'true' }}");
    expect(replan).toMatchObject({ needs: "apply", if: "needs.apply.outputs.replan == 'true'" });
    expect(replan?.steps[0]).toEqual({ uses: "actions/checkout@v4", with: { ref: "main" } });
    expect(replan?.steps.find((s) => s.uses === ACTION_USES)?.with).toMatchObject({ command: "plan", "pull-request": "${{ needs.apply.outputs.pr }}" });
    expect(fresh).toMatchObject({ needs: "replan", environment: "exoform-apply" });
    expect(fresh?.steps.find((s) => s.uses === "actions/download-artifact@v4")?.with).toEqual({ name: "exoform-plan" });
    expect(fresh?.steps.find((s) => s.uses === ACTION_USES)?.with).toEqual({ command: "apply", "plan-key": PLAN_KEY });
    // the old advice is gone: no step tells anyone to merge again
    expect(steps(workflows.apply).map((s) => s.run ?? "").join("\n")).not.toMatch(/merge again/i);
  });

  it("the action keeps the apply journal as an artifact, whatever happened, and brings it back on a re-run so apply resumes", () => {
    const back = actionStep("Bring back the journal of an earlier attempt (a re-run resumes the apply)");
    expect(back.if).toBe("inputs.command == 'apply' && github.run_attempt != '1'");
    expect(back.run).toContain('gh run download "$RUN_ID" --name exoform-apply-journal --dir .');
    const keep = actionStep("Keep the apply journal and result (a re-run resumes from the journal)");
    expect(keep.if).toBe("always() && inputs.command == 'apply'");
    expect(keep.with).toMatchObject({ name: "exoform-apply-journal", overwrite: true, "include-hidden-files": true });
    expect(String(keep.with?.["path"])).toContain("${{ inputs.working-directory }}/${{ inputs.state-dir }}/journal");
    expect(invocationsIn(String(actionStep("run").run)).find((w) => w[0] === "apply")).toEqual(["apply", '""', "--json", "--state-dir", '""']);
  });

  it("drift.yml runs on a schedule in a concurrency group apart from apply's; the action opens or updates one labelled issue on exit 2 and closes it on 0", () => {
    const wf = workflows.drift;
    expect(wf["on"]).toHaveProperty("schedule");
    expect(actionSteps(wf)[0]?.step.with).toEqual({ command: "drift" });
    const drift = (wf["concurrency"] as { group: string }).group;
    expect(drift).not.toBe((workflows.apply["concurrency"] as { group: string }).group);
    expect(drift).toContain("vars.AZURE_TENANT_ID");
    const issue = actionStep("Open, update or close the drift issue");
    expect(issue.if).toBe("inputs.command == 'drift' && inputs.comment == 'true' && (steps.run.outputs.exit-code == '0' || steps.run.outputs.exit-code == '2')");
    const script = String(issue.with?.["script"]);
    expect(script).toContain('const label = "exoform-drift"');
    expect(script).toContain("issues.update");
    expect(script).toContain('state: "closed"');
  });

  it("the CronJob runs drift on a schedule with concurrencyPolicy Forbid, EXOFORM_TENANT and a placeholder image", () => {
    expect(cronjob).toMatchObject({ apiVersion: "batch/v1", kind: "CronJob", spec: { concurrencyPolicy: "Forbid" } });
    const yaml = text(CRONJOB_FILE);
    expect(yaml).toContain("name: EXOFORM_TENANT");
    expect(yaml).toContain("REPLACE_WITH_YOUR_TAG");
    expect(cronjobInvocation(cronjob)[0]).toBe("drift");
  });
});

describe("credentials: GitHub's OIDC token, no client secret; the plan key given to exoform only", () => {
  it.each(WORKFLOWS)("%s.yml may ask for an OIDC token, takes the tenant and client ids from variables, and no secret but the plan key", (name, wf) => {
    expect(wf["permissions"]).toMatchObject({ "id-token": "write" });
    expect(wf["env"]).toMatchObject({ EXOFORM_PROVIDER: "${{ vars.EXOFORM_PROVIDER }}", AZURE_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}", AZURE_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}" });
    const secrets = new Set([...text(WORKFLOW_FILES[name]).matchAll(/secrets\.([A-Za-z_]+)/g)].map((m) => m[1]));
    for (const secret of secrets) expect(secret).toBe("EXOFORM_PLAN_KEY");
    expect(text(WORKFLOW_FILES[name])).not.toMatch(/^\s*AZURE_CLIENT_SECRET:/m);
  });

  it.each(WORKFLOWS)("%s.yml passes the plan key only as the action's plan-key input, never in an environment", (_name, wf) => {
    const envs = [wf["env"], ...Object.values(jobs(wf)).map((j) => j.env), ...steps(wf).map((s) => s.env)];
    for (const env of envs) expect(Object.values(env ?? {})).not.toContain(PLAN_KEY);
    const given = steps(wf).filter((s) => JSON.stringify(s).includes("secrets.EXOFORM_PLAN_KEY"));
    for (const step of given) {
      if (step.uses === ACTION_USES) expect(step.with?.["plan-key"]).toBe(PLAN_KEY);
      else expect(step.env).toEqual({ HAS_PLAN_KEY: "${{ secrets.EXOFORM_PLAN_KEY != '' }}" }); // whether it is set, not its value
    }
  });

  it("the action gives the key to the step that runs exoform and to no other, and never prints it", () => {
    const holders = action.runs.steps.filter((s) => s.env !== undefined && "EXOFORM_PLAN_KEY" in s.env);
    expect(holders.map((s) => s.id)).toEqual(["run"]);
    expect(holders[0]!.env!["EXOFORM_PLAN_KEY"]).toBe("${{ inputs.plan-key }}");
    expect(action.runs.steps.filter((s) => JSON.stringify(s).includes("inputs.plan-key")).map((s) => s.id)).toEqual(["run"]);
    expect(action.runs.steps.map((s) => s.run ?? "").join("\n")).not.toMatch(/echo[^\n]*\$\{?EXOFORM_PLAN_KEY/);
  });

  it("apply.yml fails before anything else when the plan key is not set", () => {
    const first = jobs(workflows.apply)["apply"]!.steps[0]!;
    expect(first.name).toBe("Require the plan key");
    expect(first.run).toMatch(/if \[ "\$HAS_PLAN_KEY" != true \]; then[\s\S]*exit 1/);
  });
});

describe("the action's shell steps, run with bash and a stand-in for exoform", () => {
  const scratch = mkdtempSync(join(tmpdir(), "exoform-action-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  // `npx exoform ...` runs this: it records the variables it was given and exits as told
  writeFileSync(
    join(scratch, "npx"),
    '#!/bin/sh\n{ echo "args=$*"; for v in EXOFORM_TENANT EXOFORM_PROVIDER AZURE_CLIENT_ID EXOFORM_PLAN_KEY; do eval "echo $v=\\${$v-unset}"; done; } > "$SEEN"\nprintf "%s" "$FAKE_STDERR" >&2\nexit "$FAKE_EXIT"\n',
  );
  chmodSync(join(scratch, "npx"), 0o755);
  let n = 0;

  /** Run one of the action's bash steps as GitHub would, with `env` (its own env: entries are given, as values, by the caller). */
  function runStep(step: Step, env: Record<string, string>): { status: number | null; outputs: Record<string, string>; seen: string; stdout: string; stderr: string } {
    const dir = join(scratch, `run-${++n}`);
    mkdirSync(dir);
    const files = { GITHUB_OUTPUT: join(dir, "output"), GITHUB_STEP_SUMMARY: join(dir, "summary"), SEEN: join(dir, "seen") };
    for (const file of Object.values(files)) writeFileSync(file, "");
    // the shell GitHub runs a `shell: bash` step with
    const r = spawnSync("bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", String(step.run)], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: `${scratch}:${process.env["PATH"]}`, ...files, FAKE_EXIT: "0", FAKE_STDERR: "", ...env },
    });
    const outputs = Object.fromEntries(readFileSync(files.GITHUB_OUTPUT, "utf8").trim().split("\n").filter(Boolean).map((l) => l.split("=", 2) as [string, string]));
    return { status: r.status, outputs, seen: readFileSync(files.SEEN, "utf8"), stdout: r.stdout, stderr: r.stderr };
  }
  const inputs = { PLAN_FILE: "plan.json", POLICY: "policy.json", STATE_DIR: ".exoform-state" };

  it("treats a variable that is set to an empty string (an unset repository variable) as unset, and keeps one that is set", () => {
    const r = runStep(actionStep("run"), { ...inputs, COMMAND: "plan", EXOFORM_TENANT: "", EXOFORM_PROVIDER: "", AZURE_CLIENT_ID: "app-id", EXOFORM_PLAN_KEY: "" });
    expect(r.status).toBe(0);
    expect(r.seen).toContain("EXOFORM_TENANT=unset\nEXOFORM_PROVIDER=unset\nAZURE_CLIENT_ID=app-id\nEXOFORM_PLAN_KEY=unset\n");
    expect(r.stderr).toBe("");
  });

  it("covers every variable a workflow sets from a repository variable", () => {
    const unsetList = /for name in ([\s\S]*?); do/.exec(String(actionStep("run").run))![1]!.replace(/\\\n/g, " ").split(/\s+/).filter(Boolean);
    for (const [, wf] of WORKFLOWS) {
      const fromVars = Object.entries((wf["env"] ?? {}) as Record<string, string>).filter(([, v]) => v.includes("vars.")).map(([k]) => k);
      expect(unsetList).toEqual(expect.arrayContaining(fromVars));
    }
  });

  it("reports exoform's exit code, and a stale plan as stale=true", () => {
    const planned = runStep(actionStep("run"), { ...inputs, COMMAND: "plan", FAKE_EXIT: "0" });
    expect(planned.outputs).toEqual({ "exit-code": "0", stale: "false" });
    expect(planned.seen).toContain("args=exoform plan --policy policy.json --out plan.json --format markdown --parts-dir exoform-plan-parts");
    const stale = runStep(actionStep("run"), { ...inputs, COMMAND: "apply", FAKE_EXIT: "1", FAKE_STDERR: "error: support@contoso.com: stale plan: the mailbox changed since the plan was made [stale_plan]\n" });
    expect(stale.outputs).toEqual({ "exit-code": "1", stale: "true" });
    expect(stale.stderr).toContain("[stale_plan]"); // exoform's errors still reach the log
    const failed = runStep(actionStep("run"), { ...inputs, COMMAND: "apply", FAKE_EXIT: "1", FAKE_STDERR: "error: tenant locked [lock_held]\n" });
    expect(failed.outputs).toEqual({ "exit-code": "1", stale: "false" });
  });

  it.each([
    ["plan", "0", "false", "false", 0, "planned"],
    ["plan", "1", "false", "false", 1, "::error::exoform plan exited 1"],
    ["apply", "0", "false", "false", 0, "applied; the tenant converged"],
    ["apply", "2", "false", "false", 0, "::warning::applied, but differences remain"],
    ["apply", "1", "true", "true", 0, "::warning::the plan is stale"],
    ["apply", "1", "true", "false", 1, "::error::the plan is stale"],
    ["apply", "1", "false", "true", 1, "re-running this job resumes the apply"],
    ["drift", "2", "false", "false", 0, "::warning::the tenant drifted"],
    ["drift", "1", "false", "false", 1, "drift was NOT checked"],
  ] as const)("the result of %s exiting %s (stale %s, allow-stale %s) ends the step with %s", (command, code, stale, allowStale, status, says) => {
    const r = runStep(actionStep("Result"), { COMMAND: command, CODE: code, STALE: stale, ALLOW_STALE: allowStale });
    expect(r.status).toBe(status);
    expect(r.stdout).toContain(says);
  });
});

describe("GitOps examples use only the CLI's registered commands and flags", () => {
  const program = buildProgram();
  const globalFlags = new Set(program.options.map((o) => o.long));

  it("finds the invocations it checks", () => {
    expect(invocations.map((i) => `${i.file}: ${i.words[0]}`)).toEqual([
      `${ACTION_FILE}: plan`,
      `${ACTION_FILE}: plan`,
      `${ACTION_FILE}: apply`,
      `${ACTION_FILE}: drift`,
      `${CRONJOB_FILE}: drift`,
    ]);
  });

  it.each(invocations.map((i) => [`${i.file}: exoform ${i.words.join(" ")}`, i] as const))("%s", (_name, { words }) => {
    const command: Command | undefined = program.commands.find((c) => c.name() === words[0]);
    expect(command, `exoform ${words[0]} is not a registered command`).toBeDefined();
    const flags = new Set(command!.options.map((o) => o.long));
    for (const word of words.slice(1)) {
      if (!word.startsWith("--")) continue;
      const flag = word.split("=")[0]!;
      expect(flags.has(flag) || globalFlags.has(flag), `exoform ${words[0]} has no flag ${flag}`).toBe(true);
    }
  });

  it("extracts invocations from shell lines, joining continuations and stopping at redirections", () => {
    expect(invocationsIn("set +e\nnpx exoform plan --policy p.json \\\n  --out plan.json > plan.md\ncode=$?")).toEqual([["plan", "--policy", "p.json", "--out", "plan.json"]]);
    expect(invocationsIn("echo exoform-drift && exoform drift --format=json | tee x")).toEqual([["drift", "--format=json"]]);
    expect(invocationsIn('echo "failed; exoform applies only reviewed plans"')).toEqual([]);
  });
});
