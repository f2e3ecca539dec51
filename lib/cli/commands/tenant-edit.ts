/**
 * What the `exoform tenant` commands share: opening the tenant named by
 * --tenant for one command, printing, and the tenant's refusals turned into
 * diagnostics that name the object (lowercase, no trailing period).
 */
import { UserError } from "../../diagnostics/errors.js";
import { ProviderError } from "../../provider/errors.js";
import { withJsonErrors } from "../json-errors.js";
import { wantsJson, type FormatOptions } from "../options.js";
import type { SimulatedTenant } from "../../../providers/simulated/index.js";
import { openTenant } from "../tenant.js";

export interface TenantOption {
  tenant?: string;
}

export function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function usage(message: string): UserError {
  return new UserError(message, "usage");
}

/** withTenant for a command with JSON output: with --format json (or --json) its errors come out as a JSON report on stdout too. */
export function withTenantJson(opts: TenantOption & FormatOptions, fn: (t: SimulatedTenant) => void): Promise<void> {
  return withJsonErrors(wantsJson(opts), () => withTenant(opts, fn));
}

export function withTenant(opts: TenantOption, fn: (t: SimulatedTenant) => void): void {
  const t = openTenant(opts.tenant);
  try {
    fn(t);
  } catch (e) {
    throw asUserError(e);
  } finally {
    t.close();
  }
}

/** Run an out-of-band edit and confirm it in one line. */
export function edit(opts: TenantOption, done: string, fn: (t: SimulatedTenant) => void): void {
  withTenant(opts, (t) => {
    fn(t);
    out(done);
  });
}

/** The tenant's refusal, as a diagnostic naming the object: lowercase, no trailing period. */
function asUserError(e: unknown): unknown {
  if (!ProviderError.is(e)) return e;
  const message = `${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}`.replace(/\.$/, "");
  return new UserError([{ severity: "error", code: e.code, target: e.target, message }]);
}

export function choice(text: string, allowed: readonly string[], what: string): string {
  const v = text.toLowerCase();
  if (!allowed.includes(v)) throw usage(`${what} "${text}" is not one of ${allowed.join(", ")}`);
  return v;
}

export function wholeNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw usage(`${flag} "${text}" is not a whole number`);
  return n;
}
