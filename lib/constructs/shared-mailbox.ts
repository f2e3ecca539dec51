import { resource } from "@cdktf/provider-null";
import { Construct } from "constructs";
import type { SharedMailboxSpec } from "../model/generated/desired-state.js";
import { canonicalSharedMailbox, lower, type CanonicalSharedMailbox } from "../model/normalize.js";
import { checkSharedMailboxSpec, trusteeProblems, type GrantList, type Problem } from "../model/validate.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { problemAt, throwIfErrors } from "./misuse.js";
import { unknownProps, type PropNames } from "./props.js";
import { TenantStack, type StackMailbox } from "./tenant-stack.js";

const SHARED_MAILBOX = Symbol.for("exoform.SharedMailbox");

const SHARED_MAILBOX_PROPS = {
  address: true, previousAddresses: true, displayName: true, alias: true, origin: true, members: true, fullAccess: true, sendAs: true, sendOnBehalf: true,
  permissionsMode: true, license: true, licenses: true, usageLocation: true, litigationHold: true, archive: true, removalPolicy: true,
  signIn: true, hiddenFromAddressLists: true, emailAddresses: true, messageCopyForSentAs: true, messageCopyForSendOnBehalf: true,
} as const satisfies PropNames<SharedMailboxProps>;
const FULL_ACCESS_PROPS = { trustee: true, autoMapping: true } as const satisfies PropNames<FullAccessGrantProps>;
const SIGN_IN_PROPS = { allowed: true, reason: true } as const satisfies PropNames<SignInProps>;

/** Where a shared mailbox comes from. */
export const MailboxOrigin = {
  /** Create it. */
  NEW: "new",
  /** The address is today a person's mailbox (or a soft-deleted person's) and must become shared. */
  CONVERT: "convert",
} as const;
export type MailboxOrigin = (typeof MailboxOrigin)[keyof typeof MailboxOrigin];

/** What happens to a mailbox once it leaves the code. */
export const RemovalPolicy = {
  /** Leaving the code does nothing to it. */
  RETAIN: "retain",
  /** Leaving the code deletes it (explicit opt-in; the plan marks it destructive). */
  DELETE: "delete",
} as const;
export type RemovalPolicy = (typeof RemovalPolicy)[keyof typeof RemovalPolicy];

/** How the grants listed here relate to grants found in the tenant. */
export const PermissionsMode = {
  /** Trustees not listed are revoked. */
  AUTHORITATIVE: "authoritative",
  /** Listed grants are added; nothing is ever revoked. */
  ADDITIVE: "additive",
} as const;
export type PermissionsMode = (typeof PermissionsMode)[keyof typeof PermissionsMode];

export interface FullAccessOptions {
  /**
   * Outlook opens the mailbox automatically for the trustee (R3.5).
   * @default true
   */
  readonly autoMapping?: boolean;
}

export interface FullAccessGrantProps extends FullAccessOptions {
  /** The trustee's UPN, e.g. "ann.lee@contoso.com". */
  readonly trustee: string;
}

