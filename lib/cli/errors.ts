/**
 * What any error a command may throw says to a person: its diagnostics. The
 * one mapping from errors to diagnostics, used by the top-level catch
 * (lib/cli/main.ts, the `error: ...` lines on stderr) and by the JSON report
 * of a failed command (lib/cli/json-errors.ts), so the two never disagree.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { UserError } from "../diagnostics/errors.js";
import { ProviderError } from "../provider/errors.js";

/** Why a file-system call on a path someone gave (--out, --desired, --tenant, --parts-dir...) failed, and what to do. */
const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory; check the path",
  EISDIR: "it is a directory, a file was expected; give a file's path",
  ENOTDIR: "a part of the path is a file, not a directory; check the path",
  EEXIST: "a file of that name is in the way of a directory; choose another path or move the file",
  EACCES: "permission denied; check the permissions of the path",
  EPERM: "operation not permitted; check the permissions of the path",
  EROFS: "the file system is read-only; choose a writable path",
  ENOSPC: "no space left on the device; free some space",
};

/**
 * A Node file-system error (ENOENT, EISDIR, EACCES...) as a diagnostic that
 * names the path and the fix: a wrong path on the command line is the
 * user's to fix, never an "internal" error.
 */
export function fileSystemDiagnostic(e: unknown): Diagnostic | undefined {
  if (!(e instanceof Error)) return undefined;
  const { code, syscall, path } = e as NodeJS.ErrnoException;
  const reason = code !== undefined ? FS_REASONS[code] : undefined;
  if (reason === undefined || syscall === undefined) return undefined;
  return { severity: "error", code: "file_system", target: path ?? "", message: `${syscall} failed: ${reason}` };
}

/** A service's refusal, naming the object, the operation and the service's own code and words. */
export function providerDiagnostic(e: ProviderError): Diagnostic {
  return { severity: "error", code: e.code, target: e.target, message: `${e.operation} failed: ${e.code}: ${e.message}` };
}

/**
 * The diagnostics of a user's error (bad input, a refusal by the service, a
 * wrong path), or undefined for anything else: a bug, reported as internal.
 */
export function userDiagnostics(e: unknown): Diagnostic[] | undefined {
  if (UserError.is(e)) return [...e.diagnostics];
  if (ProviderError.is(e)) return [providerDiagnostic(e)];
  const fs = fileSystemDiagnostic(e);
  return fs !== undefined ? [fs] : undefined;
}

/** The diagnostics of anything a command may throw; an unexpected error is one "internal" diagnostic. */
export function diagnosticsOf(e: unknown): Diagnostic[] {
  return userDiagnostics(e) ?? [{ severity: "error", code: "internal", target: "", message: `internal: ${e instanceof Error ? e.message : String(e)}` }];
}
