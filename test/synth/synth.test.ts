import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { SharedMailbox, TenantStack, Testing, UserMailbox } from "../../lib/constructs/index.js";
import { canonicalize } from "../../lib/model/normalize.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { desiredStateFromTerraformJson, readSynthOutput } from "../../lib/synth/read.js";

/** A small stack using every kind of declaration once. */
function smallStack(): TenantStack {
  const stack = Testing.stack("contoso", { tenantId: "contoso", domains: ["contoso.com", "Contoso.onmicrosoft.com"], ignore: [{ mailbox: "legal@contoso.com", field: "sendAs", reason: "legal manages its own senders" }] });
  const support = new SharedMailbox(stack, "Support", { address: "Support@contoso.com", displayName: "Contoso Support", members: ["ben.ortiz@contoso.com", "ann.lee@contoso.com"] });
  support.grantSendOnBehalf("dev.patel@contoso.com");
  new SharedMailbox(stack, "Legal", {
    address: "legal@contoso.com",
    displayName: "Legal \"Hold\" ⚖",
    alias: "legal",
    license: "EXCHANGEENTERPRISE",
    litigationHold: true,
    archive: true,
    permissionsMode: "additive",
    fullAccess: [{ trustee: "gina.rossi@contoso.com", autoMapping: false }],
  });
  new SharedMailbox(stack, "Harry", { address: "harry.wells@contoso.com", displayName: "Harry Wells (departed)", origin: "convert" });
  new UserMailbox(stack, "Kim", { address: "kim.nguyen@contoso.com", license: "EXCHANGESTANDARD" });
  return stack;
}

const synthText = (stack: TenantStack) => Testing.synth(stack).get(stack.stackName)!;

describe("synth", () => {
  it("writes standard Terraform JSON: one null_resource per mailbox, in address order (snapshot)", async () => {
    const text = synthText(smallStack());
    await expect(text).toMatchFileSnapshot("__snapshots__/small-stack.cdk.tf.json");
    const names = Object.keys(JSON.parse(text).resource.null_resource);
    expect(names).toEqual(["exoform_tenant", "shared_harry_wells_contoso_com", "shared_legal_contoso_com", "shared_support_contoso_com", "user_kim_nguyen_contoso_com"]);
  });

  it("reads back exactly the canonical desired state it was built from", () => {
    const stack = smallStack();
    const doc = desiredStateFromTerraformJson(JSON.parse(synthText(stack)), "cdk.tf.json");
    const expected = canonicalize(stack.toDesiredState());
    expect(doc).toEqual(expected);
    expect(validateDesiredState(doc, "cdk.tf.json")).toEqual({ state: expected, diagnostics: [] });
  });

  it("gives byte-identical output on two synths, whatever the declaration order", () => {
    const a = synthText(smallStack());
    const b = synthText(smallStack());
    expect(b).toBe(a);
    // the same mailboxes declared in another order synthesize to the same resources
    const reversed = Testing.stack("contoso", { tenantId: "contoso", domains: ["contoso.com"] });
    new SharedMailbox(reversed, "Z", { address: "z@contoso.com", displayName: "Z" });
    new SharedMailbox(reversed, "A", { address: "a@contoso.com", displayName: "A" });
    const forward = Testing.stack("contoso", { tenantId: "contoso", domains: ["contoso.com"] });
    new SharedMailbox(forward, "A", { address: "a@contoso.com", displayName: "A" });
    new SharedMailbox(forward, "Z", { address: "z@contoso.com", displayName: "Z" });
    const strip = (t: string) => JSON.stringify(JSON.parse(t), (k, v) => (k === "//" ? undefined : v));
    expect(strip(synthText(reversed))).toBe(strip(synthText(forward)));
  });

  it("writes no absolute path: nothing machine-specific lands in the output", () => {
    const stack = smallStack();
    const text = synthText(stack);
    expect(text).not.toContain("/work");
    expect(text).not.toContain(tmpdir());
    expect(text).not.toContain(process.cwd());
    expect(JSON.parse(text).terraform.backend).toEqual({ local: { path: "terraform.tfstate" } });
  });

  it("keeps two addresses that read alike apart", () => {
    const stack = Testing.stack("contoso", { tenantId: "contoso", domains: ["contoso.com"] });
    new SharedMailbox(stack, "Dot", { address: "a.b@contoso.com", displayName: "Dot" });
    new SharedMailbox(stack, "Underscore", { address: "a_b@contoso.com", displayName: "Underscore" });
    const doc = desiredStateFromTerraformJson(JSON.parse(synthText(stack)), "f") as { sharedMailboxes: Array<{ address: string }> };
    expect(doc.sharedMailboxes.map((m) => m.address)).toEqual(["a.b@contoso.com", "a_b@contoso.com"]);
  });
});

