/**
 * Validation of a desired-state document: JSON Schema (ajv, allErrors) for
 * shape, then the semantic rules a schema cannot express. Every problem comes
 * back in one list, each naming the file, the mailbox and the rule; nothing
 * stops at the first.
 *
 * The schema's validators are compiled at build time (npm run gen:types, into
 * lib/model/generated/desired-state-validators.ts; docs/decisions/0014): no
 * Ajv instance is made and no schema compiled when a document is validated.
 *
 * The per-mailbox checks are exported too (checkSharedMailboxSpec,
 * checkUserMailboxSpec, trusteeProblems), so the constructs reject misuse in
 * their constructors with exactly the rules and words `exoform validate` uses.
 */
import type { ErrorObject } from "ajv";
import schema from "../../schema/desired-state.schema.json" with { type: "json" };
import type { DesiredState } from "./generated/desired-state.js";
import { validateDesiredState as validateDocument, validateSharedMailboxSpec, validateUserMailboxSpec, type PrecompiledValidator } from "./generated/desired-state-validators.js";
import { canonicalize, lower, type CanonicalDesiredState } from "./normalize.js";
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { ARCHIVE_ADDON_SKUS } from "./licensing.js";
import { ALIAS_RULE, derivedAlias, DISPLAY_NAME_RULE, isValidAlias, isValidDisplayName, MAX_DISPLAY_NAME_LENGTH, suggestAlias } from "./service-rules.js";

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
  const valid = validateDocument(doc);
  const diagnostics = valid ? [] : schemaDiagnostics(doc, validateDocument.errors ?? [], source, (p) => mailboxAt(doc, p));
  // The semantic rules run on a schema-invalid document too (they skip what
  // they cannot read), so one pass reports every problem.
  diagnostics.push(...semanticDiagnostics(doc, source, valid));
  const sorted = sortDiagnostics(diagnostics);
  if (!valid || sorted.some((d) => d.severity === "error")) return { diagnostics: sorted };
  return { state: canonicalize(doc as DesiredState), diagnostics: sorted };
}

/**
 * Every problem with one shared mailbox spec on its own (schema and the
 * per-mailbox semantic rules), for a tenant owning `domains`. Cross-mailbox
 * rules (duplicate addresses) need the whole document: validateDesiredState.
 */
export function checkSharedMailboxSpec(spec: unknown, domains: readonly string[], source: string): Diagnostic[] {
  return checkPart(validateSharedMailboxSpec, spec, domains, source, (m, ctx, emit) => sharedMailboxRules(m as Record<string, unknown>, ctx, "", emit));
}

/** Every problem with one user mailbox spec on its own. */
export function checkUserMailboxSpec(spec: unknown, domains: readonly string[], source: string): Diagnostic[] {
  return checkPart(validateUserMailboxSpec, spec, domains, source, (m, ctx, emit) => userMailboxRules(m as Record<string, unknown>, ctx, "", emit));
}

function checkPart(validate: PrecompiledValidator, spec: unknown, domains: readonly string[], source: string, rules: (spec: unknown, ctx: TenantDomains | null, emit: Emit) => void): Diagnostic[] {
  const target = addressOf(spec) ?? "";
  const out = validate(spec) ? [] : schemaDiagnostics(spec, validate.errors ?? [], source, () => target);
  if (isRecord(spec)) rules(spec, tenantDomains(domains), emitter(out, source));
  return sortDiagnostics(out);
}

// ------------------------------------------------------------------ schema errors

function schemaDiagnostics(doc: unknown, errors: readonly ErrorObject[], source: string, targetAt: (path: string) => string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // ajv reports each failing branch of a schema; "if" wrappers add noise.
    if (e.keyword === "if") continue;
    const path = e.instancePath;
    const message = schemaMessage(e, valueAt(doc, path));
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      severity: "error",
      code: `schema_${e.keyword}`,
      target: targetAt(path),
      location: `${source}#${path || "/"}`,
      message,
    });
  }
  return out;
}

