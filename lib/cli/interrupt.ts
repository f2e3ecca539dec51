/**
 * How `exoform apply` stops on SIGINT (Ctrl-C), SIGTERM (a cancelled CI job)
 * and SIGHUP (a closed terminal):
 *
 * 1. the first signal stops new actions; the writes in flight finish, the
 *    journal is flushed, the tenant lock released, the summary printed with
 *    the command that resumes, and the process exits 130, 143 or 129;
 * 2. a second one says that it is finishing the writes in flight and will
 *    exit then (it never exits silently with the lock held);
 * 3. a third exits at once: the journal's buffered entries are written, the
 *    lock file removed (or, if it cannot be, the force-unlock command named),
 *    and the writes in flight are left to the next apply to settle by reading.
 */
import { errorText } from "../private/text.js";
import { releaseHeldLocksSync } from "../apply/lock.js";

/** 128 + the signal's number, as a shell reports a process the signal ended. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

const STOP_SIGNALS = Object.keys(SIGNAL_EXIT_CODES) as StopSignal[];

export interface ApplyInterruption {
  /** Aborted on the first signal. */
  readonly signal: AbortSignal;
  /** The first signal received, or null. */
  readonly received: StopSignal | null;
  /** The exit code the first signal calls for (130, 143, 129), or null. */
  readonly exitCode: number | null;
  /** Stop listening (the default behaviour of the signals returns). */
  dispose(): void;
}

export interface InterruptionOptions {
  /** The command that resumes the apply, for the messages. */
  readonly resumeCommand: string;
  /** Write what is buffered for the journal at once (before a forced exit). */
  readonly flushJournalNow: () => void;
  /** Where messages go; default stderr (never throws: a closed stream is ignored). */
  readonly write?: (text: string) => void;
  /** Ends the process on a third signal; default process.exit. */
  readonly exit?: (code: number) => void;
}

/** Listen for SIGINT, SIGTERM and SIGHUP while an apply runs. */
export function interruptOnSignals(options: InterruptionOptions): ApplyInterruption {
  const controller = new AbortController();
  const write = options.write ?? writeStderr;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let received: StopSignal | null = null;
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    const name = sig as StopSignal;
    count++;
    if (received === null) {
      received = name;
      write(
        `\nreceived ${name}: stopping. No new action starts; the writes in flight finish, then the journal is flushed, the tenant lock released and a summary printed (a second ${name} does not cut this short; a third exits at once)\n`,
      );
      controller.abort();
      return;
    }
    if (count === 2) {
      write(
        `received ${name} again: finishing the writes in flight, then exoform releases the tenant lock and exits (send a third signal to exit at once; the lock file is removed and the next apply settles the writes left in flight by reading the tenant)\n`,
      );
      return;
    }
    forceExit(name);
  };
  const forceExit = (name: StopSignal) => {
    options.flushJournalNow();
    const lines = [`received ${name} a third time: exiting now, with writes possibly in flight.`];
    for (const lock of releaseHeldLocksSync()) {
      lines.push(
        lock.error === undefined
          ? `The tenant lock (${lock.location}) is released.`
          : `The tenant lock ${lock.location} could not be removed (${errorText(lock.error)}): once this process (pid ${process.pid}) is gone, release it with exoform force-unlock ${lock.info.id}.`,
      );
    }
    lines.push(`The journal keeps what is done; resume with: ${options.resumeCommand}`, "(the writes that were in flight are settled by reading the tenant: none is made twice)");
    write(`${lines.join("\n")}\n`);
    exit(SIGNAL_EXIT_CODES[received ?? name]);
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received === null ? null : SIGNAL_EXIT_CODES[received];
    },
    dispose: () => {
      for (const sig of STOP_SIGNALS) process.removeListener(sig, onSignal);
    },
  };
}

function writeStderr(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // stderr is gone: nothing to tell anyone
  }
}

/** `args` as a line to paste into a POSIX shell. */
export function shellCommand(args: readonly string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/**
 * After the summary of an interrupted apply: exit with the signal's code as
 * soon as the output is written. A wait the interruption cut short may still
 * hold a timer (a real-clock sleep cannot be cancelled): it does not keep the
 * process alive.
 */
export function exitAfterInterruption(code: number): void {
  process.exitCode = code;
  const timer = setTimeout(() => process.exit(code), 500);
  timer.unref();
}