export interface SharedMailboxProps {
  /** The primary SMTP address: the mailbox's identity, e.g. "support@contoso.com". */
  readonly address: string;
  /**
   * Primary addresses the mailbox had before a rename. To rename, change
   * `address` and list the old one here: the mailbox found at it today is
   * this mailbox, and gets `address` as its primary (the old address keeps
   * receiving mail as an extra address). Without it, a changed address is a
   * new mailbox, and the old one is left alone (or deleted, with removalPolicy "delete").
   * @default - none
   */
  readonly previousAddresses?: readonly string[];
  /** The name people see, at most 256 characters. */
  readonly displayName: string;
  /**
   * Exchange alias: at most 64 letters, digits and !#%*+-/=?^_~ (R5.1).
   * @default - Exchange derives it from the address
   */
  readonly alias?: string;
  /**
   * "new" creates the mailbox; "convert" turns the person's mailbox at this address into a shared one.
   * @default "new"
   */
  readonly origin?: MailboxOrigin;
  /**
   * People who work in the mailbox: each gets FullAccess (autoMapping on) and SendAs.
   * @default - none
   */
  readonly members?: readonly string[];
  /**
   * FullAccess grants beyond the members: a UPN, or { trustee, autoMapping }.
   * @default - none
   */
  readonly fullAccess?: readonly (string | FullAccessGrantProps)[];
  /**
   * SendAs grants beyond the members.
   * @default - none
   */
  readonly sendAs?: readonly string[];
  /**
   * SendOnBehalf grants (mail shows "X on behalf of Y").
   * @default - none
   */
  readonly sendOnBehalf?: readonly string[];
  /**
   * "authoritative" revokes trustees not listed; "additive" never revokes.
   * @default "authoritative"
   */
  readonly permissionsMode?: PermissionsMode;
  /**
   * The one SKU part number the mailbox's anchor account holds, or "none":
   * shorthand for `licenses` with one item. Give `license` or `licenses`, not both.
   * @default "none"
   */
  readonly license?: string;
  /**
   * Every SKU part number the anchor account holds, e.g.
   * ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"]: Plan 1 with the archiving
   * add-on allows litigation hold and an archive (R1.6). The add-on alone is
   * not a mailbox licence and is refused.
   * @default - none
   */
  readonly licenses?: readonly string[];
  /**
   * Usage location (ISO 3166 alpha-2) given to the account if it must be
   * licensed and has none (R7.1).
   * @default - the stack's usageLocation
   */
  readonly usageLocation?: string;
  /**
   * Put the mailbox on litigation hold (needs Plan 2, or Plan 1 + archiving: R1.6).
   * @default false
   */
  readonly litigationHold?: boolean;
  /**
   * Enable the in-place archive (needs Plan 2, or Plan 1 + archiving: R1.6).
   * @default false
   */
  readonly archive?: boolean;
  /**
   * What happens when the mailbox leaves the code. "delete" is refused for converted mailboxes.
   * @default "retain"
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Whether people may sign in to the mailbox's account. Nobody should sign
   * in to a shared mailbox (R4.1), so it is blocked unless an exception is
   * declared with the reason it is needed, e.g.
   * { allowed: true, reason: "the scanner sends as this mailbox" }.
   * A policy can forbid exceptions (forbidSignInExceptions).
   * @default - blocked
   */
  readonly signIn?: SignInProps;
  /**
   * Hide the mailbox from the address lists.
   * @default false
   */
  readonly hiddenFromAddressLists?: boolean;
  /**
   * Extra SMTP addresses the mailbox also receives mail at, in the tenant's
   * domains, e.g. ["helpdesk@contoso.com"]; the primary address is `address`.
   * @default - none
   */
  readonly emailAddresses?: readonly string[];
  /**
   * Keep a copy of mail sent as the mailbox in its own Sent Items, so the
   * team sees what was sent.
   * @default false
   */
  readonly messageCopyForSentAs?: boolean;
  /**
   * Keep a copy of mail sent on behalf of the mailbox in its own Sent Items.
   * @default false
   */
  readonly messageCopyForSendOnBehalf?: boolean;
}

/** A sign-in exception, or `{ allowed: false }` (the default: blocked). */
export interface SignInProps {
  /** true: the account may sign in (an exception, with a reason); false: blocked. */
  readonly allowed: boolean;
  /**
   * Why the account must sign in; required when `allowed` is true, shown in plans and reviews.
   * @default - none (only allowed when sign-in is blocked)
   */
  readonly reason?: string;
}

/**
 * A shared mailbox and who may use it. Its identity is `address`: the
 * construct id only names it in the program, and renaming the id changes
 * nothing in the tenant.
 *
 * @example
 * const support = new SharedMailbox(stack, "Support", {
 *   address: "support@contoso.com",
 *   displayName: "Contoso Support",
 *   members: ["ann.lee@contoso.com"],
 * });
 * support.grantSendOnBehalf("dev.patel@contoso.com");
 */