function schemaMessage(e: ErrorObject, value: unknown): string {
  const field = fieldName(e.instancePath);
  const got = describe(value);
  switch (e.keyword) {
    case "required":
      return `missing required field "${(e.params as { missingProperty: string }).missingProperty}"`;
    case "additionalProperties": {
      const unknown = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const guess = closest(unknown, known);
      return `unknown field "${unknown}"; ${guess !== undefined ? `did you mean "${guess}"? ` : ""}check its spelling against schema/desired-state.schema.json`;
    }
    case "enum":
      return `${field} is ${got}; it must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `${field} is ${got}; it must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case "pattern":
      return `${field} ${got} is not valid: ${patternHint(e)}`;
    case "maxLength":
      return `${field} is ${String(value).length} characters long; at most ${(e.params as { limit: number }).limit} are allowed`;
    case "minLength":
      return `${field} must not be empty`;
    case "type":
      return `${field} is ${got}; it must be ${(e.params as { type: string }).type}`;
    case "minItems":
      return `${field} needs at least ${(e.params as { limit: number }).limit} item`;
    default:
      return `${field} ${e.message ?? "is invalid"}`;
  }
}

/** `"license"`, or `fullAccess[0].trustee` for nested fields, or "the document". */
function fieldName(instancePath: string): string {
  const parts = instancePath.split("/").slice(1);
  // drop the mailbox list and index: the target already names the mailbox
  if ((parts[0] === "sharedMailboxes" || parts[0] === "userMailboxes") && parts.length > 2) parts.splice(0, 2);
  if (parts.length === 0) return "the document";
  const name = parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");
  return `"${name}"`;
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const raw of pointer.split("/").slice(1)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[raw.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return cur;
}

/** What each pattern in the schema means, in words (matched on the pattern itself: ajv's schemaPath loses the definition name across $ref). */
const PATTERN_HINTS = new Map<string, string>([
  [schema.definitions.Alias.pattern, "an alias has at most 64 letters, digits and !#%*+-/=?^_~, with periods only between other characters"],
  [schema.definitions.Address.pattern, "expected an address like name@contoso.com"],
  [schema.definitions.License.pattern, 'expected "none" or a SKU part number such as EXCHANGEENTERPRISE (upper case, digits and _)'],
  [schema.definitions.SkuPartNumber.pattern, "expected a SKU part number such as EXCHANGESTANDARD (upper case, digits and _); an empty list means no licence"],
  [schema.definitions.UserMailboxSpec.properties.license.pattern, "expected a SKU part number such as EXCHANGESTANDARD; a user mailbox needs a license"],
  [schema.properties.stack.pattern, "a stack name has letters, digits, - and _, at most 64, and starts with a letter or digit"],
  [schema.definitions.Tenant.properties.domains.items.pattern, "expected a domain name such as contoso.com"],
]);

function patternHint(e: ErrorObject): string {
  const pattern = (e.params as { pattern: string }).pattern;
  return PATTERN_HINTS.get(pattern) ?? `does not match ${pattern}`;
}

/** The address of the mailbox an instance path points into, or "". */
function mailboxAt(doc: unknown, path: string): string {
  const m = /^\/(sharedMailboxes|userMailboxes)\/(\d+)/.exec(path);
  if (!m || typeof doc !== "object" || doc === null) return "";
  const list = (doc as Record<string, unknown>)[m[1]!];
  if (!Array.isArray(list)) return "";
  return addressOf(list[Number(m[2])]) ?? `${m[1]}[${m[2]}]`;
}

// ------------------------------------------------------------------ semantic rules
//
// These read the document defensively: a field the schema already rejected
// (wrong type, malformed address) is skipped, not reported twice.

const ADDRESS = new RegExp(schema.definitions.Address.pattern);

type Emit = (code: string, target: string, location: string, message: string, severity?: "error" | "warning") => void;

function emitter(out: Diagnostic[], source: string): Emit {
  return (code, target, location, message, severity = "error") =>
    out.push({ severity, code, target, location: `${source}#${location || "/"}`, message });
}

interface TenantDomains {
  /** "@contoso.com" for each domain, lower-cased: see inTenant. */
  readonly suffixes: readonly string[];
  /** "contoso.com, contoso.onmicrosoft.com", for messages. */
  readonly list: string;
}

function tenantDomains(domains: readonly string[]): TenantDomains {
  const set = new Set(domains.map(lower));
  // a "domain" holding "@" (the schema refuses one) can never be what follows an address's last "@"
  return { suffixes: [...set].filter((d) => !d.includes("@")).map((d) => `@${d}`), list: [...set].sort().join(", ") };
}

/**
 * Whether `address` (lower-cased, and matching ADDRESS) is in a domain the
 * tenant owns: what follows its last "@" is one of them. Read as a suffix
 * rather than cut out and looked up, because it runs once per grant (a
 * million in a large tenant) and a suffix test allocates nothing.
 */
function inTenant(address: string, domains: TenantDomains): boolean {
  for (const suffix of domains.suffixes) if (address.endsWith(suffix)) return true;
  return false;
}

export type GrantList = "fullAccess" | "sendAs" | "sendOnBehalf";

export interface Problem {
  readonly code: string;
  readonly message: string;
}

/**
 * What is wrong with granting `list` on `mailbox` to `trustee` on its own
 * (self grant, trustee outside the tenant: R3.8). Duplicates need the list.
 */
export function trusteeProblems(mailbox: string, list: GrantList, trustee: string, domains: readonly string[]): Problem[] {
  return [...trusteeRules(lower(mailbox), list, lower(trustee), tenantDomains(domains))];
}

const NO_PROBLEMS: readonly Problem[] = Object.freeze([]);

/**
 * Runs once per declared grant (a million in a large tenant): a grant without problems allocates nothing.
 * `wellFormed`: the schema already matched the trustee to ADDRESS, so it is not matched again.
 */
function trusteeRules(address: string, list: GrantList, trustee: string, domains: TenantDomains | null, wellFormed = false): readonly Problem[] {
  let out: Problem[] | undefined;
  if (trustee === address) {
    (out ??= []).push({ code: "self_grant", message: `mailbox "${address}" grants ${list} to itself; a mailbox cannot be its own trustee, remove it from ${list}` });
  }
  if (!wellFormed && !ADDRESS.test(trustee)) {
    (out ??= []).push({ code: "bad_trustee", message: `mailbox "${address}" grants ${list} to "${trustee}", which is not an address; expected a UPN like name@contoso.com` });
  } else if (domains !== null && !inTenant(trustee, domains)) {
    (out ??= []).push({
      code: "trustee_outside_tenant",
      message: `mailbox "${address}" grants ${list} to "${trustee}", who is not in a domain the tenant owns (${domains.list}); Exchange Online grants access only to people inside the tenant (R3.8)`,
    });
  }
  return out ?? NO_PROBLEMS;
}

function addressRule(address: string, at: string, domains: TenantDomains | null, emit: Emit): void {
  if (domains !== null && ADDRESS.test(address) && !inTenant(address, domains)) {
    emit("address_outside_tenant", address, `${at}/address`, `mailbox address "${address}" is not in a domain the tenant owns (${domains.list}); add the domain to tenant.domains or fix the address`);
  }
}

/**
 * R5.1, as the service applies it (lib/model/service-rules.ts): the display
 * name, and the alias a new mailbox gets from its address when none is
 * declared. What the schema already refuses (empty, over 256 characters, a
 * declared alias off the pattern) is left to it.
 */
function nameRules(m: Record<string, unknown>, address: string, at: string, emit: Emit): void {
  const name = m["displayName"];
  if (typeof name === "string" && name.length > 0 && !isValidDisplayName(name) && [...name].length <= MAX_DISPLAY_NAME_LENGTH) {
    if (name.trim().length === 0) {
      emit("display_name_blank", address, `${at}/displayName`, `mailbox "${address}" has a display name of only spaces, which Exchange Online refuses (${DISPLAY_NAME_RULE}); give the mailbox a name people will recognise in the address book`);
    } else {
      emit(
        "display_name_too_long",
        address,
        `${at}/displayName`,
        `mailbox "${address}" has a display name of ${name.length} UTF-16 code units (characters outside the Basic Multilingual Plane, such as emoji, count twice), over what Exchange Online accepts (${DISPLAY_NAME_RULE}); shorten it`,
      );
    }
  }
  // the alias is derived only when the mailbox is created (origin "new" and no alias declared)
  if (m["alias"] !== undefined || (m["origin"] ?? "new") !== "new" || typeof m["address"] !== "string" || !ADDRESS.test(m["address"])) return;
  const local = derivedAlias(lower(m["address"])); // the address is sent lower-cased, and the alias derived from that
  if (isValidAlias(local)) return;
  const suggestion = suggestAlias(local);
  emit(
    "alias_derived_invalid",
    address,
    `${at}/address`,
    `mailbox "${address}" declares no alias, so Exchange Online would make one from the address's local part ${JSON.stringify(local)}, which is not a valid alias (${ALIAS_RULE}), and refuse to create the mailbox; declare an alias${suggestion !== "" ? `, e.g. alias: "${suggestion}"` : ""}`,
  );
}

/** `wellFormed`: the whole document passed the schema (so every trustee matches ADDRESS). */
function sharedMailboxRules(m: Record<string, unknown>, domains: TenantDomains | null, at: string, emit: Emit, wellFormed = false): void {
  const address = addressOf(m);
  if (address === undefined) return;
  addressRule(address, at, domains, emit);
  nameRules(m, address, at, emit);
  if (m["origin"] === "convert" && m["removalPolicy"] === "delete") {
    emit("delete_converted_mailbox", address, `${at}/removalPolicy`, `mailbox "${address}" is converted from a person's mailbox and may not have removalPolicy "delete": its anchor account holds that person's mail; use "retain"`);
  }
  if (m["removalPolicy"] === "delete" && m["litigationHold"] === true) {
    emit(
      "delete_with_litigation_hold",
      address,
      `${at}/removalPolicy`,
      `mailbox "${address}" is on litigation hold with removalPolicy "delete": the service will not delete a mailbox on hold (R2.3), so taking it out of the code will fail until its hold is turned off and applied`,
      "warning",
    );
  }
  const licenses = licenseRules(m, address, at, emit);
  if (licenses.length === 0) {
    // R1.6: hold and archive need Plan 2, or Plan 1 + the archiving add-on; "none" has neither.
    if (m["litigationHold"] === true) {
      emit("litigation_hold_needs_license", address, `${at}/litigationHold`, `mailbox "${address}" is on litigation hold but has license "none"; a hold needs Exchange Online Plan 2 (or Plan 1 with the archiving add-on): set license, e.g. "EXCHANGEENTERPRISE" (R1.6)`);
    }
    if (m["archive"] === true) {
      emit("archive_needs_license", address, `${at}/archive`, `mailbox "${address}" has an archive but license "none"; an archive needs Exchange Online Plan 2 (or Plan 1 with the archiving add-on): set license, e.g. "EXCHANGEENTERPRISE" (R1.6)`);
    }
  }
  emailAddressRules(m, address, at, domains, emit);
  previousAddressRules(m, address, at, emit);
  grantRules(m, address, at, domains, emit, wellFormed);
}

const GRANT_LISTS: readonly GrantList[] = ["fullAccess", "sendAs", "sendOnBehalf"];

/**
 * Each trustee of each grant list: listed once, and trusteeRules. The
 * hottest loop of validation (one pass per declared grant), so it reads the
 * lists in place and builds a location only for a problem.
 */
function grantRules(m: Record<string, unknown>, address: string, at: string, domains: TenantDomains | null, emit: Emit, wellFormed: boolean): void {
  for (const list of GRANT_LISTS) {
    const items = m[list];
    if (!Array.isArray(items)) continue;
    // repeats: a short list is scanned, a long one gets a Set (a Set per list was a third of a million Sets at 100k mailboxes)
    const listed: string[] = [];
    let seen: Set<string> | undefined;
    for (let j = 0; j < items.length; j++) {
      const raw = trusteeOf(list, items[j]);
      if (raw === undefined) continue;
      const trustee = lower(raw);
      if (seen !== undefined ? seen.has(trustee) : listed.includes(trustee)) {
        emit("duplicate_trustee", address, `${at}/${list}/${j}`, `mailbox "${address}" lists "${trustee}" twice in ${list}; list each trustee once`);
      }
      if (seen !== undefined) seen.add(trustee);
      else if (listed.push(trustee) > 16) seen = new Set(listed);
      for (const p of trusteeRules(address, list, trustee, domains, wellFormed)) {
        // a malformed trustee is the schema's to report
        if (p.code !== "bad_trustee") emit(p.code, address, `${at}/${list}/${j}`, p.message);
      }
    }
  }
}

/** The trustee of one item of a grant list (fullAccess holds { trustee }, the others addresses), or undefined when unreadable. */
function trusteeOf(list: GrantList, item: unknown): string | undefined {
  if (list !== "fullAccess") return typeof item === "string" ? item : undefined;
  return isRecord(item) && typeof item["trustee"] === "string" ? item["trustee"] : undefined;
}

/**
 * `license` (the shorthand) and `licenses` together, repeats, and the
 * archiving add-on with no mailbox licence beside it (Microsoft 365 refuses
 * that assignment: DependencyViolation). Returns the licences declared, as
 * far as they can be read.
 */
function licenseRules(m: Record<string, unknown>, address: string, at: string, emit: Emit): readonly string[] {
  const declares = (key: string) => Object.hasOwn(m, key);
  if (declares("license") && declares("licenses")) {
    emit("license_and_licenses", address, `${at}/licenses`, `mailbox "${address}" declares both license and licenses; give every SKU in licenses (e.g. licenses: ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"]) and remove license`);
  }
  const listed = Array.isArray(m["licenses"]) ? strings(m["licenses"]) : typeof m["license"] === "string" && m["license"] !== "none" ? [m["license"]] : NONE;
  if (listed.length === 0) return NONE;
  const seen = new Set<string>();
  listed.forEach((sku, j) => {
    if (sku === undefined) return;
    if (seen.has(sku)) emit("duplicate_license", address, `${at}/licenses/${j}`, `mailbox "${address}" lists license ${sku} twice; list each SKU once`);
    seen.add(sku);
  });
  const declared = [...seen];
  if (declared.length > 0 && declared.every((sku) => ARCHIVE_ADDON_SKUS.includes(sku))) {
    emit(
      "archive_addon_alone",
      address,
      `${at}/${m["licenses"] !== undefined ? "licenses" : "license"}`,
      `mailbox "${address}" is licensed with ${declared.join(", ")} only: the Exchange Online Archiving add-on is not a mailbox licence, it depends on Exchange Online Plan 1 or Plan 2 (R1.6); declare both, e.g. licenses: ["EXCHANGESTANDARD", "${declared[0]}"]`,
    );
  }
  return declared;
}

/** What one list of addresses on a mailbox may not hold, in words: the mailbox's own address, a repeat, and anything else. */
interface AddressListRule {
  readonly field: "emailAddresses" | "previousAddresses";
  readonly self: readonly [code: string, message: string];
  readonly duplicate: readonly [code: string, message: (address: string) => string];
  readonly other?: (address: string) => readonly [code: string, message: string] | undefined;
}

/** Each address of `rule.field` checked once; a malformed one is the schema's to report. */
function addressListRules(m: Record<string, unknown>, at: string, rule: AddressListRule, emit: Emit, address: string): void {
  const seen = new Set<string>();
  strings(m[rule.field]).forEach((raw, j) => {
    if (raw === undefined || !ADDRESS.test(raw)) return;
    const listed = lower(raw);
    const loc = `${at}/${rule.field}/${j}`;
    const problem = listed === address ? rule.self : seen.has(listed) ? ([rule.duplicate[0], rule.duplicate[1](listed)] as const) : rule.other?.(listed);
    if (problem !== undefined) emit(problem[0], address, loc, problem[1]);
    seen.add(listed);
  });
}

/** The extra SMTP addresses: in the tenant's domains, not the primary, each once. Across mailboxes: see crossMailboxAddressRules. */
function emailAddressRules(m: Record<string, unknown>, address: string, at: string, domains: TenantDomains | null, emit: Emit): void {
  if (isEmptyList(m["emailAddresses"])) return;
  const rule: AddressListRule = {
    field: "emailAddresses",
    self: ["email_address_is_primary", `mailbox "${address}" lists its primary address in emailAddresses; emailAddresses holds the extra addresses only, remove it`],
    duplicate: ["duplicate_email_address", (a) => `mailbox "${address}" lists "${a}" twice in emailAddresses; list each address once`],
    other: (a) =>
      domains !== null && !inTenant(a, domains)
        ? ["email_address_outside_tenant", `mailbox "${address}" has extra address "${a}", which is not in a domain the tenant owns (${domains.list}); Exchange Online accepts proxy addresses in accepted domains only: add the domain to tenant.domains or fix the address`]
        : undefined,
  };
  addressListRules(m, at, rule, emit, address);
}

/** previousAddresses: not the current address, each once. Across mailboxes: see crossMailboxAddressRules. */
function previousAddressRules(m: Record<string, unknown>, address: string, at: string, emit: Emit): void {
  if (isEmptyList(m["previousAddresses"])) return;
  const rule: AddressListRule = {
    field: "previousAddresses",
    self: ["previous_address_is_current", `mailbox "${address}" lists its own address in previousAddresses; list only the addresses it had before a rename`],
    duplicate: ["duplicate_previous_address", (a) => `mailbox "${address}" lists "${a}" twice in previousAddresses; list each address once`],
  };
  addressListRules(m, at, rule, emit, address);
}

function userMailboxRules(m: Record<string, unknown>, domains: TenantDomains | null, at: string, emit: Emit): void {
  const address = addressOf(m);
  if (address !== undefined) addressRule(address, at, domains, emit);
}

function semanticDiagnostics(doc: unknown, source: string, wellFormed: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!isRecord(doc)) return out;
  const emit = emitter(out, source);
  const tenant = doc["tenant"];
  const domainList = isRecord(tenant) && Array.isArray(tenant["domains"]) ? strings(tenant["domains"]).filter((d) => d !== undefined) : [];
  // without readable domains, no address can be judged in or out of the tenant
  const domains = domainList.length > 0 ? tenantDomains(domainList) : null;
  const shared = mailboxes(doc["sharedMailboxes"]);
  const users = mailboxes(doc["userMailboxes"]);

  /**
   * Where in `list` each address is first declared: one index per list (a
   * shared address among the users is a fault of its own), holding positions
   * rather than locations, so a large document keeps no string per mailbox.
   */
  const noteAddress = (seen: Map<string, number>, list: string, address: string, i: number) => {
    const prior = seen.get(address);
    if (prior !== undefined) {
      emit("duplicate_address", address, `/${list}/${i}`, `mailbox "${address}" is declared more than once (also at ${source}#/${list}/${prior}); each address may appear once`);
    } else seen.set(address, i);
  };
  const sharedAt = new Map<string, number>();
  shared.forEach(({ m, address }, i) => {
    if (m === undefined) return;
    if (address !== undefined) noteAddress(sharedAt, "sharedMailboxes", address, i);
    sharedMailboxRules(m, domains, `/sharedMailboxes/${i}`, emit, wellFormed);
  });

  crossMailboxAddressRules(shared, sharedAt, emit);
  const userAt = new Map<string, number>();
  users.forEach(({ m, address }, i) => {
    if (m === undefined) return;
    const at = `/userMailboxes/${i}`;
    if (address !== undefined && sharedAt.has(address)) {
      emit("listed_as_shared_and_user", address, at, `mailbox "${address}" is listed both as a shared mailbox and as a user mailbox; keep it in one list`);
      return;
    }
    if (address !== undefined) noteAddress(userAt, "userMailboxes", address, i);
    userMailboxRules(m, domains, at, emit);
  });
  return out;
}

