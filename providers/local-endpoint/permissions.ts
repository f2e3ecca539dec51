/**
 * The permissions and directory roles the local endpoint checks, named as
 * Microsoft names them (../shared/docs/microsoft-apis.md §4), and the two
 * app registrations `exoform tenant serve` makes: one that may apply, one
 * that may only read (plan, drift, export).
 */

/** Directory role template ids, as tokens carry them in `wids`. */
export const ROLE = {
  exchangeAdministrator: "29232cdf-9323-42fd-ade2-1d097af3e4de",
  exchangeRecipientAdministrator: "31392ffb-586c-42d1-9346-e59415a2cc4e",
  globalReader: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
  userAdministrator: "fe930be7-5e62-47db-91af-98c3a49a38b1",
  licenseAdministrator: "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
  privilegedAuthenticationAdministrator: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
} as const;

/** Role names for messages, by template id. */
export const ROLE_NAMES: Readonly<Record<string, string>> = {
  [ROLE.exchangeAdministrator]: "Exchange Administrator",
  [ROLE.exchangeRecipientAdministrator]: "Exchange Recipient Administrator",
  [ROLE.globalReader]: "Global Reader",
  [ROLE.userAdministrator]: "User Administrator",
  [ROLE.licenseAdministrator]: "License Administrator",
  [ROLE.privilegedAuthenticationAdministrator]: "Privileged Authentication Administrator",
};

/** Application permissions (the token's `roles`). */
export const PERMISSION = {
  userReadAll: "User.Read.All",
  userReadWriteAll: "User.ReadWrite.All",
  userEnableDisable: "User.EnableDisableAccount.All",
  userPasswordProfile: "User-PasswordProfile.ReadWrite.All",
  userDeleteRestore: "User.DeleteRestore.All",
  userRevokeSessions: "User.RevokeSessions.All",
  groupReadAll: "Group.Read.All",
  groupMemberReadAll: "GroupMember.Read.All",
  licenseAssignment: "LicenseAssignment.ReadWrite.All",
  licenseRead: "LicenseAssignment.Read.All",
  organizationRead: "Organization.Read.All",
  directoryReadAll: "Directory.Read.All",
  directoryReadWriteAll: "Directory.ReadWrite.All",
  exchangeManageAsApp: "Exchange.ManageAsApp",
} as const;

/** The resources tokens are issued for: the public cloud's, whatever origin serves them (docs/decisions/0008). */
export const RESOURCE = {
  graph: "https://graph.microsoft.com",
  exchange: "https://outlook.office365.com",
} as const;

export interface AppPermissions {
  readonly graph: readonly string[];
  readonly exchange: readonly string[];
  readonly wids: readonly string[];
}

/** What the apply client holds: every write exoform makes (least privilege, microsoft-apis.md §4). */
export const APPLY_APP: AppPermissions = {
  graph: [
    PERMISSION.userReadAll,
    PERMISSION.userReadWriteAll,
    PERMISSION.userEnableDisable,
    PERMISSION.userPasswordProfile,
    PERMISSION.userDeleteRestore,
    PERMISSION.licenseAssignment,
    PERMISSION.organizationRead,
    PERMISSION.groupMemberReadAll,
  ],
  exchange: [PERMISSION.exchangeManageAsApp],
  wids: [ROLE.exchangeAdministrator, ROLE.userAdministrator, ROLE.licenseAdministrator],
};

/** What the read-only client holds: enough to plan, drift and export, never to apply. */
export const READ_ONLY_APP: AppPermissions = {
  graph: [PERMISSION.userReadAll, PERMISSION.organizationRead, PERMISSION.groupMemberReadAll],
  exchange: [PERMISSION.exchangeManageAsApp],
  wids: [ROLE.globalReader],
};

/** Directory roles that let an app run Exchange cmdlets that change things. */
export const EXCHANGE_WRITE_ROLES: readonly string[] = [ROLE.exchangeAdministrator, ROLE.exchangeRecipientAdministrator];
/** Directory roles that let an app run Exchange cmdlets that only read. */
export const EXCHANGE_READ_ROLES: readonly string[] = [...EXCHANGE_WRITE_ROLES, ROLE.globalReader];
