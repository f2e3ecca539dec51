/**
 * Where desired state comes from, for every command that takes it:
 * - `--desired <file>`: a plain desired-state JSON document (no TypeScript needed);
 * - `--app "<command>"`, or the `app` in cdktf.json: run the program as the
 *   cdktf CLI would, then read the Terraform JSON it synthesized.
 * Either way the document is validated; every problem is reported at once.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UserError } from "../diagnostics/errors.js";
import { validateDesiredState } from "../model/validate.js";
import type { CanonicalDesiredState } from "../model/normalize.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { readSynthOutput, type SynthesizedStack } from "../synth/read.js";

export interface DesiredOptions {
  readonly desired?: string | undefined;
  readonly app?: string | undefined;
  readonly stack?: string | undefined;
  /** Where the app writes its output; default cdktf.out (cdktf.json "output"). */
  readonly output?: string | undefined;
}

export interface LoadedDesired {
  readonly state: CanonicalDesiredState;
  /** The file the document was read from, for messages. */
  readonly source: string;
  /** Warnings from validation. */
  readonly diagnostics: readonly Diagnostic[];
}

interface CdktfJson {
  readonly app?: string;
  readonly output?: string;
}

export function readCdktfJson(cwd: string): CdktfJson {
  const file = resolve(cwd, "cdktf.json");
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8").replace(/^\uFEFF/, "")) as CdktfJson;
  } catch (e) {
    throw new UserError(`cdktf.json: not valid JSON: ${(e as Error).message}`, "bad_cdktf_json");
  }
}

/**
 * Deepest nesting of arrays and objects a JSON input may have. Desired state
 * and plans nest 5 or 6 levels; far deeper is not a document exoform wrote or
 * reads, and would exhaust the stack of the code that walks it.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Read a JSON file; a missing file, bad JSON, a UTF-16 file or nesting deeper
 * than MAX_JSON_DEPTH is a UserError naming the file. A UTF-8 byte-order mark
 * (Windows editors write one) is skipped.
 */
export function readJsonFile(file: string, what: string): unknown {
  if (!existsSync(file)) throw new UserError(`${file}: no such file (expected ${what})`, "file_not_found");
  if (statSync(file).isDirectory()) throw new UserError(`${file}: is a directory (expected ${what}); give the file's path`, "file_is_directory");
  const bytes = readFileSync(file);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new UserError(`${file}: the file is UTF-16 (it starts with a UTF-16 byte-order mark); JSON is read as UTF-8: save it as UTF-8 (expected ${what})`, "bad_json");
  }
  let text = bytes.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte-order mark: not part of the JSON
  return parseJsonText(text, file, what);
}

