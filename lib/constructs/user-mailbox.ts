import { resource } from "@cdktf/provider-null";
import { Construct } from "constructs";
import type { UserMailboxSpec } from "../model/generated/desired-state.js";
import { canonicalUserMailbox, lower, type CanonicalUserMailbox } from "../model/normalize.js";
import { checkUserMailboxSpec } from "../model/validate.js";
import { throwIfErrors } from "./misuse.js";
import { unknownProps, type PropNames } from "./props.js";
import { TenantStack, type StackMailbox } from "./tenant-stack.js";

const USER_MAILBOX = Symbol.for("exoform.UserMailbox");
const USER_MAILBOX_PROPS = { address: true, license: true } as const satisfies PropNames<UserMailboxProps>;

export interface UserMailboxProps {
  /** The person's address (UPN), e.g. "kim.nguyen@contoso.com". */
  readonly address: string;
  /** The SKU part number the person's mailbox gets back, e.g. "EXCHANGESTANDARD". */
  readonly license: string;
}

/**
 * A mailbox that must be a person's again: if it is shared today (say it was
 * converted when they left and they are back), exoform converts it back to a
 * user mailbox and licenses it (R1.12). Identity is `address`.
 */
export class UserMailbox extends Construct implements StackMailbox {
  /** True for a UserMailbox from any copy of this library. */
  static isUserMailbox(x: unknown): x is UserMailbox {
    return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[USER_MAILBOX] === true;
  }

  /** The address, lower-cased. */
  readonly address: string;
  readonly license: string;
  readonly kind = "userMailbox" as const;
  /** @internal The null_resource carrying this mailbox in cdk.tf.json. */
  readonly resource: resource.Resource;

  private readonly props: UserMailboxProps;

  constructor(scope: Construct, id: string, props: UserMailboxProps) {
    super(scope, id);
    Object.defineProperty(this, USER_MAILBOX, { value: true });
    const stack = TenantStack.of(this);
    this.props = props;
    this.address = lower(props.address);
    this.license = props.license;
    throwIfErrors(`invalid UserMailbox "${this.node.path}" (${this.address})`, [
      ...unknownProps(props, USER_MAILBOX_PROPS, `UserMailbox "${this.node.path}"`, this.node.path, this.address),
      ...checkUserMailboxSpec(this.toSpec(), stack.domains, this.node.path),
    ]);
    this.resource = new resource.Resource(this, "Resource");
    stack._registerMailbox(this);
  }

  toSpec(): UserMailboxSpec {
    return { address: this.props.address, license: this.props.license };
  }

  canonicalSpec(): CanonicalUserMailbox {
    return canonicalUserMailbox(this.toSpec());
  }
}
