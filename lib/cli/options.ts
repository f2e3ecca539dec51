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

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "30s", "5m", "1h", "500ms", "0" as milliseconds, or a usage error naming the option and the accepted forms. */
export function parseDuration(value: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const ms = m !== null ? Number(m[1]) * (DURATION_UNITS[m[2] ?? "s"] ?? 1000) : NaN;
  if (!Number.isFinite(ms) || ms > 24 * 3_600_000) {
    throw new UserError(`${option} ${value} is not a duration; give a number with a unit, e.g. 30s, 5m or 1h (plain numbers are seconds, at most 24h)`, "usage");
  }
  return Math.round(ms);
}
