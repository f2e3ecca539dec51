/**
 * The tenant fixture: the whole state of a simulated tenant as one JSON
 * document (schema/tenant-fixture.schema.json). `tenant init --fixture` loads
 * one, `tenant export` writes one; the two round-trip. Loading validates the
 * shape with ajv (allErrors) and then the semantic rules a schema cannot
 * express, and reports every problem at once, each named by file#path.
 */
import { readFileSync } from "node:fs";
import type { Ajv, ErrorObject } from "ajv";
import { ajvPackage } from "../../lib/private/ajv.js";
import schema from "../../schema/tenant-fixture.schema.json" with { type: "json" };
import contoso from "./fixtures/contoso.json" with { type: "json" };
import empty from "./fixtures/empty.json" with { type: "json" };
import type { Right } from "../../lib/provider/observed.js";
import type { ManagementAttribute } from "../../lib/model/management-tag.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { sortDiagnostics, type Diagnostic } from "../../lib/diagnostics/diagnostic.js";
import { compareStrings } from "../../lib/private/canonical-json.js";

export interface FixtureSku {
  readonly skuPartNumber: string;
  readonly skuId: string;
  readonly prepaidUnits: number;
  readonly servicePlans: readonly string[];
}

export interface FixtureUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly accountEnabled?: boolean;
  readonly usageLocation?: string | null;
  readonly licenses?: readonly string[];
  readonly onPremisesSyncEnabled?: boolean;
  readonly deletedAt?: string | null;
  readonly passwordResetAt?: string | null;
  /** The last revokeSignInSessions; null or absent: never. */
  readonly sessionsRevokedAt?: string | null;
}

export interface FixtureMailbox {
  readonly address: string;
  readonly displayName: string;
  readonly alias?: string;
  readonly type: "user" | "shared";
  readonly userId: string;
  readonly sizeBytes?: number;
  readonly litigationHold?: boolean;
  readonly archive?: boolean;
  readonly readyAt?: string | null;
  readonly deletedAt?: string | null;
  readonly disconnectAt?: string | null;
  /** CustomAttribute15 (named for the attribute exoform's tag lives in by default); null or absent: empty. */
  readonly managementTag?: string | null;
  /** CustomAttribute1..14 that hold a value, e.g. { CustomAttribute3: "DEPT-42" }; default none. */
  readonly customAttributes?: Readonly<Partial<Record<FixtureCustomAttribute, string>>>;
  /** Default false. */
  readonly hiddenFromAddressLists?: boolean;
  /** Extra SMTP addresses (not the primary); default none. */
  readonly emailAddresses?: readonly string[];
  /** Default false. */
  readonly messageCopyForSentAs?: boolean;
  /** Default false. */
  readonly messageCopyForSendOnBehalf?: boolean;
}

/** The custom attributes a fixture lists by name: CustomAttribute15 is FixtureMailbox.managementTag. */
export type FixtureCustomAttribute = Exclude<ManagementAttribute, "CustomAttribute15">;

export interface FixtureGrant {
  readonly mailbox: string;
  readonly right: Right;
  readonly trustee: string;
  /** FullAccess only; default true. */
  readonly autoMapping?: boolean;
  /** When the grant takes effect (R3.4); null or absent: already effective. */
  readonly effectiveAt?: string | null;
}

/** How long the tenant takes to settle after a change (R2.5, R3.4). */
export interface TimingSettings {
  /** A new shared mailbox accepts grants and conversions after this long ("a few minutes", R3.4). */
  readonly createReadyMs: number;
  /** A restored user's mailbox is re-created after this long (20-30 minutes, R2.5). */
  readonly restoreReadyMs: number;
  /** A grant takes effect this long after it is written (up to 60 minutes, R3.4). Reads show it at once. */
  readonly grantEffectiveMs: number;
}

