/**
 * Helpers for testing programs written with these constructs: an App that
 * writes to a fresh temporary folder, and synth that returns the text of
 * each stack's cdk.tf.json.
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { STACK_FILE, STACKS_FOLDER } from "../synth/read.js";
import { TenantStack, type TenantStackProps } from "./tenant-stack.js";

export const Testing = {
  /** A cdktf App writing to `outdir` (parents created), by default a new folder under the OS temp dir. */
  app(outdir?: string): App {
    const dir = outdir ?? join(mkdtempSync(join(tmpdir(), "exoform-synth-")), "cdktf.out");
    mkdirSync(join(dir, ".."), { recursive: true });
    return new App({ outdir: dir, stackTraces: false });
  },

  /** A TenantStack in a fresh App. */
  stack(id = "test", props: TenantStackProps = { tenantId: "contoso", domains: ["contoso.com"] }): TenantStack {
    return new TenantStack(Testing.app(), id, props);
  },

  /** Synthesize the App `scope` belongs to; the text of each stack's cdk.tf.json, by stack name. */
  synth(scope: TenantStack | App): Map<string, string> {
    const app = App.isApp(scope) ? scope : App.of(scope);
    app.synth();
    const out = new Map<string, string>();
    for (const stack of app.node.findAll().filter(TenantStack.isTenantStack)) {
      out.set(stack.stackName, readFileSync(join(app.outdir, STACKS_FOLDER, stack.stackName, STACK_FILE), "utf8"));
    }
    return out;
  },
};
