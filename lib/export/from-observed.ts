/**
 * exportDesired / desiredFromObserved: the desired state that describes a
 * tenant as it is, so that planning it against that tenant yields no change.
 * Used by `exoform export` (adopting an existing tenant) and by the planner's
 * and drift's property tests. Pure: no I/O, no clock; one pass over each list
 * of the observation, so 100k mailboxes export in well under a second.
 *
 * What is exported: every live shared mailbox (soft-deleted mailboxes and user
 * mailboxes are not: exoform manages shared mailboxes, and a user mailbox only
 * when the code converts it), with origin "new" (the planner converges an
 * existing shared mailbox whatever its origin), its grants, every licence its
 * account holds, hold, archive, address-list visibility, extra SMTP addresses,
 * sent-item copies, and removalPolicy "delete" when it carries this stack's
 * management tag. The alias is written only when it is not the address's local part.
 *
 * Where the tenant holds something a desired-state document cannot say, the
 * export does the least surprising thing and says so in a note (a warning
 * diagnostic; the CLI prints them on stderr):
 * - a shared mailbox whose account can sign in: exported with a sign-in
 *   exception whose reason says it was found enabled and needs review, so
 *   adopting changes nothing; the note asks someone to confirm or remove it
 *   (removed, the plan blocks sign-in, R4.1), and a policy may forbid
 *   exceptions (forbidSignInExceptions);
 * - grants to trustees the planner refuses (deleted, unknown, outside the
 *   tenant's domains, the mailbox itself: R3.7, R3.8): left out, and the
 *   mailbox is exported with permissionsMode "additive", so the plan neither
 *   refuses the grant nor revokes it; the note says how to clean up;
 * - extra SMTP addresses a document cannot hold (outside the tenant's
 *   domains): left out, with a note;
 * - mailboxes the planner would refuse outright (more than 500 FullAccess
 *   entries, R3.9; a directory-synced account with sign-in enabled, R4.4; a
 *   licence that does not cover the mailbox, R1.4-R1.6; no anchor account):
 *   left out, so the rest of the tenant can be adopted; left out of the code, a
 *   mailbox is retained and untouched. Except one this stack tagged for
 *   deletion: that one is exported anyway, so the plan refuses it instead of
 *   deleting it;
 * - values the document format cannot hold (an address outside the tenant's
 *   domains, an empty or over-long display name): left out.
 * A --mailbox filter that leaves out a mailbox tagged for deletion by this
 * stack gets a note too: planning that document would delete it.
 */
import schema from "../../schema/desired-state.schema.json" with { type: "json" };
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { DesiredState, FullAccessGrant, SharedMailboxSpec } from "../model/generated/desired-state.js";
import { addonWithoutExchangePlan, ARCHIVE_ADDON_SKUS, capabilitiesOfSkus, licenseShortfall, type ExchangeCapabilities } from "../model/licensing.js";
import { formatManagementTag, parseManagementTag } from "../model/management-tag.js";
import { canonicalize, domainOf, type CanonicalDesiredState } from "../model/normalize.js";
import { compareStrings } from "../private/canonical-json.js";
import { mailboxSettings, type ObservedGrant, type ObservedMailbox, type ObservedState, type ObservedUser } from "../provider/observed.js";
import { MAX_FULL_ACCESS_ENTRIES } from "../model/service-rules.js";

export interface ExportOptions {
  /** The stack the document belongs to (scopes management tags). */
  readonly stack: string;
  /** Only these shared mailboxes (addresses, any case); default: every live shared mailbox. */
  readonly mailboxes?: readonly string[];
}

export interface ExportResult {
  /** The canonical document; it validates against schema/desired-state.schema.json. */
  readonly desired: CanonicalDesiredState;
  /**
   * What could not be carried over as it is (warnings, one per mailbox and
   * cause) and, for a --mailbox naming no live shared mailbox, errors.
   */
  readonly diagnostics: readonly Diagnostic[];
}

/** Add-MailboxPermission refuses more than 500 ACEs on one mailbox (R3.9); the planner refuses such a declaration. */
export const EXPORT_FULL_ACCESS_MAX = MAX_FULL_ACCESS_ENTRIES;

const ADDRESS = new RegExp(schema.definitions.Address.pattern);
const ALIAS = new RegExp(schema.definitions.Alias.pattern);
const DISPLAY_NAME_MAX = schema.definitions.SharedMailboxSpec.properties.displayName.maxLength;
const STACK_NAME = new RegExp(schema.properties.stack.pattern);