/** Fault injection (see faults.ts). Applies to provider writes (and failReads to bulk reads), never to admin edits. */
export interface FaultSettings {
  /** Seed of the PRNG behind transient failures. */
  readonly seed: number;
  /** Token bucket refill rate; null: no throttling. */
  readonly writesPerSecond: number | null;
  /** Token bucket size. */
  readonly burst: number;
  /** Probability (0..1) that a write fails with ServiceUnavailable. */
  readonly transientRate: number;
  /** Added to every provider write: virtual time on a virtual clock, wall time on a real one. */
  readonly latencyMs: number;
  /** Kill the process after this many more successful writes; null: never. */
  readonly crashAfterWrites: number | null;
  /** "afterCommit": the Nth write is committed, the caller never hears of it. "beforeCommit": it is lost. */
  readonly crashMode: "afterCommit" | "beforeCommit";
  /** The next N bulk reads fail with a transient error. */
  readonly failReads: number;

  // ---- over the wire only (exoform tenant serve; providers/local-endpoint): the in-process tenant ignores these

  /** Throttle the wire as the service does (Graph resource units and writes, Exchange rate and concurrency). */
  readonly wireThrottling: boolean;
  /** Graph identity resource units per 10 s per app and tenant; null: by tenant size as documented (3,500 / 5,000 / 8,000). */
  readonly graphResourceUnitsPer10s: number | null;
  /** Graph identity writes per 150 s per app and tenant (documented: 3,000). */
  readonly graphWritesPer150s: number;
  /** Exchange cmdlets per 5 s per tenant (historical policy: 25). */
  readonly exchangeCmdletsPer5s: number;
  /** Exchange writing cmdlets per 60 s per tenant (historical policy: 120 destructive cmdlets). */
  readonly exchangeWritesPer60s: number;
  /** Exchange requests in flight at once per tenant (historical policy: 9); more answer 429. */
  readonly exchangeConcurrency: number;
  /** Probability 0..1 that a request is answered 503 or 504 without being run. */
  readonly wireErrorRate: number;
  /** Probability 0..1 that a response is held back `wireSlowMs` of wall time. */
  readonly wireSlowRate: number;
  readonly wireSlowMs: number;
  /** Probability 0..1 that the connection is reset in the middle of the response (the request was run). */
  readonly wireResetRate: number;
  /** Probability 0..1 that a WRITE is committed and its response lost (the connection closes with no answer). */
  readonly wireLostResponseRate: number;
  /** Eventual consistency: a read reaching another backend within this many ms of a write may not show it. 0: off. */
  readonly readLagMs: number;
}

export interface TenantSettings {
  readonly timing?: Partial<TimingSettings>;
  readonly faults?: Partial<FaultSettings>;
}

export interface TenantFixture {
  readonly $schema?: string;
  readonly formatVersion: 1;
  readonly tenant: { readonly id: string; readonly domains: readonly string[]; readonly hybrid: boolean };
  /** The tenant clock, ISO-8601 UTC. */
  readonly clock: string;
  readonly skus: readonly FixtureSku[];
  readonly users: readonly FixtureUser[];
  readonly mailboxes: readonly FixtureMailbox[];
  readonly grants: readonly FixtureGrant[];
  /** Mail-enabled security groups; default none. */
  readonly groups?: readonly FixtureGroup[];
  readonly settings?: TenantSettings;
}

/** A mail-enabled security group: a grant trustee named by its address. */
export interface FixtureGroup {
  readonly id: string;
  readonly address: string;
  readonly displayName: string;
  /** Member user ids; default none. */
  readonly members?: readonly string[];
}

export const DEFAULT_TIMING: TimingSettings = {
  createReadyMs: 5 * 60_000,
  restoreReadyMs: 25 * 60_000,
  grantEffectiveMs: 60 * 60_000,
};

export const DEFAULT_FAULTS: FaultSettings = {
  seed: 1,
  writesPerSecond: null,
  burst: 10,
  transientRate: 0,
  latencyMs: 0,
  crashAfterWrites: null,
  crashMode: "afterCommit",
  failReads: 0,
  wireThrottling: true,
  graphResourceUnitsPer10s: null,
  graphWritesPer150s: 3000,
  exchangeCmdletsPer5s: 25,
  exchangeWritesPer60s: 120,
  exchangeConcurrency: 9,
  wireErrorRate: 0,
  wireSlowRate: 0,
  wireSlowMs: 0,
  wireResetRate: 0,
  wireLostResponseRate: 0,
  readLagMs: 0,
};

