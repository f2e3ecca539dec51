/**
 * How a desired-state document is carried inside standard Terraform JSON
 * (cdk.tf.json), in both directions. Pure: no file system, no cdktf.
 *
 * Every object is a `null_resource` with two `triggers` (a map of strings):
 *   - `exoform`: the kind, as a plain string: "tenant", "sharedMailbox" or
 *     "userMailbox". A null_resource without it is not exoform's and is ignored.
 *   - `spec`: the object's canonical JSON (keys sorted, no whitespace; the
 *     brace of a "${" or "%{" inside a string written \u007b, so Terraform
 *     does not read it as a template).
 * The one "tenant" resource's spec holds the stack-level fields:
 * formatVersion, stack, tenant ({id, domains}) and ignore (omitted when
 * empty). Each mailbox's spec is its canonical form (lib/model/normalize.ts),
 * so reading the file back gives exactly the canonical document.
 *
 * One JSON string per object, rather than one trigger per field, because
 * cdktf resolves every string of every resource several times: 2 triggers
 * synthesize 10,000 mailboxes in about 1.6 s, 13 triggers in about 4.8 s.
 *
 *   "shared_support_contoso_com": { "triggers": {
 *     "exoform": "sharedMailbox",
 *     "spec": "{\"address\":\"support@contoso.com\",\"archive\":false,...}" } }
 */
import { UserError } from "../diagnostics/errors.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { canonicalJson, compareStrings } from "../private/canonical-json.js";
import type { CanonicalDesiredState } from "../model/normalize.js";

export const KIND_TRIGGER = "exoform";
export const SPEC_TRIGGER = "spec";

export const RESOURCE_KINDS = ["tenant", "sharedMailbox", "userMailbox"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export type Triggers = Record<string, string>;

/** The triggers of an object of `kind` whose canonical form is `spec`. */
export function encodeTriggers(kind: ResourceKind, spec: object): Triggers {
  return { [KIND_TRIGGER]: kind, [SPEC_TRIGGER]: terraformSafe(canonicalJson(spec)) };
}

/**
 * Terraform reads "${" and "%{" in a JSON string as a template; a display
 * name may hold either. Inside JSON they can only occur within strings, so
 * writing the brace as \u007b keeps the JSON equal and Terraform literal.
 */
function terraformSafe(json: string): string {
  return json.replace(/([$%])\{/g, "$1\\u007b");
}

/** The stack-level fields of a canonical document, as the tenant resource's triggers. */
export function tenantTriggers(doc: Pick<CanonicalDesiredState, "formatVersion" | "stack" | "tenant" | "ignore">): Triggers {
  return encodeTriggers("tenant", {
    formatVersion: doc.formatVersion,
    stack: doc.stack,
    tenant: doc.tenant,
    ...(doc.ignore !== undefined && doc.ignore.length > 0 ? { ignore: doc.ignore } : {}),
  });
}

/**
 * The desired-state document carried by one parsed cdk.tf.json. Mailboxes
 * come out sorted by address, as canonicalize sorts them; fields are passed
 * through as written, so validateDesiredState judges them. Throws a UserError
 * listing every structural problem (not Terraform JSON, no tenant resource,
 * a trigger that is not JSON...), each naming `file` and where in it.
 */
export function desiredStateFromTerraformJson(json: unknown, file: string): unknown {
  const problems: Diagnostic[] = [];
  const problem = (pointer: string, message: string) =>
    problems.push({ severity: "error", code: "bad_synth_output", target: "", location: `${file}#${pointer}`, message });

  if (!isObject(json)) {
    throw new UserError([{ severity: "error", code: "bad_synth_output", target: "", location: file, message: "not a Terraform JSON object; synthesize it again with exoform synth" }]);
  }
  const resources = isObject(json["resource"]) ? json["resource"]["null_resource"] : undefined;
  const named = isObject(resources) ? Object.entries(resources) : [];

  const tenants: Array<Record<string, unknown>> = [];
  const shared: Array<Record<string, unknown>> = [];
  const users: Array<Record<string, unknown>> = [];
  for (const [name, resource] of named) {
    const at = `/resource/null_resource/${name}/triggers`;
    const triggers = isObject(resource) ? resource["triggers"] : undefined;
    if (!isObject(triggers) || !(KIND_TRIGGER in triggers)) continue; // not exoform's
    const kind = triggers[KIND_TRIGGER];
    if (!RESOURCE_KINDS.includes(kind as ResourceKind)) {
      problem(`${at}/${KIND_TRIGGER}`, `unknown exoform object kind ${JSON.stringify(kind)}; expected one of ${RESOURCE_KINDS.join(", ")}`);
      continue;
    }
    const unexpected = Object.keys(triggers).filter((k) => k !== KIND_TRIGGER && k !== SPEC_TRIGGER);
    for (const key of unexpected) problem(`${at}/${key}`, `unexpected trigger "${key}"; an exoform resource has only "${KIND_TRIGGER}" and "${SPEC_TRIGGER}"`);
    const spec = triggers[SPEC_TRIGGER];
    if (typeof spec !== "string") {
      problem(`${at}/${SPEC_TRIGGER}`, `trigger "${SPEC_TRIGGER}" must be a string holding the object's JSON, got ${spec === undefined ? "nothing" : JSON.stringify(spec)}`);
      continue;
    }
    let fields: unknown;
    try {
      fields = JSON.parse(spec);
    } catch (e) {
      problem(`${at}/${SPEC_TRIGGER}`, `trigger "${SPEC_TRIGGER}" is not valid JSON: ${(e as Error).message}`);
      continue;
    }
    if (!isObject(fields)) {
      problem(`${at}/${SPEC_TRIGGER}`, `trigger "${SPEC_TRIGGER}" must hold a JSON object, got ${spec.length > 60 ? `${spec.slice(0, 57)}...` : spec}`);
      continue;
    }
    (kind === "tenant" ? tenants : kind === "sharedMailbox" ? shared : users).push(fields);
  }
  if (tenants.length !== 1) {
    problem(
      "/resource/null_resource",
      tenants.length === 0
        ? `no exoform tenant resource (a null_resource with triggers.${KIND_TRIGGER} = "tenant"); was this file synthesized from a TenantStack?`
        : `${tenants.length} exoform tenant resources; a stack has exactly one`,
    );
  }
  if (problems.length > 0) throw new UserError(problems);
  const { ignore, ...tenant } = tenants[0]!;
  return {
    ...tenant,
    sharedMailboxes: byAddress(shared),
    userMailboxes: byAddress(users),
    ...(ignore !== undefined ? { ignore } : {}),
  };
}

function byAddress(list: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const key = (m: Record<string, unknown>) => (typeof m["address"] === "string" ? m["address"].toLowerCase() : "");
  return list.sort((a, b) => compareStrings(key(a), key(b)));
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
