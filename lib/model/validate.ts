/**
 * Validation of a desired-state document: JSON Schema (ajv, allErrors) for
 * shape, then the semantic rules a schema cannot express. Every problem comes
 * back in one list, each naming the file, the mailbox and the rule; nothing
 * stops at the first.
 */
import { Ajv, type ErrorObject } from "ajv";
import schema from "../../schema/desired-state.schema.json" with { type: "json" };
import type { DesiredState } from "./generated/desired-state.js";
import { canonicalize, domainOf, lower, type CanonicalDesiredState } from "./normalize.js";
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";

let compiled: ReturnType<Ajv["compile"]> | undefined;
function schemaValidator(): ReturnType<Ajv["compile"]> {
  compiled ??= new Ajv({ allErrors: true, strict: true, useDefaults: false }).compile(schema);
  return compiled;
}

export interface ValidationResult {
  /** The canonical document, when there are no errors. */
  readonly state?: CanonicalDesiredState;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Validate `doc` read from `source` (a file path, or "<synth>"). Returns the
 * canonical document when there are no errors, and every diagnostic found.
 */
export function validateDesiredState(doc: unknown, source: string): ValidationResult {
  const validate = schemaValidator();
  if (!validate(doc)) {
    return { diagnostics: sortDiagnostics(schemaDiagnostics(doc, validate.errors ?? [], source)) };
  }
  const typed = doc as DesiredState;
  const diagnostics = semanticDiagnostics(typed, source);
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics: sortDiagnostics(diagnostics) };
  return { state: canonicalize(typed), diagnostics: sortDiagnostics(diagnostics) };
}

// ------------------------------------------------------------------ schema errors

function schemaDiagnostics(doc: unknown, errors: readonly ErrorObject[], source: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // ajv reports each failing branch of a schema; "if" wrappers add noise.
    if (e.keyword === "if") continue;
    const path = e.instancePath;
    const message = schemaMessage(e);
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      severity: "error",
      code: `schema_${e.keyword}`,
      target: mailboxAt(doc, path),
      location: `${source}#${path || "/"}`,
      message,
    });
  }
  return out;
}

function schemaMessage(e: ErrorObject): string {
  const field = e.instancePath.split("/").pop() || "document";
  switch (e.keyword) {
    case "required":
      return `missing required field "${(e.params as { missingProperty: string }).missingProperty}"`;
    case "additionalProperties":
      return `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"; check its spelling against schema/desired-state.schema.json`;
    case "enum":
      return `"${field}" must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `"${field}" must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case "pattern":
      return `"${field}" is not valid: ${patternHint(e)}`;
    case "maxLength":
      return `"${field}" is longer than ${(e.params as { limit: number }).limit} characters`;
    case "minLength":
      return `"${field}" must not be empty`;
    case "type":
      return `"${field}" must be ${(e.params as { type: string }).type}`;
    case "minItems":
      return `"${field}" needs at least ${(e.params as { limit: number }).limit} item`;
    default:
      return `"${field}" ${e.message ?? "is invalid"}`;
  }
}

function patternHint(e: ErrorObject): string {
  const path = e.schemaPath;
  if (path.includes("Alias")) return "an alias has at most 64 letters, digits and !#%*+-/=?^_~, with periods only between other characters";
  if (path.includes("Address")) return "expected an address like name@contoso.com";
  if (path.includes("License") || path.includes("license")) return 'expected "none" or a SKU part number such as EXCHANGEENTERPRISE';
  if (path.includes("stack")) return "a stack name has letters, digits, - and _, at most 64";
  if (path.includes("domains")) return "expected a domain name such as contoso.com";
  return `does not match ${(e.params as { pattern: string }).pattern}`;
}

/** The address of the mailbox an instance path points into, or "". */
function mailboxAt(doc: unknown, path: string): string {
  const m = /^\/(sharedMailboxes|userMailboxes)\/(\d+)/.exec(path);
  if (!m || typeof doc !== "object" || doc === null) return "";
  const list = (doc as Record<string, unknown>)[m[1]!];
  if (!Array.isArray(list)) return "";
  const item = list[Number(m[2])] as { address?: unknown } | undefined;
  return typeof item?.address === "string" ? item.address.toLowerCase() : `${m[1]}[${m[2]}]`;
}

// ------------------------------------------------------------------ semantic rules

function semanticDiagnostics(doc: DesiredState, source: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const domains = new Set(doc.tenant.domains.map(lower));
  const domainList = [...domains].sort().join(", ");
  const err = (code: string, target: string, location: string, message: string) =>
    out.push({ severity: "error", code, target, location: `${source}#${location}`, message });

  const firstSeen = new Map<string, string>();
  const noteAddress = (address: string, location: string) => {
    const key = lower(address);
    const prior = firstSeen.get(key);
    if (prior !== undefined) {
      err(
        "duplicate_address",
        key,
        location,
        `mailbox "${key}" is declared more than once (also at ${prior}); each address may appear once`,
      );
    } else firstSeen.set(key, location);
  };

  doc.sharedMailboxes.forEach((m, i) => {
    const at = `/sharedMailboxes/${i}`;
    const address = lower(m.address);
    noteAddress(address, at);
    if (!domains.has(domainOf(address))) {
      err("address_outside_tenant", address, `${at}/address`, `mailbox address "${address}" is not in a domain the tenant owns (${domainList}); add the domain to tenant.domains or fix the address`);
    }
    if ((m.origin ?? "new") === "convert" && (m.removalPolicy ?? "retain") === "delete") {
      err("delete_converted_mailbox", address, `${at}/removalPolicy`, `mailbox "${address}" is converted from a person's mailbox and may not have removalPolicy "delete": its anchor account holds that person's mail; use "retain"`);
    }
    const lists: Array<[string, readonly string[]]> = [
      ["fullAccess", (m.fullAccess ?? []).map((g) => g.trustee)],
      ["sendAs", m.sendAs ?? []],
      ["sendOnBehalf", m.sendOnBehalf ?? []],
    ];
    for (const [list, trustees] of lists) {
      const seen = new Set<string>();
      trustees.forEach((raw, j) => {
        const trustee = lower(raw);
        const loc = `${at}/${list}/${j}`;
        if (seen.has(trustee)) {
          err("duplicate_trustee", address, loc, `mailbox "${address}" lists "${trustee}" twice in ${list}; list each trustee once`);
        }
        seen.add(trustee);
        if (trustee === address) {
          err("self_grant", address, loc, `mailbox "${address}" grants ${list} to itself; a mailbox cannot be its own trustee`);
        }
        if (!domains.has(domainOf(trustee))) {
          err("trustee_outside_tenant", address, loc, `mailbox "${address}" grants ${list} to "${trustee}", who is not in a domain the tenant owns (${domainList}); Exchange Online grants access only to people inside the tenant`);
        }
      });
    }
  });

  const sharedAddresses = new Set(doc.sharedMailboxes.map((m) => lower(m.address)));
  doc.userMailboxes.forEach((m, i) => {
    const at = `/userMailboxes/${i}`;
    const address = lower(m.address);
    if (sharedAddresses.has(address)) {
      err("listed_as_shared_and_user", address, at, `mailbox "${address}" is listed both as a shared mailbox and as a user mailbox; keep it in one list`);
      return;
    }
    noteAddress(address, at);
    if (!domains.has(domainOf(address))) {
      err("address_outside_tenant", address, `${at}/address`, `mailbox address "${address}" is not in a domain the tenant owns (${domainList})`);
    }
  });
  return out;
}