describe("desiredStateFromTerraformJson", () => {
  const tenant = { triggers: { exoform: "tenant", spec: '{"formatVersion":1,"stack":"s","tenant":{"domains":["contoso.com"],"id":"c"}}' } };

  function problems(json: unknown): string[] {
    try {
      desiredStateFromTerraformJson(json, "out/cdk.tf.json");
    } catch (e) {
      if (!UserError.is(e)) throw e;
      return e.diagnostics.map((d) => `${d.location}: ${d.message}`);
    }
    throw new Error("expected a UserError");
  }

  it("ignores null_resources that are not exoform's", () => {
    const doc = desiredStateFromTerraformJson({ resource: { null_resource: { exoform_tenant: tenant, other: { triggers: { x: "1" } } } } }, "f");
    expect(doc).toEqual({ formatVersion: 1, stack: "s", tenant: { domains: ["contoso.com"], id: "c" }, sharedMailboxes: [], userMailboxes: [] });
  });

  it("rejects a file that is not a Terraform JSON object, naming the file", () => {
    expect(problems([])).toEqual(["out/cdk.tf.json: not a Terraform JSON object; synthesize it again with exoform synth"]);
  });

  it("rejects a file without a tenant resource", () => {
    expect(problems({ resource: {} })).toEqual([expect.stringMatching(/^out\/cdk\.tf\.json#\/resource\/null_resource: no exoform tenant resource/)]);
  });

  it("reports every malformed resource at once, each with where it is", () => {
    const found = problems({
      resource: {
        null_resource: {
          a: { triggers: { exoform: "group", spec: "{}" } },
          b: { triggers: { exoform: "sharedMailbox", spec: "{not json" } },
          c: { triggers: { exoform: "sharedMailbox", spec: "[1]", extra: "x" } },
          d: { triggers: { exoform: "userMailbox" } },
        },
      },
    });
    expect(found).toEqual([
      'out/cdk.tf.json#/resource/null_resource/a/triggers/exoform: unknown exoform object kind "group"; expected one of tenant, sharedMailbox, userMailbox',
      expect.stringMatching(/^out\/cdk\.tf\.json#\/resource\/null_resource\/b\/triggers\/spec: trigger "spec" is not valid JSON/),
      'out/cdk.tf.json#/resource/null_resource/c/triggers/extra: unexpected trigger "extra"; an exoform resource has only "exoform" and "spec"',
      'out/cdk.tf.json#/resource/null_resource/c/triggers/spec: trigger "spec" must hold a JSON object, got [1]',
      'out/cdk.tf.json#/resource/null_resource/d/triggers/spec: trigger "spec" must be a string holding the object\'s JSON, got nothing',
      expect.stringMatching(/no exoform tenant resource/),
    ]);
  });

  it("passes fields through unchanged, so validation judges a hand-edited file", () => {
    const doc = desiredStateFromTerraformJson(
      { resource: { null_resource: { t: tenant, m: { triggers: { exoform: "sharedMailbox", spec: '{"address":"x@contoso.com","displayName":"X","colour":"red"}' } } } } },
      "f",
    );
    expect(validateDesiredState(doc, "f").diagnostics.map((d) => d.code)).toEqual(["schema_additionalProperties"]);
  });
});

describe("readSynthOutput", () => {
  const scratch = () => mkdtempSync(join(tmpdir(), "exoform-read-"));

  it("reads every stack of a synth, sorted by name, with paths relative to the working directory", () => {
    const app = Testing.app();
    for (const name of ["zeta", "alpha"]) new TenantStack(app, name, { tenantId: "contoso", domains: ["contoso.com"] });
    app.synth();
    const stacks = readSynthOutput(app.outdir, tmpdir());
    expect(stacks.map((s) => s.stack)).toEqual(["alpha", "zeta"]);
    expect(stacks[0]!.file).toBe(relative(tmpdir(), join(app.outdir, "stacks", "alpha", "cdk.tf.json")));
    expect(stacks[0]!.document).toMatchObject({ stack: "alpha", sharedMailboxes: [] });
  });

  it("reads only the stacks of the latest synth when a renamed stack left its folder behind", () => {
    const app = Testing.app();
    new TenantStack(app, "current", { tenantId: "contoso", domains: ["contoso.com"] });
    app.synth();
    mkdirSync(join(app.outdir, "stacks", "old"));
    writeFileSync(join(app.outdir, "stacks", "old", "cdk.tf.json"), "{}");
    expect(readSynthOutput(app.outdir).map((s) => s.stack)).toEqual(["current"]);
  });

  it("reads stacks/<name>/cdk.tf.json without a manifest, and names a malformed file", () => {
    const dir = scratch();
    mkdirSync(join(dir, "stacks", "broken"), { recursive: true });
    writeFileSync(join(dir, "stacks", "broken", "cdk.tf.json"), "{ nope");
    expect(() => readSynthOutput(dir, dir)).toThrow(/^stacks\/broken\/cdk\.tf\.json: not valid JSON/);
    rmSync(dir, { recursive: true });
  });

  it("says what to do when nothing was synthesized", () => {
    const dir = scratch();
    expect(() => readSynthOutput(join(dir, "cdktf.out"), dir)).toThrow("cdktf.out: no synthesized stacks (expected stacks/<stack>/cdk.tf.json); run the app, or exoform synth");
  });
});
