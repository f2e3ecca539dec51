/** Helpers for declaring commander options, shared by the commands. */
import type { Command } from "commander";
import { UserError } from "../diagnostics/errors.js";

/** Accumulates a repeatable option (`--target a --target b`) into a list. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The formats of a command whose only machine output is JSON. */
export const TEXT_OR_JSON = ["text", "json"] as const;

/** The options formatOption declares. */
export interface FormatOptions {
  readonly format?: string;
  readonly json?: boolean;
}

/**
 * `--format <format>` (one of `formats`, `fallback` by default) and, when
 * "json" is one of them, `--json` as its alias: every command with machine
 * output takes the same two spellings.
 */
export function formatOption(command: Command, formats: readonly string[], fallback: string, help = "output format"): Command {
  command.option("--format <format>", `${help}: ${formats.join(", ")}`, fallback);
  if (formats.includes("json")) command.option("--json", "same as --format json");
  return command;
}

/**
 * Whether JSON output was asked, before the format is checked (a wrong
 * --format still fails as JSON if --json was given). With `command`, a json
 * format that is only the default does not count (export): its errors then
 * stay off stdout, where people redirect the document.
 */
export function wantsJson(options: FormatOptions, command?: Command): boolean {
  if (options.json === true) return true;
  return options.format === "json" && (command === undefined || command.getOptionValueSource("format") !== "default");
}

/** The format asked (`--json` wins), or a usage error naming the choices. */
export function formatOf<F extends string>(options: FormatOptions, formats: readonly F[], what: string): F {
  if (options.json === true && (formats as readonly string[]).includes("json")) return "json" as F;
  const value = options.format ?? formats[0];
  if ((formats as readonly string[]).includes(value as string)) return value as F;
  throw new UserError(`--format ${String(value)} is not ${what} format; use one of ${formats.join(", ")}`, "usage");
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration as milliseconds: numbers with units, run together ("500ms",
 * "30s", "15m", "2h", "31d", "1h30m"); a plain number is seconds. NaN when
 * the text is not one.
 */
export function durationMs(text: string): number {
  const value = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  return value.length > 0 && matched === value.length ? Math.round(total) : NaN;
}

/** `value` of `option` as milliseconds, at most `max` (default 24h), or a usage error naming the option and the accepted forms. */
export function parseDuration(value: string, option: string, max = 24 * 3_600_000): number {
  const ms = durationMs(value);
  if (!Number.isFinite(ms) || ms > max) {
    throw new UserError(`${option} ${value} is not a duration of at most ${formatMs(max)}; give numbers with units, e.g. 30s, 5m, 1h or 1h30m (a plain number is seconds)`, "usage");
  }
  return ms;
}

function formatMs(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${ms / 1000}s`;
}
