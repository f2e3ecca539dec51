/**
 * Reading a policy file: JSON, validated against schema/policy.schema.json
 * with ajv (allErrors), then the rules a schema cannot say (unique ids).
 * Every problem is named (file#/json/pointer, the rule id) and reported at
 * once as one UserError.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import type { ErrorObject, ValidateFunction } from "ajv";
import { ajvPackage } from "../private/ajv.js";
import schema from "../../schema/policy.schema.json" with { type: "json" };
import { UserError } from "../diagnostics/errors.js";
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Policy, PolicyRule } from "./types.js";

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new (ajvPackage().Ajv)({ allErrors: true, strict: true, strictTypes: false }).compile(schema);
  return compiled;
}

/** Read and validate `file`. Throws UserError with every problem found. */
export function loadPolicy(file: string): Policy {
  const expected = "expected a policy JSON document, see schema/policy.schema.json";
  if (!existsSync(file)) throw new UserError(`${file}: no such file (${expected})`, "file_not_found");
  if (statSync(file).isDirectory()) throw new UserError(`${file}: is a directory (${expected}); give the file's path`, "file_is_directory");
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError(`${file}: not valid JSON: ${(e as Error).message}`, "bad_json");
  }
  const result = validatePolicy(doc, file);
  if (!result.policy) throw new UserError(result.diagnostics);
  return result.policy;
}

/** Validate a parsed policy document read from `source`. */
export function validatePolicy(doc: unknown, source: string): { policy?: Policy; diagnostics: Diagnostic[] } {
  const validate = validator();
  const diagnostics: Diagnostic[] = [];
  if (!validate(doc)) {
    const seen = new Set<string>();
    for (const e of validate.errors ?? []) {
      if (e.keyword === "if") continue;
      const d = schemaDiagnostic(doc, e, source);
      const key = `${d.location}|${d.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        diagnostics.push(d);
      }
    }
    return { diagnostics: sortDiagnostics(diagnostics) };
  }
  const policy = normalise(doc as Policy);
  const firstAt = new Map<string, number>();
  policy.rules.forEach((r, i) => {
    const prior = firstAt.get(r.id);
    if (prior !== undefined) {
      diagnostics.push({ severity: "error", code: "duplicate_rule_id", target: r.id, location: `${source}#/rules/${i}/id`, message: `rule id "${r.id}" is used twice (also /rules/${prior}); give each rule its own id` });
    } else firstAt.set(r.id, i);
  });
  return diagnostics.length > 0 ? { diagnostics: sortDiagnostics(diagnostics) } : { policy, diagnostics };
}

/** Addresses and domains compared lower-case. */
function normalise(p: Policy): Policy {
  const rules = p.rules.map((r): PolicyRule => {
    switch (r.kind) {
      case "fullAccessTrustees":
        return { ...r, allow: r.allow.map((a) => a.toLowerCase()) };
      case "holdReview":
        return {
          ...r,
          ...(r.holdMailboxes ? { holdMailboxes: r.holdMailboxes.map((a) => a.toLowerCase()) } : {}),
          ...(r.reviewed ? { reviewed: r.reviewed.map((g) => ({ ...g, mailbox: g.mailbox.toLowerCase(), trustee: g.trustee.toLowerCase() })) } : {}),
        };
      case "forbidSignInExceptions":
        return r.allow ? { ...r, allow: r.allow.map((a) => a.toLowerCase()) } : r;
      default:
        return r;
    }
  });
  return { formatVersion: p.formatVersion, rules };
}

function schemaDiagnostic(doc: unknown, e: ErrorObject, source: string): Diagnostic {
  const path = e.instancePath;
  const rule = /^\/rules\/(\d+)/.exec(path);
  const ruleDoc = rule ? (doc as { rules: unknown[] }).rules[Number(rule[1])] : undefined;
  const id = (ruleDoc as { id?: unknown } | undefined)?.id;
  const kind = (ruleDoc as { kind?: unknown } | undefined)?.kind;
  const field = path.split("/").pop() || "the document";
  let message: string;
  switch (e.keyword) {
    case "required":
      message = `missing required field "${(e.params as { missingProperty: string }).missingProperty}"${typeof kind === "string" ? ` (rule kind ${kind})` : ""}`;
      break;
    case "additionalProperties":
      message = `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"${typeof kind === "string" ? ` for a ${kind} rule` : ""}; see schema/policy.schema.json`;
      break;
    case "enum":
      message = `"${field}" must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
      break;
    case "const":
      message = `"${field}" must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
      break;
    case "pattern":
      message = `"${field}" is not valid: expected ${/\/id$/.test(path) ? "letters, digits, _ . - (at most 64)" : "an address like name@contoso.com or a domain like contoso.com"}`;
      break;
    default:
      message = `"${field}" ${e.message ?? "is invalid"}`;
  }
  return { severity: "error", code: `policy_schema_${e.keyword}`, target: typeof id === "string" ? id : "", location: `${source}#${path || "/"}`, message };
}
