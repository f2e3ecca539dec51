/**
 * lib/constructs: the authoring API. A TenantStack (a cdktf TerraformStack)
 * holds SharedMailbox and UserMailbox constructs; constructors reject misuse
 * with every problem at once, the stack checks cross-mailbox rules before
 * synth, and synth writes standard Terraform JSON that lib/synth reads back
 * into the desired-state document. The only folder that imports cdktf.
 */
export { TenantStack, type TenantStackProps, type IgnoreRuleProps } from "./tenant-stack.js";
export {
  SharedMailbox,
  MailboxOrigin,
  RemovalPolicy,
  PermissionsMode,
  type SharedMailboxProps,
  type SignInProps,
  type FullAccessGrantProps,
  type FullAccessOptions,
} from "./shared-mailbox.js";
export { UserMailbox, type UserMailboxProps } from "./user-mailbox.js";
export { ConstructMisuseError } from "./misuse.js";
export { Testing } from "./testing.js";
