/**
 * The simulated tenant's provider writes, by the operation name its log
 * records (everything it logs that is not a read, admin.* or system.*). A
 * module of its own so that the child script imports nothing else.
 */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  "createSharedMailbox",
  "setMailboxType",
  "updateMailbox",
  "removeMailbox",
  "addMailboxPermission",
  "removeMailboxPermission",
  "addRecipientPermission",
  "removeRecipientPermission",
  "setSendOnBehalf",
  "assignLicense",
  "setUsageLocation",
  "setAccountEnabled",
  "resetPassword",
  "restoreUser",
]);
