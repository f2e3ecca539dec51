/**
 * The GitOps examples (GitHub Actions workflows, a Kubernetes CronJob) parse,
 * do what their headers promise, and call the CLI only with commands and
 * long flags the CLI registers.
 *
 * js-yaml is used from node_modules (present today as a transitive
 * dependency); it must become a devDependency.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../lib/cli/main.js";

const ROOT = join(import.meta.dirname, "..", "..");
const FILES = {
  plan: "examples/github-actions/plan.yml",
  apply: "examples/github-actions/apply.yml",
  drift: "examples/github-actions/drift.yml",
  cronjob: "examples/kubernetes/drift-cronjob.yaml",
} as const;

type Yaml = Record<string, unknown>;
interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}

function read(file: string): Yaml {
  return load(readFileSync(join(ROOT, file), "utf8")) as Yaml;
}

function steps(workflow: Yaml): Step[] {
  const jobs = workflow["jobs"] as Record<string, { steps: Step[] }>;
  return Object.values(jobs).flatMap((j) => j.steps);
}

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

const workflows = { plan: read(FILES.plan), apply: read(FILES.apply), drift: read(FILES.drift) };
const cronjob = read(FILES.cronjob);

const invocations: Array<{ file: string; words: string[] }> = [
  ...Object.entries(workflows).flatMap(([name, wf]) =>
    steps(wf).flatMap((s) => invocationsIn(s.run ?? "").map((words) => ({ file: FILES[name as keyof typeof workflows], words }))),
  ),
  { file: FILES.cronjob, words: cronjobInvocation(cronjob) },
];

describe("GitOps examples: what each one does", () => {
  it("plan.yml runs on pull requests, plans with a policy, keeps one comment per plan part by its marker and uploads plan.json", () => {
    const wf = workflows.plan;
    expect(wf["on"]).toHaveProperty("pull_request");
    const all = steps(wf);
    expect(all.map((s) => s.run ?? "").join("\n")).toContain("npm ci");
    const comment = all.find((s) => s.uses?.startsWith("actions/github-script"));
    const script = String(comment?.with?.["script"]);
    expect(script).toContain("<!-- exoform-plan part ${i} -->");
    expect(script).toContain("updateComment");
    expect(script).toContain("createComment");
    expect(script).toContain("deleteComment"); // parts a shorter plan no longer has
    expect(all.map((s) => s.run ?? "").join("\n")).toContain("--parts-dir plan-parts");
    const upload = all.find((s) => s.uses?.startsWith("actions/upload-artifact"));
    expect(upload?.with).toMatchObject({ name: "exoform-plan", path: "plan.json" });
  });

  it("apply.yml runs on push to main, downloads the merged pull request's plan and applies it with exit-code handling", () => {
    const wf = workflows.apply;
    expect(wf["on"]).toEqual({ push: { branches: ["main"] } });
    const runs = steps(wf).map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("commits/$SHA/pulls");
    expect(runs).toContain("gh run download");
    expect(runs).toContain("exoform apply plan.json --json");
    expect(runs).toMatch(/case "\$code" in/);
    expect(wf["concurrency"]).toMatchObject({ "cancel-in-progress": false });
  });

  it("plan.yml and apply.yml give EXOFORM_PLAN_KEY from a repository secret to the plan and the apply step, and to no other step", () => {
    const SECRET = "${{ secrets.EXOFORM_PLAN_KEY }}";
    for (const [name, command] of [["plan", "plan"], ["apply", "apply"]] as const) {
      const wf = workflows[name];
      // never workflow-wide: third-party actions in other steps must not see it
      expect(wf["env"] ?? {}, FILES[name]).not.toHaveProperty("EXOFORM_PLAN_KEY");
      const all = steps(wf);
      const runs = all.filter((s) => invocationsIn(s.run ?? "").some((words) => words[0] === command));
      expect(runs, `${FILES[name]}: one step runs exoform ${command}`).toHaveLength(1);
      expect(runs[0]!.env?.["EXOFORM_PLAN_KEY"], `${FILES[name]}: exoform ${command} gets the key`).toBe(SECRET);
      const others = all.filter((s) => s !== runs[0] && s.env !== undefined && "EXOFORM_PLAN_KEY" in s.env);
      expect(others.map((s) => s.name), `${FILES[name]}: no other step gets the key`).toEqual([]);
      // the key is only ever read from the environment, never echoed
      expect(all.map((s) => s.run ?? "").join("\n")).not.toMatch(/echo[^\n]*\$\{?EXOFORM_PLAN_KEY/);
    }
    // the plan is saved with --out (the only output exoform signs), and apply refuses to run without the key
    const planStep = steps(workflows.plan).find((s) => s.env?.["EXOFORM_PLAN_KEY"] !== undefined)!;
    expect(invocationsIn(planStep.run ?? "")[0]).toContain("--out");
    const applyStep = steps(workflows.apply).find((s) => s.env?.["EXOFORM_PLAN_KEY"] !== undefined)!;
    expect(applyStep.run).toMatch(/if \[ -z "\$EXOFORM_PLAN_KEY" \]; then[\s\S]*exit 1[\s\S]*fi[\s\S]*exoform apply plan\.json/);
  });

  it("drift.yml runs on a schedule: exit 2 opens or updates one labelled issue, 0 closes it, anything else fails the job", () => {
    const wf = workflows.drift;
    expect(wf["on"]).toHaveProperty("schedule");
    const all = steps(wf);
    const issue = all.find((s) => s.uses?.startsWith("actions/github-script"));
    expect(issue?.if).toBe("steps.drift.outputs.exit-code == '0' || steps.drift.outputs.exit-code == '2'");
    const script = String(issue?.with?.["script"]);
    expect(script).toContain('const label = "exoform-drift"');
    expect(script).toContain("issues.update");
    expect(script).toContain('state: "closed"');
    const fail = all.find((s) => s.if === "steps.drift.outputs.exit-code != '0' && steps.drift.outputs.exit-code != '2'");
    expect(fail?.run).toContain("exit 1");
  });

  it("the CronJob runs drift on a schedule with concurrencyPolicy Forbid, EXOFORM_TENANT and a placeholder image", () => {
    expect(cronjob).toMatchObject({ apiVersion: "batch/v1", kind: "CronJob", spec: { concurrencyPolicy: "Forbid" } });
    const text = readFileSync(join(ROOT, FILES.cronjob), "utf8");
    expect(text).toContain("name: EXOFORM_TENANT");
    expect(text).toContain("REPLACE_WITH_YOUR_TAG");
    expect(cronjobInvocation(cronjob)[0]).toBe("drift");
  });
});

describe("GitOps examples use only the CLI's registered commands and flags", () => {
  const program = buildProgram();
  const globalFlags = new Set(program.options.map((o) => o.long));

  it("finds the invocations it checks", () => {
    expect(invocations.map((i) => i.words[0])).toEqual(["plan", "apply", "drift", "drift"]);
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
