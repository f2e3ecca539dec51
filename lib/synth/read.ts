/**
 * Reading synthesized output back: cdktf.out/stacks/<stack>/cdk.tf.json ->
 * one desired-state document per stack. Does not import cdktf: plan, apply
 * and drift read synth output without loading the authoring library.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { UserError } from "../diagnostics/errors.js";
import { compareStrings } from "../private/canonical-json.js";
import { desiredStateFromTerraformJson } from "./format.js";

export { desiredStateFromTerraformJson } from "./format.js";

export interface SynthesizedStack {
  /** The stack name (its folder under stacks/). */
  readonly stack: string;
  /** The cdk.tf.json file, relative to the working directory, for messages. */
  readonly file: string;
  /** The desired-state document it carries, not yet validated. */
  readonly document: unknown;
}

export const STACKS_FOLDER = "stacks";
export const STACK_FILE = "cdk.tf.json";

/**
 * One entry per synthesized stack under `outdir`, sorted by stack name. When
 * cdktf's manifest.json is present, only the stacks of the latest synth are
 * read (a renamed stack's old folder is not); otherwise every
 * stacks/<name>/cdk.tf.json. A missing folder or malformed file is a
 * UserError naming the file and what is wrong.
 */
export function readSynthOutput(outdir: string, cwd = process.cwd()): SynthesizedStack[] {
  const names = stackNames(outdir, cwd);
  return names.map((stack) => {
    const path = join(outdir, STACKS_FOLDER, stack, STACK_FILE);
    const file = relative(cwd, path) || path;
    if (!existsSync(path)) throw new UserError(`${file}: no such file; the app did not synthesize stack "${stack}"`, "bad_synth_output");
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new UserError(`${file}: not valid JSON: ${(e as Error).message}`, "bad_synth_output");
    }
    return { stack, file, document: desiredStateFromTerraformJson(json, file) };
  });
}

function stackNames(outdir: string, cwd: string): string[] {
  const shown = relative(cwd, outdir) || outdir;
  const manifest = join(outdir, "manifest.json");
  if (existsSync(manifest)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(manifest, "utf8"));
    } catch (e) {
      throw new UserError(`${relative(cwd, manifest)}: not valid JSON: ${(e as Error).message}`, "bad_synth_output");
    }
    const stacks = (parsed as { stacks?: unknown } | null)?.stacks;
    if (typeof stacks === "object" && stacks !== null) return Object.keys(stacks).sort(compareStrings);
  }
  const folder = join(outdir, STACKS_FOLDER);
  if (!existsSync(folder)) {
    throw new UserError(`${shown}: no synthesized stacks (expected ${STACKS_FOLDER}/<stack>/${STACK_FILE}); run the app, or exoform synth`, "no_synth_output");
  }
  return readdirSync(folder, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(folder, d.name, STACK_FILE)))
    .map((d) => d.name)
    .sort(compareStrings);
}