/** JSON.parse with the nesting limit checked first; errors name `source`. */
export function parseJsonText(text: string, source: string, what: string): unknown {
  const depth = jsonDepth(text, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) {
    throw new UserError(
      `${source}: arrays and objects are nested more than ${MAX_JSON_DEPTH} levels deep, the limit exoform reads (expected ${what}, which nests about 6 levels); check that this is the right file`,
      "json_too_deep",
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${source}: not valid JSON: ${(e as Error).message}`, "bad_json");
  }
}

/**
 * How deeply arrays and objects nest in `text` (brackets outside strings),
 * scanning without recursion; stops counting once past `limit`. A string is
 * skipped in one jump to its closing quote (the first not escaped by an odd
 * run of backslashes): a desired state is mostly strings, and indexOf finds
 * a quote far faster than a loop reads each character (42 MB: 130-200 ms
 * down to about 60).
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = text.indexOf('"', i + 1);
      while (end !== -1 && escapedQuote(text, end)) end = text.indexOf('"', end + 1);
      if (end === -1) return deepest; // an unterminated string: JSON.parse says so
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** Whether the quote at `at` is escaped: an odd run of backslashes before it. */
function escapedQuote(text: string, at: number): boolean {
  let k = at - 1;
  while (text.charCodeAt(k) === 0x5c) k--;
  return ((at - 1 - k) & 1) === 1;
}

/** Validate a document or throw every diagnostic as one UserError. */
export function validatedOrThrow(doc: unknown, source: string): LoadedDesired {
  const result = validateDesiredState(doc, source);
  if (!result.state) throw new UserError(result.diagnostics);
  return { state: result.state, source, diagnostics: result.diagnostics };
}

/** Run the app (synth) as the cdktf CLI would, writing to `outdir`. */
export function runApp(app: string, outdir: string, cwd: string): void {
  // cdktf's App creates its outdir with a non-recursive mkdir: create the parents first.
  mkdirSync(dirname(outdir), { recursive: true });
  const child = spawnSync(app, {
    cwd,
    shell: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      CDKTF_OUTDIR: outdir,
      CDKTF_CONTEXT_JSON: process.env["CDKTF_CONTEXT_JSON"] ?? "{}",
      // exoform reads cdk.tf.json; HCL output would leave nothing to read
      SYNTH_HCL_OUTPUT: "false",
    },
    encoding: "utf8",
  });
  if (child.error) throw new UserError(`app "${app}": could not start: ${child.error.message}`, "app_failed");
  if (child.status !== 0) {
    const messages = appErrors(`${child.stderr ?? ""}`);
    const diagnostics: Diagnostic[] = messages.length
      ? messages.map((m): Diagnostic =>
          // exoform's own lines already name the construct and mailbox
          m.code !== undefined
            ? { severity: "error", code: m.code, target: "", message: m.message }
            : { severity: "error", code: "app_failed", target: "", location: `app "${app}"`, message: m.message },
        )
      : [{ severity: "error", code: "app_failed", target: "", location: `app "${app}"`, message: `exited with status ${child.status}` }];
    throw new UserError(diagnostics);
  }
}

/**
 * The problems in a failed app's stderr. exoform's constructs and stack
 * validation print one `error: <where>: <message> [code]` line per problem
 * (wrapped in cdktf's or Node's error text): those lines when present;
 * otherwise the error's message lines without Node's source excerpt and stack.
 */
export function appErrors(stderr: string): Array<{ message: string; code?: string }> {
  const lines = stderr.split("\n").map((l) => l.trimEnd());
  const ours: Array<{ message: string; code?: string }> = [];
  for (const line of lines) {
    const m = /^\s*(?:\[[^\]]*\]\s*)?(?:\w*Error:\s*)?error: (.*?)(?: \[([a-z0-9_]+)\])?$/.exec(line);
    if (m) ours.push(m[2] !== undefined ? { message: m[1]!, code: m[2] } : { message: m[1]! });
  }
  if (ours.length > 0) return ours;
  const start = lines.findIndex((l) => /^\w*Error\b.*?:/.test(l));
  const picked = start >= 0 ? lines.slice(start) : lines;
  const end = picked.findIndex((l) => /^\s+at /.test(l));
  return (end >= 0 ? picked.slice(0, end) : picked)
    .filter((l) => l.trim() !== "" && !/^Node\.js v/.test(l))
    .map((l) => ({ message: l.trim().replace(/^error:\s*/, "") }));
}

export interface SynthResult {
  /** The absolute output folder. */
  readonly outdir: string;
  readonly stacks: readonly SynthesizedStack[];
}

/** Run the app named by `options.app` or cdktf.json, then read every stack it synthesized. */
export function synthApp(options: Pick<DesiredOptions, "app" | "output">, cwd = process.cwd()): SynthResult {
  const config = readCdktfJson(cwd);
  const app = options.app ?? config.app;
  if (!app) {
    throw new UserError('no desired state: pass --desired <file>, --app "<command>", or set "app" in cdktf.json', "no_desired_state");
  }
  const outdir = resolve(cwd, options.output ?? config.output ?? "cdktf.out");
  runApp(app, outdir, cwd);
  return { outdir, stacks: readSynthOutput(outdir, cwd) };
}

/** The synthesized stacks `stack` names (all of them when it is undefined); an unknown name is an error listing the others. */
export function stacksNamed(stacks: readonly SynthesizedStack[], stack: string | undefined): readonly SynthesizedStack[] {
  if (stack === undefined) return stacks;
  const chosen = stacks.filter((s) => s.stack === stack);
  if (chosen.length === 0) {
    throw new UserError(`stack "${stack}" was not synthesized (stacks: ${stacks.map((s) => s.stack).join(", ") || "none"})`, "stack_selection");
  }
  return chosen;
}

export function loadDesired(options: DesiredOptions, cwd = process.cwd()): LoadedDesired {
  if (options.desired !== undefined) {
    const file = resolve(cwd, options.desired);
    return validatedOrThrow(readJsonFile(file, "a desired-state JSON document"), options.desired);
  }
  const { stacks } = synthApp(options, cwd);
  const chosen = stacksNamed(stacks, options.stack);
  if (chosen.length !== 1) {
    const names = stacks.map((s) => s.stack).join(", ") || "none";
    throw new UserError(`the app synthesized ${stacks.length} stacks (${names}); pick one with --stack`, "stack_selection");
  }
  const only = chosen[0]!;
  return validatedOrThrow(only.document, only.file);
}
