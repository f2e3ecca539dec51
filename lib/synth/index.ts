/**
 * lib/synth: the synthesized output format and its reader. A stack is
 * written as standard Terraform JSON (cdktf.out/stacks/<stack>/cdk.tf.json)
 * in which the tenant and every mailbox are null_resources whose triggers
 * hold the canonical desired state (format.ts documents the encoding);
 * read.ts turns those files back into desired-state documents. Nothing here
 * imports cdktf: only lib/constructs does, to write the files.
 */
export * from "./format.js";
export * from "./read.js";