/** One item of a mailbox list: the object (undefined when the item is not one) and its lower-cased address, read once. */
interface Listed {
  readonly m: Record<string, unknown> | undefined;
  readonly address: string | undefined;
}

function mailboxes(x: unknown): Listed[] {
  return records(x).map((m) => ({ m, address: m === undefined ? undefined : addressOf(m) }));
}

/**
 * R5.2: an address (primary or extra) belongs to one recipient; an extra
 * address another mailbox already uses is refused. A previous address names
 * one mailbox to rename: it may not be another declared mailbox's address,
 * nor be claimed by two mailboxes.
 */
function crossMailboxAddressRules(shared: readonly Listed[], primaries: ReadonlyMap<string, unknown>, emit: Emit): void {
  const claimedBy = new Map<string, string>();
  for (const { address, listed: previous, loc } of listedAddresses(shared, "previousAddresses")) {
    const other = claimedBy.get(previous);
    if (primaries.has(previous) && previous !== address) {
      emit("previous_address_in_use", address, loc, `mailbox "${address}" lists "${previous}" in previousAddresses, but a mailbox with that address is declared too; one mailbox cannot be both renamed and kept, so remove one of them`);
    } else if (other !== undefined && other !== address) {
      emit("previous_address_claimed_twice", address, loc, `mailbox "${address}" lists "${previous}" in previousAddresses, and so does mailbox "${other}"; the mailbox at "${previous}" can be renamed to one of them only`);
    } else claimedBy.set(previous, address);
  }
  /** Who holds each extra address so far (a primary address is its own holder). */
  const extraHolder = new Map<string, string>();
  for (const { address, listed: extra, loc } of listedAddresses(shared, "emailAddresses")) {
    const holder = primaries.has(extra) ? extra : extraHolder.get(extra);
    if (holder !== undefined && holder !== address) {
      emit("email_address_taken", address, loc, `mailbox "${address}" lists "${extra}" in emailAddresses, but ${holder === extra ? "that is the primary address of another mailbox" : `mailbox "${holder}" lists it too`}; an address belongs to one mailbox (R5.2), remove it from one of them`);
    } else if (holder === undefined) extraHolder.set(extra, address);
  }
}

