import { createHash } from "node:crypto";
import { provider, resource } from "@cdktf/provider-null";
import { LocalBackend, TerraformStack } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { DesiredState, IgnoreRule, SharedMailboxSpec, UserMailboxSpec } from "../model/generated/desired-state.js";
import { DESIRED_FORMAT_VERSION, canonicalize, lower } from "../model/normalize.js";
import { validateDesiredState } from "../model/validate.js";
import { formatDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { compareStrings } from "../private/canonical-json.js";
import { encodeTriggers, tenantTriggers, type ResourceKind } from "../synth/format.js";
import { ConstructMisuseError, throwIfErrors } from "./misuse.js";
import { unknownProps, type PropNames } from "./props.js";

const TENANT_STACK = Symbol.for("exoform.TenantStack");
const TENANT_STACK_PROPS = { tenantId: true, domains: true, usageLocation: true, ignore: true } as const satisfies PropNames<TenantStackProps>;
const IGNORE_RULE_PROPS = { mailbox: true, field: true, reason: true } as const satisfies PropNames<IgnoreRuleProps>;

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const DOMAIN = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const USAGE_LOCATION = /^[A-Z]{2}$/;

/** A known exception drift detection does not report. */
export interface IgnoreRuleProps {
  /** Mailbox address, or "*" for every mailbox. */
  readonly mailbox: string;
  /**
   * The field to ignore (fullAccess, sendAs, sendOnBehalf, accountEnabled, license, type).
   * @default - every field of the mailbox
   */
  readonly field?: string;
  /**
   * Why, for the people reading drift reports.
   * @default - no reason recorded
   */
  readonly reason?: string;
}

export interface TenantStackProps {
  /** The tenant id or initial domain name, e.g. "contoso". */
  readonly tenantId: string;
  /**
   * The accepted domains the tenant owns, e.g. ["contoso.com"]. Every mailbox
   * address and every trustee must be in one of them (R3.8).
   */
  readonly domains: readonly string[];
  /**
   * Usage location (ISO 3166 alpha-2, e.g. "US") given to a mailbox account
   * exoform must license that has none: Microsoft 365 licenses only accounts
   * with one (R7.1). New shared mailbox accounts start without one.
   * @default - none: licensing such an account is a plan error that says to set it
   */
  readonly usageLocation?: string;
  /**
   * Known exceptions drift detection does not report.
   * @default - none
   */
  readonly ignore?: readonly IgnoreRuleProps[];
}

/**
 * What a mailbox construct gives its stack. Implemented by SharedMailbox and
 * UserMailbox; not meant for other implementations.
 * @internal
 */
export interface StackMailbox extends IConstruct {
  readonly address: string;
  readonly kind: Exclude<ResourceKind, "tenant">;
  /** The null_resource that carries the mailbox in cdk.tf.json. */
  readonly resource: resource.Resource;
  toSpec(): SharedMailboxSpec | UserMailboxSpec;
  /** The canonical spec: what the resource's triggers carry. */
  canonicalSpec(): object;
}

/**
 * One tenant's desired state: a cdktf TerraformStack whose name (the
 * construct id) scopes the mailboxes exoform manages, e.g. "contoso".
 *
 * Synthesizes standard Terraform JSON (cdktf.out/stacks/<name>/cdk.tf.json)
 * in which the tenant and each mailbox is a null_resource carrying its
 * canonical spec in `triggers` (lib/synth/format.ts). A mailbox's identity is
 * its `address`, never its construct id: renaming a construct id changes
 * nothing in the tenant (the resource's logical id is derived from the
 * address too). Renaming the stack does: it is the scope exoform remembers
 * deletable mailboxes under.
 */
export class TenantStack extends TerraformStack {
  /** True for a TenantStack from any copy of this library. */
  static isTenantStack(x: unknown): x is TenantStack {
    return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[TENANT_STACK] === true;
  }

  /** The TenantStack that encloses `construct` (or is it); throws when there is none. */
  static override of(construct: IConstruct): TenantStack {
    const scopes = construct.node.scopes;
    for (let i = scopes.length - 1; i >= 0; i--) {
      const s = scopes[i];
      if (TenantStack.isTenantStack(s)) return s;
    }
    const path = construct.node.path || "<root>";
    throw new ConstructMisuseError(`construct "${path}" is outside any TenantStack`, [
      { severity: "error", code: "no_tenant_stack", target: "", location: path, message: 'no TenantStack encloses this construct; create mailboxes inside a TenantStack, e.g. new SharedMailbox(stack, "Support", {...})' },
    ]);
  }

  /** The stack name (the construct id). */
  readonly stackName: string;
  readonly tenantId: string;
  /** The tenant's domains, lower-cased. */
  readonly domains: readonly string[];
  /** The default usage location for accounts exoform licenses, if set. */
  readonly usageLocation: string | undefined;

  private readonly ignoreRules: IgnoreRule[] = [];
  private readonly mailboxes: StackMailbox[] = [];
  private readonly tenantResource: resource.Resource;

  constructor(scope: Construct, id: string, props: TenantStackProps) {
    const problems: Diagnostic[] = [];
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    const bad = (code: string, message: string) => problems.push({ severity: "error", code, target: "", location: path, message });
    problems.push(...unknownProps(props, TENANT_STACK_PROPS, `TenantStack "${path}"`, path, ""));
    (props.ignore ?? []).forEach((r, i) => problems.push(...unknownProps(r, IGNORE_RULE_PROPS, `ignore[${i}] of TenantStack "${path}"`, path, "")));
    if (!STACK_NAME.test(id)) bad("bad_stack_name", `stack name "${id}" is not valid: a stack name has letters, digits, - and _, at most 64, and starts with a letter or digit`);
    if (scope.node.scopes.some((s) => TenantStack.isTenantStack(s))) bad("nested_stack", `TenantStack "${id}" is inside another TenantStack; create each TenantStack directly in the App`);
    if (!props.tenantId) bad("bad_tenant", "tenantId must not be empty; use the tenant id or initial domain name, e.g. \"contoso\"");
    if (props.domains.length === 0) bad("bad_tenant", "domains must list at least one domain the tenant owns, e.g. [\"contoso.com\"]");
    const seen = new Set<string>();
    for (const d of props.domains) {
      if (!DOMAIN.test(d)) bad("bad_tenant", `domain "${d}" is not valid: expected a domain name such as contoso.com`);
      if (seen.has(lower(d))) bad("bad_tenant", `domain "${lower(d)}" is listed twice in domains`);
      seen.add(lower(d));
    }
    if (props.usageLocation !== undefined && !USAGE_LOCATION.test(props.usageLocation)) {
      bad("bad_tenant", `usageLocation "${props.usageLocation}" is not valid: expected an ISO 3166 alpha-2 country code such as "US"`);
    }
    throwIfErrors(`invalid TenantStack "${path}"`, problems);

    super(scope, id);
    Object.defineProperty(this, TENANT_STACK, { value: true });
    this.stackName = id;
    this.tenantId = props.tenantId;
    this.domains = [...seen];
    this.usageLocation = props.usageLocation;
    for (const rule of props.ignore ?? []) this.addIgnore(rule);

    // Relative state path: no machine-specific absolute path lands in cdk.tf.json.
    new LocalBackend(this, { path: "terraform.tfstate" });
    new provider.NullProvider(this, "null");
    this.tenantResource = new resource.Resource(this, "Tenant");
    this.tenantResource.overrideLogicalId("exoform_tenant");

    // Cross-object rules (duplicate addresses, shared and user at once...) need
    // every mailbox: checked once the program has declared them all.
    this.node.addValidation({ validate: () => this.validateDesiredState().filter((d) => d.severity === "error").map(formatDiagnostic) });
  }

  /** Add a known exception drift detection does not report. */
  addIgnore(rule: IgnoreRuleProps): void {
    if (rule.mailbox !== "*" && !/^[^@\s]+@[^@\s]+$/.test(rule.mailbox)) {
      throwIfErrors(`invalid ignore rule in TenantStack "${this.node.path}"`, [
        { severity: "error", code: "bad_ignore_rule", target: rule.mailbox, location: this.node.path, message: `ignore rule mailbox "${rule.mailbox}" must be a mailbox address or "*"` },
      ]);
    }
    this.ignoreRules.push({
      mailbox: rule.mailbox,
      ...(rule.field !== undefined ? { field: rule.field } : {}),
      ...(rule.reason !== undefined ? { reason: rule.reason } : {}),
    });
  }

  /** @internal Called by mailbox constructors. */
  _registerMailbox(mailbox: StackMailbox): void {
    this.mailboxes.push(mailbox);
  }

  /** The desired-state document this stack declares, as written (canonicalize it for the canonical form). */
  toDesiredState(): DesiredState {
    const shared: SharedMailboxSpec[] = [];
    const users: UserMailboxSpec[] = [];
    for (const m of this.mailboxes) {
      if (m.kind === "sharedMailbox") shared.push(m.toSpec() as SharedMailboxSpec);
      else users.push(m.toSpec() as UserMailboxSpec);
    }
    return {
      formatVersion: DESIRED_FORMAT_VERSION,
      stack: this.stackName,
      tenant: {
        id: this.tenantId,
        domains: this.domains as [string, ...string[]],
        ...(this.usageLocation !== undefined ? { usageLocation: this.usageLocation } : {}),
      },
      sharedMailboxes: shared,
      userMailboxes: users,
      ...(this.ignoreRules.length > 0 ? { ignore: [...this.ignoreRules] } : {}),
    };
  }

  /**
   * Every diagnostic validateDesiredState finds in this stack, located at the
   * construct path of the mailbox concerned rather than a document index.
   */
  validateDesiredState(): Diagnostic[] {
    const doc = this.toDesiredState();
    const byList = {
      sharedMailboxes: this.mailboxes.filter((m) => m.kind === "sharedMailbox"),
      userMailboxes: this.mailboxes.filter((m) => m.kind === "userMailbox"),
    };
    const source = this.node.path;
    const pointer = new RegExp(`${escapeRegExp(source)}#/(sharedMailboxes|userMailboxes)/(\\d+)(?:/[A-Za-z0-9_]+)*`, "g");
    const toPath = (text: string) =>
      text.replace(pointer, (whole, list: keyof typeof byList, index: string) => byList[list][Number(index)]?.node.path ?? whole);
    return validateDesiredState(doc, source).diagnostics.map((d) => ({
      ...d,
      message: toPath(d.message),
      ...(d.location !== undefined ? { location: toPath(d.location) } : {}),
    }));
  }

  /**
   * Before cdktf resolves the stack: put each mailbox's canonical spec into
   * its resource's triggers and give the resource a logical id derived from
   * its address, so cdk.tf.json lists mailboxes in address order and does
   * not change when a construct id does.
   */
  override prepareStack(): void {
    this.tenantResource.triggers = tenantTriggers(canonicalize(this.toDesiredState()));
    const used = new Set<string>();
    const sorted = [...this.mailboxes].sort((a, b) => compareStrings(a.address, b.address) || compareStrings(a.node.path, b.node.path));
    for (const m of sorted) {
      m.resource.triggers = encodeTriggers(m.kind, m.canonicalSpec());
      m.resource.overrideLogicalId(logicalId(m.kind === "sharedMailbox" ? "shared" : "user", m.address, used));
    }
    super.prepareStack();
  }
}

/** "shared_support_contoso_com"; made unique with a digest of the address when two addresses read alike. */
function logicalId(prefix: string, address: string, used: Set<string>): string {
  const base = `${prefix}_${address.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  let id = base;
  for (let n = 0; used.has(id); n++) {
    id = `${base}_${createHash("sha256").update(`${address}#${n}`).digest("hex").slice(0, 8)}`;
  }
  used.add(id);
  return id;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