export class SharedMailbox extends Construct implements StackMailbox {
  /** True for a SharedMailbox from any copy of this library. */
  static isSharedMailbox(x: unknown): x is SharedMailbox {
    return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[SHARED_MAILBOX] === true;
  }

  /** The address, lower-cased. */
  readonly address: string;
  readonly kind = "sharedMailbox" as const;
  /** @internal The null_resource carrying this mailbox in cdk.tf.json. */
  readonly resource: resource.Resource;

  private readonly props: SharedMailboxProps;
  private readonly stack: TenantStack;
  private readonly fullAccessGrants = new Map<string, boolean>();
  private readonly sendAsGrants = new Set<string>();
  private readonly sendOnBehalfGrants = new Set<string>();
  private readonly memberSet = new Set<string>();

  constructor(scope: Construct, id: string, props: SharedMailboxProps) {
    super(scope, id);
    Object.defineProperty(this, SHARED_MAILBOX, { value: true });
    this.stack = TenantStack.of(this);
    this.props = props;
    this.address = lower(props.address);

    const here = this.node.path;
    const unknown = [
      ...unknownProps(props, SHARED_MAILBOX_PROPS, `SharedMailbox "${here}"`, here, this.address),
      ...(props.fullAccess ?? []).flatMap((g, i) => (typeof g === "object" && g !== null ? unknownProps(g, FULL_ACCESS_PROPS, `fullAccess[${i}] of SharedMailbox "${here}"`, here, this.address) : [])),
      ...(typeof props.signIn === "object" && props.signIn !== null ? unknownProps(props.signIn, SIGN_IN_PROPS, `signIn of SharedMailbox "${here}"`, here, this.address) : []),
    ];
    const problems: Problem[] = [];
    for (const m of props.members ?? []) problems.push(...this.add("members", m, true));
    for (const g of props.fullAccess ?? []) {
      const grant = typeof g === "string" ? { trustee: g } : g;
      problems.push(...this.add("fullAccess", grant.trustee, grant.autoMapping ?? true));
    }
    for (const t of props.sendAs ?? []) problems.push(...this.add("sendAs", t));
    for (const t of props.sendOnBehalf ?? []) problems.push(...this.add("sendOnBehalf", t));
    const diagnostics: Diagnostic[] = [
      ...unknown,
      ...problems.map((p) => problemAt(this.node.path, this.address, p)),
      ...checkSharedMailboxSpec(this.toSpec(), this.stack.domains, this.node.path),
    ];
    throwIfErrors(`invalid SharedMailbox "${this.node.path}" (${this.address})`, diagnostics);

    this.resource = new resource.Resource(this, "Resource");
    this.stack._registerMailbox(this);
  }

  /** Give `trustee` FullAccess (read and change everything, not send: R3.2). */
  grantFullAccess(trustee: string, options: FullAccessOptions = {}): this {
    return this.grant("fullAccess", trustee, options.autoMapping ?? true);
  }

  /** Let `trustee` send as the mailbox. */
  grantSendAs(trustee: string): this {
    return this.grant("sendAs", trustee);
  }

  /** Let `trustee` send on behalf of the mailbox. */
  grantSendOnBehalf(trustee: string): this {
    return this.grant("sendOnBehalf", trustee);
  }

  /** Make `trustee` a member: FullAccess (autoMapping on) and SendAs. */
  addMember(trustee: string): this {
    return this.grant("members", trustee);
  }

  /** The members: trustees given FullAccess and SendAs together through `members` or addMember. */
  get members(): readonly string[] {
    return [...this.memberSet];
  }