export const BUILTIN_FIXTURES: Readonly<Record<string, unknown>> = { contoso, empty };

// ------------------------------------------------------------------ loading

/**
 * The fixture named by `spec`: "contoso", "empty", or a path to a JSON file.
 * Throws UserError listing every problem when it is not a valid fixture.
 */
export function loadFixture(spec: string): TenantFixture {
  const builtin = BUILTIN_FIXTURES[spec];
  if (builtin !== undefined) return validateFixture(builtin, `${spec} (built-in fixture)`);
  let text: string;
  try {
    text = readFileSync(spec, "utf8");
  } catch {
    throw new UserError(
      `fixture "${spec}" is neither a built-in fixture (${Object.keys(BUILTIN_FIXTURES).join(", ")}) nor a readable file; check the path`,
      "fixture_not_found",
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${spec}: not valid JSON: ${(e as Error).message.toLowerCase()}`, "fixture_json");
  }
  return validateFixture(doc, spec);
}

let compiled: ReturnType<Ajv["compile"]> | undefined;
function schemaValidator(): ReturnType<Ajv["compile"]> {
  compiled ??= new (ajvPackage().Ajv)({ allErrors: true, strict: true }).compile(schema);
  return compiled;
}

/** Validate `doc` (read from `source`) as a fixture; throws UserError with every problem. */
export function validateFixture(doc: unknown, source: string): TenantFixture {
  const validate = schemaValidator();
  if (!validate(doc)) {
    // every problem at once: the content checks still run over the entries well-formed enough for them
    const loose = looseFixture(doc);
    const more = loose ? semanticDiagnostics(loose, source) : [];
    throw new UserError(sortDiagnostics([...schemaDiagnostics(validate.errors ?? [], source), ...more]));
  }
  const fixture = doc as TenantFixture;
  const problems = semanticDiagnostics({ ...fixture, groups: fixture.groups ?? [] }, source);
  if (problems.length > 0) throw new UserError(sortDiagnostics(problems));
  return fixture;
}

function schemaDiagnostics(errors: readonly ErrorObject[], source: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const field = e.instancePath.split("/").pop() || "document";
    let message: string;
    if (e.keyword === "required") message = `missing required field "${(e.params as { missingProperty: string }).missingProperty}"`;
    else if (e.keyword === "additionalProperties")
      message = `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"; check its spelling against schema/tenant-fixture.schema.json`;
    else message = `"${field}" ${e.message ?? "is invalid"}`;
    const location = `${source}#${e.instancePath || "/"}`;
    const key = `${location}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ severity: "error", code: `fixture_schema_${e.keyword}`, target: "", location, message });
  }
  return out;
}

/** Duplicates, dangling references and over-consumed SKUs: what the schema cannot say. */
/** The fixture's lists with each entry too malformed for the content checks replaced by undefined (indices kept). */
interface LooseFixture {
  readonly skus: ReadonlyArray<FixtureSku | undefined>;
  readonly users: ReadonlyArray<FixtureUser | undefined>;
  readonly mailboxes: ReadonlyArray<FixtureMailbox | undefined>;
  readonly grants: ReadonlyArray<FixtureGrant | undefined>;
  readonly groups: ReadonlyArray<FixtureGroup | undefined>;
}

function looseFixture(doc: unknown): LooseFixture | null {
  if (typeof doc !== "object" || doc === null) return null;
  const d = doc as Record<string, unknown>;
  const str = (x: unknown, ...keys: string[]) => typeof x === "object" && x !== null && keys.every((k) => typeof (x as Record<string, unknown>)[k] === "string");
  const list = <T>(value: unknown, ok: (x: unknown) => boolean): Array<T | undefined> =>
    Array.isArray(value) ? value.map((x) => (ok(x) ? (x as T) : undefined)) : [];
  const strings = (x: unknown) => x === undefined || (Array.isArray(x) && x.every((v) => typeof v === "string"));
  return {
    skus: list<FixtureSku>(d["skus"], (x) => str(x, "skuPartNumber") && typeof (x as Record<string, unknown>)["prepaidUnits"] === "number"),
    users: list<FixtureUser>(d["users"], (x) => str(x, "id", "userPrincipalName") && strings((x as Record<string, unknown>)["licenses"])),
    mailboxes: list<FixtureMailbox>(d["mailboxes"], (x) => str(x, "address", "userId") && strings((x as Record<string, unknown>)["emailAddresses"])),
    grants: list<FixtureGrant>(d["grants"], (x) => str(x, "mailbox", "trustee", "right")),
    groups: list<FixtureGroup>(d["groups"], (x) => str(x, "id", "address") && strings((x as Record<string, unknown>)["members"])),
  };
}

function semanticDiagnostics(f: LooseFixture, source: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const err = (code: string, target: string, path: string, message: string) =>
    out.push({ severity: "error", code, target, location: `${source}#${path}`, message });

  const skus = new Map<string, number>();
  f.skus.forEach((s, i) => {
    if (!s) return;
    if (skus.has(s.skuPartNumber)) err("fixture_duplicate_sku", s.skuPartNumber, `/skus/${i}`, `sku "${s.skuPartNumber}" is listed twice; keep one entry`);
    skus.set(s.skuPartNumber, 0);
  });

  const userIds = new Map<string, FixtureUser>();
  const liveUpns = new Set<string>();
  f.users.forEach((u, i) => {
    if (!u) return;
    const upn = u.userPrincipalName.toLowerCase();
    if (userIds.has(u.id)) err("fixture_duplicate_user_id", upn, `/users/${i}/id`, `user id "${u.id}" is used twice; ids are unique`);
    userIds.set(u.id, u);
    if (!u.deletedAt) {
      if (liveUpns.has(upn)) err("fixture_duplicate_upn", upn, `/users/${i}/userPrincipalName`, `two live users have the upn "${upn}"; only soft-deleted users may share one`);
      liveUpns.add(upn);
    }
    (u.licenses ?? []).forEach((sku, j) => {
      const used = skus.get(sku);
      if (used === undefined) {
        err("fixture_unknown_sku", upn, `/users/${i}/licenses/${j}`, `license "${sku}" is not one of the tenant's skus; add it to "skus"`);
      } else if (!u.deletedAt) {
        skus.set(sku, used + 1);
      }
    });
    if ((u.licenses ?? []).length > 0 && !u.usageLocation && !u.deletedAt) {
      err("fixture_license_without_usage_location", upn, `/users/${i}`, "a licensed user needs a usageLocation (R7.1)");
    }
  });
  f.skus.forEach((s, i) => {
    if (!s) return;
    const used = skus.get(s.skuPartNumber) ?? 0;
    if (used > s.prepaidUnits) {
      err("fixture_seats_exceeded", s.skuPartNumber, `/skus/${i}`, `${used} users hold "${s.skuPartNumber}" but only ${s.prepaidUnits} seats are prepaid; raise prepaidUnits or remove licenses`);
    }
  });

  const addresses = new Set<string>();
  const anchored = new Set<string>();
  f.mailboxes.forEach((m, i) => {
    if (!m) return;
    const address = m.address.toLowerCase();
    if (addresses.has(address)) err("fixture_duplicate_address", address, `/mailboxes/${i}/address`, `mailbox "${address}" is listed twice`);
    addresses.add(address);
    if (!userIds.has(m.userId)) {
      err("fixture_anchor_not_found", address, `/mailboxes/${i}/userId`, `anchor user "${m.userId}" is not in "users"; add the user or fix the id`);
    }
    if (anchored.has(m.userId)) err("fixture_anchor_shared", address, `/mailboxes/${i}/userId`, `user "${m.userId}" already anchors another mailbox; each user has at most one`);
    anchored.add(m.userId);
  });
  // R5.2: an address (primary or extra) belongs to one recipient
  const proxies = new Map<string, string>([...addresses].map((a) => [a, a]));
  f.mailboxes.forEach((m, i) => {
    (m?.emailAddresses ?? []).forEach((raw, j) => {
      const extra = raw.toLowerCase();
      const holder = proxies.get(extra);
      if (holder !== undefined) {
        err("fixture_duplicate_proxy", m!.address.toLowerCase(), `/mailboxes/${i}/emailAddresses/${j}`, `address "${extra}" is already used by mailbox "${holder}"; an address belongs to one mailbox`);
      } else proxies.set(extra, m!.address.toLowerCase());
    });
  });
  const groupIds = new Set<string>();
  f.groups.forEach((g, i) => {
    if (!g) return;
    const address = g.address.toLowerCase();
    if (groupIds.has(g.id) || userIds.has(g.id)) err("fixture_duplicate_group_id", address, `/groups/${i}/id`, `group id "${g.id}" is used twice (groups and users share one id space); ids are unique`);
    groupIds.add(g.id);
    const holder = proxies.get(address);
    if (holder !== undefined || allUpnsOf(userIds).has(address)) {
      err("fixture_duplicate_proxy", address, `/groups/${i}/address`, `address "${address}" is already used by ${holder !== undefined ? `mailbox "${holder}"` : "a user"}; an address belongs to one recipient`);
    } else proxies.set(address, address);
    (g.members ?? []).forEach((id, j) => {
      if (!userIds.has(id)) err("fixture_group_member_not_found", address, `/groups/${i}/members/${j}`, `member "${id}" of group "${address}" is not in "users"; add the user or fix the id`);
    });
  });

  const grantKeys = new Set<string>();
  const allUpns = new Set([...userIds.values()].map((u) => u.userPrincipalName.toLowerCase()));
  f.grants.forEach((g, i) => {
    if (!g) return;
    const mailbox = g.mailbox.toLowerCase();
    const trustee = g.trustee.toLowerCase();
    if (!addresses.has(mailbox)) err("fixture_grant_unknown_mailbox", mailbox, `/grants/${i}/mailbox`, `grant on "${mailbox}", which is not in "mailboxes"`);
    if (!allUpns.has(trustee)) err("fixture_grant_unknown_trustee", mailbox, `/grants/${i}/trustee`, `grant to "${trustee}", who is not in "users"`);
    if (g.autoMapping !== undefined && g.right !== "FullAccess") {
      err("fixture_automapping_not_fullaccess", mailbox, `/grants/${i}/autoMapping`, "autoMapping applies to FullAccess grants only; remove it");
    }
    const key = `${mailbox}|${g.right}|${trustee}`;
    if (grantKeys.has(key)) err("fixture_duplicate_grant", mailbox, `/grants/${i}`, `${g.right} for "${trustee}" is listed twice`);
    grantKeys.add(key);
  });
  return out;
}

/** The fixture with every default spelled out, identities lower-cased, lists sorted: what export writes. */
export function normalizeFixture(f: TenantFixture): TenantFixture {
  const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => compareStrings(key(a), key(b));
  const out: TenantFixture = {
    formatVersion: 1,
    tenant: { id: f.tenant.id, domains: f.tenant.domains.map((d) => d.toLowerCase()).sort(compareStrings), hybrid: f.tenant.hybrid },
    clock: new Date(f.clock).toISOString(),
    skus: f.skus
      .map((s) => ({ skuPartNumber: s.skuPartNumber, skuId: s.skuId, prepaidUnits: s.prepaidUnits, servicePlans: [...s.servicePlans].sort(compareStrings) }))
      .sort(byKey((s) => s.skuPartNumber)),
    users: f.users
      .map((u) => ({
        id: u.id,
        userPrincipalName: u.userPrincipalName.toLowerCase(),
        displayName: u.displayName,
        accountEnabled: u.accountEnabled ?? true,
        usageLocation: u.usageLocation ?? null,
        licenses: [...(u.licenses ?? [])].sort(compareStrings),
        onPremisesSyncEnabled: u.onPremisesSyncEnabled ?? false,
        deletedAt: isoOrNull(u.deletedAt),
        passwordResetAt: isoOrNull(u.passwordResetAt),
        ...(u.sessionsRevokedAt ? { sessionsRevokedAt: isoOrNull(u.sessionsRevokedAt) } : {}),
      }))
      .sort(byKey((u) => `${u.userPrincipalName}\u0000${u.id}`)),
    mailboxes: f.mailboxes
      .map((m) => ({
        address: m.address.toLowerCase(),
        displayName: m.displayName,
        alias: m.alias ?? m.address.slice(0, m.address.indexOf("@")),
        type: m.type,
        userId: m.userId,
        sizeBytes: m.sizeBytes ?? 0,
        litigationHold: m.litigationHold ?? false,
        archive: m.archive ?? false,
        readyAt: isoOrNull(m.readyAt),
        deletedAt: isoOrNull(m.deletedAt),
        disconnectAt: isoOrNull(m.disconnectAt),
        managementTag: m.managementTag ?? null,
        ...customAttributesOf(m.customAttributes),
        ...mailboxSettingsOf(m),
      }))
      .sort(byKey((m) => m.address)),
    grants: f.grants
      .map((g): FixtureGrant => {
        const base = { mailbox: g.mailbox.toLowerCase(), right: g.right, trustee: g.trustee.toLowerCase() };
        const withMapping = g.right === "FullAccess" ? { ...base, autoMapping: g.autoMapping ?? true } : base;
        return g.effectiveAt ? { ...withMapping, effectiveAt: new Date(g.effectiveAt).toISOString() } : withMapping;
      })
      .sort(byKey((g) => `${g.mailbox}\u0000${g.right}\u0000${g.trustee}`)),
  };
  const groups = (f.groups ?? [])
    .map((g) => ({ id: g.id, address: g.address.toLowerCase(), displayName: g.displayName, members: [...(g.members ?? [])].sort(compareStrings) }))
    .sort(byKey((g) => g.address));
  // a fixture without groups is written as before they existed
  const withGroups = groups.length > 0 ? { ...out, groups } : out;
  return f.settings === undefined ? withGroups : { ...withGroups, settings: f.settings };
}

/** The UPNs of the users by id, lower-case. */
function allUpnsOf(users: ReadonlyMap<string, FixtureUser>): Set<string> {
  return new Set([...users.values()].map((u) => u.userPrincipalName.toLowerCase()));
}

/** A mailbox's custom attributes as a fixture spells them: only those with a value, in attribute order; none: no field. */
export function customAttributesOf(values: FixtureMailbox["customAttributes"]): Pick<FixtureMailbox, "customAttributes"> {
  const entries = Object.entries(values ?? {})
    .filter(([, v]) => typeof v === "string" && v !== "")
    .sort(([a], [b]) => Number(a.slice("CustomAttribute".length)) - Number(b.slice("CustomAttribute".length)));
  return entries.length > 0 ? { customAttributes: Object.fromEntries(entries) } : {};
}

/** The mailbox settings that differ from the service's defaults (a fixture spells out only those). */
export function mailboxSettingsOf(m: Pick<FixtureMailbox, "hiddenFromAddressLists" | "emailAddresses" | "messageCopyForSentAs" | "messageCopyForSendOnBehalf">): Partial<FixtureMailbox> {
  const extra = [...new Set((m.emailAddresses ?? []).map((a) => a.toLowerCase()))].sort(compareStrings);
  return {
    ...(m.hiddenFromAddressLists === true ? { hiddenFromAddressLists: true } : {}),
    ...(extra.length > 0 ? { emailAddresses: extra } : {}),
    ...(m.messageCopyForSentAs === true ? { messageCopyForSentAs: true } : {}),
    ...(m.messageCopyForSendOnBehalf === true ? { messageCopyForSendOnBehalf: true } : {}),
  };
}

function isoOrNull(t: string | null | undefined): string | null {
  return t ? new Date(t).toISOString() : null;
}