/** The reason an exported sign-in exception carries: nobody declared it, someone must review it. */
export const SIGN_IN_FOUND_REASON = "found enabled at export; review";

/** The desired state of `observed`; see exportDesired for what could not be carried over. */
export function desiredFromObserved(observed: ObservedState, options: ExportOptions): CanonicalDesiredState {
  return exportDesired(observed, options).desired;
}

type TrusteeVerdict = "ok" | "deleted" | "missing" | "outside" | "malformed";

export function exportDesired(observed: ObservedState, options: ExportOptions): ExportResult {
  const { stack } = options;
  const diagnostics: Diagnostic[] = [];
  const note = (code: string, target: string, message: string) => diagnostics.push({ severity: "warning", code, target, message });

  const usersById = new Map<string, ObservedUser>();
  const liveUpns = new Set<string>();
  const deletedUpns = new Set<string>();
  for (const u of observed.users) {
    usersById.set(u.id, u);
    (u.deletedAt === null ? liveUpns : deletedUpns).add(u.userPrincipalName);
  }
  // a mail-enabled security group is a trustee as valid as a person (R3.9)
  for (const g of observed.groups ?? []) liveUpns.add(g.address);
  const grants = new Map<string, ObservedGrant[]>();
  for (const g of observed.grants) {
    const list = grants.get(g.mailbox);
    if (list) list.push(g);
    else grants.set(g.mailbox, [g]);
  }
  const servicePlans = new Map(observed.skus.map((s) => [s.skuPartNumber, s.servicePlans]));
  const capsCache = new Map<string, ExchangeCapabilities>();
  /** The capabilities of a set of licences, computed once per distinct set. */
  const caps = (skus: readonly string[]): ExchangeCapabilities => {
    const key = skus.join(",");
    let c = capsCache.get(key);
    if (c === undefined) capsCache.set(key, (c = capabilitiesOfSkus(skus, servicePlans)));
    return c;
  };
  const domains = new Set(observed.tenant.domains.map((d) => d.toLowerCase()));
  const domainList = [...domains].sort(compareStrings);
  const verdicts = new Map<string, TrusteeVerdict>();
  const verdict = (trustee: string): TrusteeVerdict => {
    let v = verdicts.get(trustee);
    if (v === undefined) {
      v = !ADDRESS.test(trustee)
        ? "malformed"
        : !domains.has(domainOf(trustee))
          ? "outside"
          : liveUpns.has(trustee)
            ? "ok"
            : deletedUpns.has(trustee)
              ? "deleted"
              : "missing";
      verdicts.set(trustee, v);
    }
    return v;
  };

  // --mailbox: every name must be a live shared mailbox (all problems reported together)
  const only = options.mailboxes ? new Set(options.mailboxes.map((a) => a.toLowerCase())) : undefined;
  if (only) diagnostics.push(...unknownMailboxes(only, observed.mailboxes));

  const shared: SharedMailboxSpec[] = [];
  for (const m of observed.mailboxes) {
    if (m.deletedAt !== null || m.type !== "shared") continue;
    const tag = parseManagementTag(m.managementTag);
    const ours = tag !== null && tag.stack === stack;
    if (only && !only.has(m.address)) {
      if (ours) {
        note(
          "export_tagged_left_out",
          m.address,
          `mailbox "${m.address}" is tagged for deletion by stack "${stack}" and is not in this export (--mailbox), so planning the exported document alone would delete it; add --mailbox ${m.address}, or plan with --target for the exported mailboxes only`,
        );
      }
      continue;
    }
    const spec = exportMailbox(m, ours);
    if (spec !== undefined) shared.push(spec);
  }

  /** One mailbox, or undefined (with a note) when it is left out. */
  function exportMailbox(m: ObservedMailbox, ours: boolean): SharedMailboxSpec | undefined {
    const address = m.address;
    // 1. what the document format cannot hold: always left out
    if (!ADDRESS.test(address) || !domains.has(domainOf(address))) {
      note("export_address_outside_tenant", address, `mailbox "${address}" is not in a domain the tenant accepts (${domainList.join(", ") || "none"}), so a desired-state document cannot declare it; it is not exported`);
      return undefined;
    }
    if (m.displayName.length === 0 || m.displayName.length > DISPLAY_NAME_MAX) {
      note("export_bad_display_name", address, `mailbox "${address}" has ${m.displayName.length === 0 ? "an empty display name" : `a display name of ${m.displayName.length} characters (at most ${DISPLAY_NAME_MAX})`}, which a desired-state document cannot hold; it is not exported: rename it (Set-Mailbox -DisplayName) and export again`);
      return undefined;
    }

    // 2. what the planner would refuse: left out, unless this stack tagged it for deletion
    const refusals: string[] = [];
    const anchor = usersById.get(m.userId);
    if (anchor === undefined) {
      refusals.push(`it has no anchor account in the directory (user id ${m.userId}); check the account in the Microsoft 365 admin center`);
    } else if (anchor.accountEnabled && anchor.onPremisesSyncEnabled) {
      refusals.push(`sign-in is enabled on its directory-synced account ${anchor.userPrincipalName}, which cannot be blocked from the cloud (R4.4); block the account in on-premises Active Directory, let directory sync run`);
    }
    const licenses = [...(anchor?.licenses ?? [])].sort(compareStrings);
    const unknownSkus = licenses.filter((sku) => !servicePlans.has(sku));
    if (unknownSkus.length > 0) {
      refusals.push(`its account holds ${unknownSkus.join(", ")}, which ${unknownSkus.length === 1 ? "is" : "are"} not among the tenant's subscribed SKUs; remove or replace the license`);
    } else if (addonWithoutExchangePlan(caps(licenses)) || (licenses.length > 0 && licenses.every((sku) => ARCHIVE_ADDON_SKUS.includes(sku)))) {
      refusals.push(`its account holds ${licenses.join(", ")}: the archiving add-on without Exchange Online Plan 1 or Plan 2, which a document cannot declare (R1.6); add a mailbox licence`);
    } else {
      const shortfall = licenseShortfall({ sizeBytes: m.sizeBytes, litigationHold: m.litigationHold, archive: m.archive }, caps(licenses));
      if (shortfall !== null) {
        const held = licenses.length === 0 ? "its account holds no license" : `its account holds only ${licenses.join(", ")}`;
        refusals.push(`it ${shortfall}, and ${held}; license it (R1.4-R1.6)`);
      }
    }
    const list = grants.get(address) ?? [];
    let fullAccessCount = 0;
    for (const g of list) if (g.right === "FullAccess") fullAccessCount++;
    if (fullAccessCount > EXPORT_FULL_ACCESS_MAX) {
      refusals.push(`it has ${fullAccessCount} FullAccess entries, over the ${EXPORT_FULL_ACCESS_MAX} exoform can declare (R3.9); grant access through a mail-enabled security group instead`);
    }
    if (refusals.length > 0) {
      const reasons = refusals.join("; and ");
      if (!ours) {
        note("export_mailbox_left_out", address, `mailbox "${address}" is not exported, because the plan would refuse it: ${reasons}, then export it again (--mailbox ${address}); left out of the code it is retained and untouched`);
        return undefined;
      }
      note("export_mailbox_refused", address, `mailbox "${address}" is exported although the plan will refuse it, because stack "${stack}" tagged it for deletion and leaving it out would delete it: ${reasons}`);
    }

    // 3. exported, with notes on what the plan will change or cannot declare
    const signInAllowed = anchor !== undefined && anchor.accountEnabled && !anchor.onPremisesSyncEnabled;
    if (signInAllowed) {
      note(
        "export_sign_in_enabled",
        address,
        `sign-in is enabled on ${anchor.userPrincipalName}, the account of shared mailbox "${address}"; it is exported as a sign-in exception (reason "${SIGN_IN_FOUND_REASON}"): nobody should sign in to a shared mailbox (R4.1), so confirm why it must and write that reason, or remove signIn and the plan blocks sign-in`,
      );
    }
    const settings = mailboxSettings(m);
    const extraAddresses = settings.emailAddresses.filter((a) => ADDRESS.test(a) && domains.has(domainOf(a)) && a !== address);
    const strayAddresses = settings.emailAddresses.filter((a) => !extraAddresses.includes(a) && a !== address);
    if (strayAddresses.length > 0) {
      note("export_email_addresses_left_out", address, `mailbox "${address}" has extra addresses outside the tenant's domains (${strayAddresses.join(", ")}), which a desired-state document cannot declare; they are left out of emailAddresses, so the plan would remove them: add their domains to tenant.domains if they should stay`);
    }
    if (ours && m.managementTag !== formatManagementTag({ stack, removal: "delete" })) {
      note("export_tag_rewritten", address, `mailbox "${address}" carries management tag "${m.managementTag ?? ""}"; the plan will rewrite it as "${formatManagementTag({ stack, removal: "delete" })}" (same meaning)`);
    }

    const fullAccess: FullAccessGrant[] = [];
    const sendAs: string[] = [];
    const sendOnBehalf: string[] = [];
    const dropped: string[] = [];
    for (const g of list) {
      const v = g.trustee === address ? "self" : verdict(g.trustee);
      if (v !== "ok") {
        dropped.push(`${g.right} of "${g.trustee}" (${DROP_REASON[v]})`);
        continue;
      }
      if (g.right === "FullAccess") fullAccess.push({ trustee: g.trustee, autoMapping: g.autoMapping ?? true });
      else if (g.right === "SendAs") sendAs.push(g.trustee);
      else sendOnBehalf.push(g.trustee);
    }
    if (dropped.length > 0) {
      note(
        "export_grants_left_out",
        address,
        `mailbox "${address}" has grants the plan would refuse to declare (R3.7, R3.8): ${dropped.join(", ")}; they are left out and the mailbox is exported with permissionsMode "additive", so nothing is revoked; remove them (Remove-MailboxPermission, Remove-RecipientPermission, Set-Mailbox -GrantSendOnBehalfTo) or restore the users, then make it authoritative`,
      );
    }

    const local = address.slice(0, address.lastIndexOf("@"));
    return {
      address,
      displayName: m.displayName,
      // the service derives the alias from the local part: only a different one is worth declaring
      ...(m.alias !== local && ALIAS.test(m.alias) ? { alias: m.alias } : {}),
      origin: "new",
      fullAccess,
      sendAs,
      sendOnBehalf,
      permissionsMode: dropped.length > 0 ? "additive" : "authoritative",
      licenses,
      litigationHold: m.litigationHold,
      archive: m.archive,
      removalPolicy: ours ? "delete" : "retain",
      ...(signInAllowed ? { signIn: { allowed: true, reason: SIGN_IN_FOUND_REASON } } : {}),
      hiddenFromAddressLists: settings.hiddenFromAddressLists,
      emailAddresses: extraAddresses,
      messageCopyForSentAs: settings.messageCopyForSentAs,
      messageCopyForSendOnBehalf: settings.messageCopyForSendOnBehalf,
    };
  }

  const tenantDomains = domainList.length > 0 ? domainList : ["invalid.example"];
  const doc: DesiredState = {
    formatVersion: 1,
    stack,
    tenant: { id: observed.tenant.id, domains: [tenantDomains[0]!, ...tenantDomains.slice(1)] },
    sharedMailboxes: shared,
    userMailboxes: [],
  };
  return { desired: canonicalize(doc), diagnostics };
}