  /** The spec as declared (defaults not applied). */
  toSpec(): SharedMailboxSpec {
    const p = this.props;
    return {
      address: p.address,
      ...(p.previousAddresses !== undefined ? { previousAddresses: [...p.previousAddresses] } : {}),
      displayName: p.displayName,
      ...(p.alias !== undefined ? { alias: p.alias } : {}),
      ...(p.origin !== undefined ? { origin: p.origin } : {}),
      fullAccess: [...this.fullAccessGrants].map(([trustee, autoMapping]) => ({ trustee, autoMapping })),
      sendAs: [...this.sendAsGrants],
      sendOnBehalf: [...this.sendOnBehalfGrants],
      ...(p.permissionsMode !== undefined ? { permissionsMode: p.permissionsMode } : {}),
      ...(p.license !== undefined ? { license: p.license } : {}),
      ...(p.licenses !== undefined ? { licenses: [...p.licenses] } : {}),
      ...(p.usageLocation !== undefined ? { usageLocation: p.usageLocation } : {}),
      ...(p.litigationHold !== undefined ? { litigationHold: p.litigationHold } : {}),
      ...(p.archive !== undefined ? { archive: p.archive } : {}),
      ...(p.removalPolicy !== undefined ? { removalPolicy: p.removalPolicy } : {}),
      ...(p.signIn !== undefined ? { signIn: { allowed: p.signIn.allowed, ...(p.signIn.reason !== undefined ? { reason: p.signIn.reason } : {}) } } : {}),
      ...(p.hiddenFromAddressLists !== undefined ? { hiddenFromAddressLists: p.hiddenFromAddressLists } : {}),
      ...(p.emailAddresses !== undefined ? { emailAddresses: [...p.emailAddresses] } : {}),
      ...(p.messageCopyForSentAs !== undefined ? { messageCopyForSentAs: p.messageCopyForSentAs } : {}),
      ...(p.messageCopyForSendOnBehalf !== undefined ? { messageCopyForSendOnBehalf: p.messageCopyForSendOnBehalf } : {}),
    };
  }

  canonicalSpec(): CanonicalSharedMailbox {
    return canonicalSharedMailbox(this.toSpec());
  }

  private grant(list: GrantList | "members", trustee: string, autoMapping = true): this {
    // check before recording, so a refused grant leaves the mailbox unchanged
    const problems = trusteeProblems(this.address, list === "members" ? "fullAccess" : list, trustee, this.stack.domains);
    if (problems.length === 0) problems.push(...this.add(list, trustee, autoMapping));
    throwIfErrors(
      `invalid grant on SharedMailbox "${this.node.path}" (${this.address})`,
      problems.map((p) => problemAt(this.node.path, this.address, p)),
    );
    return this;
  }

  /** Record a grant; a trustee already holding it is a problem (and is not recorded twice). */
  private add(list: GrantList | "members", rawTrustee: string, autoMapping = true): Problem[] {
    const trustee = lower(rawTrustee);
    const problem = (code: string, message: string): Problem[] => [{ code, message: `mailbox "${this.address}": ${message}` }];
    if (list === "members") {
      if (this.memberSet.has(trustee)) return problem("duplicate_member", `"${trustee}" is listed twice in members; list each member once`);
      const clash = this.fullAccessGrants.has(trustee) ? "fullAccess" : this.sendAsGrants.has(trustee) ? "sendAs" : undefined;
      if (clash) return problem("member_also_granted", `"${trustee}" is a member and is also given ${clash}; a member already has FullAccess and SendAs, so remove it from ${clash}`);
      this.memberSet.add(trustee);
      this.fullAccessGrants.set(trustee, true);
      this.sendAsGrants.add(trustee);
      return [];
    }
    const held = list === "fullAccess" ? this.fullAccessGrants.has(trustee) : list === "sendAs" ? this.sendAsGrants.has(trustee) : this.sendOnBehalfGrants.has(trustee);
    if (held) {
      return this.memberSet.has(trustee) && list !== "sendOnBehalf"
        ? problem("member_also_granted", `"${trustee}" is a member and is also given ${list}; a member already has FullAccess and SendAs, so remove it from ${list}`)
        : problem("duplicate_trustee", `"${trustee}" is given ${list} twice; grant it once`);
    }
    if (list === "fullAccess") this.fullAccessGrants.set(trustee, autoMapping);
    else if (list === "sendAs") this.sendAsGrants.add(trustee);
    else this.sendOnBehalfGrants.add(trustee);
    return [];
  }
}
