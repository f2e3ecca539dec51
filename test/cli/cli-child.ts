/**
 * `exoform <args>` in a child process (bin/exoform.js, as people run it),
 * for tests that signal it or close its output early: waits for text on its
 * stderr or stdout, sends signals, and can close its stdout or stderr as
 * `| head` does (at start, or after the first chunk).
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { REPO } from "../integration/helpers.js";

export interface CliOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** When to close one of the child's output pipes: at once, or after its first chunk (what `| head -1` does). */
export type CloseWhen = "at-start" | "after-first-chunk";

export interface CliChildOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly closeStdout?: CloseWhen;
  readonly closeStderr?: CloseWhen;
}

export interface CliChild {
  readonly pid: number;
  /** Resolves once `text` appeared on stderr (or stdout). */
  waitFor(text: string | RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  readonly done: Promise<CliOutcome>;
}

export function startCli(args: readonly string[], options: CliChildOptions): CliChild {
  const child = spawn(process.execPath, [join(REPO, "bin/exoform.js"), ...args], {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", EXOFORM_TENANT: "", EXOFORM_CLOCK: "", ...options.env },
  });
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ test: (s: string) => boolean; resolve: () => void }> = [];
  const check = () => {
    for (const w of waiters.splice(0)) {
      if (w.test(stderr) || w.test(stdout)) w.resolve();
      else waiters.push(w);
    }
  };
  const follow = (stream: Readable, close: CloseWhen | undefined, append: (s: string) => void) => {
    stream.setEncoding("utf8");
    if (close === "at-start") {
      stream.destroy();
      return;
    }
    stream.on("data", (chunk: string) => {
      append(chunk);
      check();
      if (close === "after-first-chunk") stream.destroy();
    });
  };
  follow(child.stdout, options.closeStdout, (s) => (stdout += s));
  follow(child.stderr, options.closeStderr, (s) => (stderr += s));
  const done = new Promise<CliOutcome>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    pid: child.pid!,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        const test = (s: string) => (typeof text === "string" ? s.includes(text) : text.test(s));
        if (test(stderr) || test(stdout)) return resolve();
        waiters.push({ test, resolve });
        void done.then((o) => reject(new Error(`exoform exited (${o.signal ?? o.code}) before printing ${String(text)}:\n${o.stderr}\n${o.stdout}`)));
      }),
    kill: (signal) => child.kill(signal),
    done,
  };
}

/** Run `exoform <args>` to its end. */
export function runCli(args: readonly string[], options: CliChildOptions): Promise<CliOutcome> {
  return startCli(args, options).done;
}

/** `exoform <args>` in a child, run to its end synchronously: for the few tests where the real process matters (a crash, its own stack). */
export function runCliSync(args: readonly string[], cwd: string = REPO): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(REPO, "bin/exoform.js"), ...args], { cwd, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