/** Every address listed in `field` of every shared mailbox, lower-cased, with the mailbox's address and where it is. */
function* listedAddresses(shared: readonly Listed[], field: AddressListRule["field"]): Generator<{ address: string; listed: string; loc: string }> {
  for (const [i, { m, address }] of shared.entries()) {
    if (m === undefined || address === undefined || isEmptyList(m[field])) continue;
    for (const [j, raw] of strings(m[field]).entries()) {
      if (raw !== undefined) yield { address, listed: lower(raw), loc: `/sharedMailboxes/${i}/${field}/${j}` };
    }
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** The lower-cased address of a mailbox-like object, or undefined. */
function addressOf(x: unknown): string | undefined {
  return isRecord(x) && typeof x["address"] === "string" ? lower(x["address"]) : undefined;
}

/** The items of an array, with undefined for each item that is not an object (indexes kept). */
function records(x: unknown): Array<Record<string, unknown> | undefined> {
  return Array.isArray(x) ? x.map((v) => (isRecord(v) ? v : undefined)) : [];
}

/** True unless `x` is an array with items: nothing listed to check. */
function isEmptyList(x: unknown): boolean {
  return !Array.isArray(x) || x.length === 0;
}

const NONE: readonly string[] = Object.freeze([]);

/** The items of an array, with undefined for each item that is not a string (indexes kept). */
function strings(x: unknown): Array<string | undefined> {
  return Array.isArray(x) ? x.map((v) => (typeof v === "string" ? v : undefined)) : [];
}

/** The known name closest to `word` by edit distance, when it is a plausible typo (at most 2 edits). */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}