const DROP_REASON: Readonly<Record<Exclude<TrusteeVerdict, "ok"> | "self", string>> = {
  deleted: "a deleted user",
  missing: "not a user in the tenant",
  outside: "outside the tenant's domains",
  malformed: "not a user principal name",
  self: "the mailbox itself",
};

/** Errors for --mailbox names that are not live shared mailboxes, saying what each one is instead. */
function unknownMailboxes(only: ReadonlySet<string>, mailboxes: readonly ObservedMailbox[]): Diagnostic[] {
  const found = new Map<string, ObservedMailbox>();
  for (const m of mailboxes) {
    if (!only.has(m.address)) continue;
    const prior = found.get(m.address);
    if (prior === undefined || prior.deletedAt !== null) found.set(m.address, m);
  }
  const out: Diagnostic[] = [];
  for (const address of [...only].sort(compareStrings)) {
    const m = found.get(address);
    if (m !== undefined && m.deletedAt === null && m.type === "shared") continue;
    const what =
      m === undefined
        ? "is not a mailbox in the tenant; check the address"
        : m.deletedAt !== null
          ? `is soft-deleted (since ${m.deletedAt}); restore it first, or leave it out`
          : "is a person's user mailbox; exoform exports shared mailboxes only (declare a conversion with origin \"convert\" by hand)";
    out.push({ severity: "error", code: "export_unknown_mailbox", target: address, message: `--mailbox ${address} ${what}` });
  }
  return out;
}

/**
 * A stack name (schema: letters, digits, - and _, at most 64, starting with a
 * letter or digit) made from a tenant id: "contoso.onmicrosoft.com" ->
 * "contoso-onmicrosoft-com".
 */
export function stackNameFor(tenantId: string): string {
  const name = tenantId
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 64)
    .replace(/[-_]+$/, "");
  return STACK_NAME.test(name) ? name : "tenant";
}
