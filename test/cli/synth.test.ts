import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { validateDesiredState } from "../../lib/model/validate.js";
import { runCliSync } from "./cli-child.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

const exoform = (args: string[], cwd = root) => runCliSync(args, cwd);

/** An app under the OS temp dir importing exoform from this checkout. */
function tempApp(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "exoform-app-"));
  const file = join(dir, "main.ts");
  const lib = pathToFileURL(join(root, "lib/index.ts")).href;
  const cdktf = pathToFileURL(join(root, "node_modules/cdktf/lib/index.js")).href;
  writeFileSync(file, `import { App } from ${JSON.stringify(cdktf)};\nimport { TenantStack, SharedMailbox, UserMailbox } from ${JSON.stringify(lib)};\nconst app = new App();\n${body}\napp.synth();\n`);
  return `"${process.execPath}" --import tsx "${file}"`;
}

describe("exoform synth on the contoso example", () => {
  const out = join(mkdtempSync(join(tmpdir(), "exoform-synth-")), "nested", "cdktf.out");
  let run: ReturnType<typeof exoform>;
  beforeAll(() => {
    run = exoform(["synth", "--output", out]);
  });

  it("exits 0 and summarizes every mailbox, creating the output folder's parents", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^stack contoso: 7 shared mailboxes, 1 user mailbox \(.*stacks\/contoso\/cdk\.tf\.json\)$/);
    expect(lines.find((l) => l.includes("support@contoso.com"))).toMatch(/shared {2}support@contoso\.com +new +members 2 {2}fullAccess 2 {2}sendAs 2 {2}sendOnBehalf 0 {2}license none +hold off {2}archive off {2}removal retain/);
    expect(lines.find((l) => l.includes("legal@contoso.com"))).toMatch(/members 1 {2}fullAccess 2 {2}sendAs 1 .*license EXCHANGEENTERPRISE {2}hold on/);
    expect(lines.find((l) => l.includes("kim.nguyen"))).toMatch(/user {4}kim\.nguyen@contoso\.com +license EXCHANGESTANDARD$/);
    expect(lines.at(-1)).toMatch(/^ {2}desired state: .*stacks\/contoso\/desired-state\.json$/);
  });

  it("writes the canonical desired-state document, equal to the hand-written plain JSON example", () => {
    const written = readFileSync(join(out, "stacks/contoso/desired-state.json"), "utf8");
    const handWritten = JSON.parse(readFileSync(join(root, "examples/contoso/desired-state.json"), "utf8"));
    const canonical = validateDesiredState(handWritten, "examples/contoso/desired-state.json");
    expect(canonical.diagnostics).toEqual([]);
    expect(JSON.parse(written)).toEqual(canonical.state);
    expect(written.endsWith("}\n")).toBe(true);
    expect(written).toContain('\n  "formatVersion": 1,\n');
  });
});

describe("exoform synth", () => {
  it("fails with every misuse of an app's constructs, one line each, and no stack trace", () => {
    const app = tempApp(`
const stack = new TenantStack(app, "contoso", { tenantId: "contoso", domains: ["contoso.com"] });
new SharedMailbox(stack, "Jack", { address: "jack@contoso.com", displayName: "Jack", origin: "convert", removalPolicy: "delete", members: ["bob@gmail.com"] });`);
    const { status, stdout, stderr } = exoform(["synth", "--app", app, "--output", join(mkdtempSync(join(tmpdir(), "exoform-out-")), "out")]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^error: contoso\/Jack#\/fullAccess\/0: jack@contoso\.com: .*"bob@gmail\.com", who is not in a domain the tenant owns.* \[trustee_outside_tenant\]$/),
      expect.stringMatching(/^error: contoso\/Jack#\/removalPolicy: .*may not have removalPolicy "delete".* \[delete_converted_mailbox\]$/),
      expect.stringMatching(/^error: contoso\/Jack#\/sendAs\/0: .*\[trustee_outside_tenant\]$/),
    ]);
  });

  it("fails on cross-mailbox rules found at synth, naming both constructs", () => {
    const app = tempApp(`
const stack = new TenantStack(app, "contoso", { tenantId: "contoso", domains: ["contoso.com"] });
new SharedMailbox(stack, "A", { address: "a@contoso.com", displayName: "A" });
new UserMailbox(stack, "B", { address: "A@contoso.com", license: "EXCHANGESTANDARD" });`);
    const { status, stderr } = exoform(["synth", "--app", app, "--output", join(mkdtempSync(join(tmpdir(), "exoform-out-")), "out")]);
    expect(status).toBe(1);
    expect(stderr).toBe('error: contoso/B: a@contoso.com: mailbox "a@contoso.com" is listed both as a shared mailbox and as a user mailbox; keep it in one list [listed_as_shared_and_user]\n');
  });

  it("validates what it reads back: a bad cdk.tf.json fails with --json output and no stale document is left", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "exoform-out-")), "out");
    const stackDir = join(outdir, "stacks/contoso");
    mkdirSync(stackDir, { recursive: true });
    writeFileSync(join(stackDir, "desired-state.json"), "{}\n"); // from an earlier run
    // an "app" writing Terraform JSON by hand, no constructs involved
    const json = {
      resource: {
        null_resource: {
          t: { triggers: { exoform: "tenant", spec: '{"formatVersion":1,"stack":"contoso","tenant":{"domains":["contoso.com"],"id":"contoso"}}' } },
          m: { triggers: { exoform: "sharedMailbox", spec: '{"address":"x@fabrikam.com","displayName":"X"}' } },
        },
      },
    };
    const file = join(stackDir, "cdk.tf.json");
    const app = `"${process.execPath}" -e ${JSON.stringify(`require("fs").writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(JSON.stringify(json))})`)}`;
    const { status, stdout } = exoform(["synth", "--app", app, "--output", outdir, "--json"]);
    expect(status).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(false);
    expect(report.stacks).toEqual([{ stack: "contoso", file: expect.stringMatching(/stacks\/contoso\/cdk\.tf\.json$/) }]);
    expect(report.diagnostics).toEqual([expect.objectContaining({ code: "address_outside_tenant", target: "x@fabrikam.com" })]);
    expect(existsSync(join(stackDir, "desired-state.json"))).toBe(false);
  });
});
