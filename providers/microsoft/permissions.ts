/**
 * What each contract operation needs of the app registration, so that a 401
 * or 403 says which application permission or directory role is missing
 * (the services rarely say). Names as Microsoft's docs give them
 * (../shared/docs/microsoft-apis.md §2, §4).
 */
import type { TokenClaims } from "./auth.js";

/** Directory role template ids, as tokens carry them in `wids`. */
const ROLE = {
  exchangeAdministrator: "29232cdf-9323-42fd-ade2-1d097af3e4de",
  exchangeRecipientAdministrator: "31392ffb-586c-42d1-9346-e59415a2cc4e",
  globalReader: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
  userAdministrator: "fe930be7-5e62-47db-91af-98c3a49a38b1",
  privilegedAuthenticationAdministrator: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
} as const;

const ROLE_NAME: Readonly<Record<string, string>> = {
  [ROLE.exchangeAdministrator]: "Exchange Administrator",
  [ROLE.exchangeRecipientAdministrator]: "Exchange Recipient Administrator",
  [ROLE.globalReader]: "Global Reader",
  [ROLE.userAdministrator]: "User Administrator",
  [ROLE.privilegedAuthenticationAdministrator]: "Privileged Authentication Administrator",
};

export interface Need {
  /** Each entry is satisfied by any one of its permissions. */
  readonly permissions: ReadonlyArray<readonly string[]>;
  /** Any one of these directory roles, when the API also checks a role. */
  readonly roles?: readonly string[];
}

const GRAPH_USERS: readonly string[] = ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
/** GET /organization (the tenant's verified domains). */
const GRAPH_ORGANIZATION: readonly string[] = ["Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
/** GET /subscribedSkus: the licence permissions also read it. */
const GRAPH_SKUS: readonly string[] = ["Organization.Read.All", "LicenseAssignment.Read.All", "LicenseAssignment.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
const EXCHANGE_READ: Need = { permissions: [["Exchange.ManageAsApp"]], roles: [ROLE.exchangeAdministrator, ROLE.exchangeRecipientAdministrator, ROLE.globalReader] };
const EXCHANGE_WRITE: Need = { permissions: [["Exchange.ManageAsApp"]], roles: [ROLE.exchangeAdministrator, ROLE.exchangeRecipientAdministrator] };

const GRAPH_NEEDS: Readonly<Record<string, Need>> = {
  readTenant: { permissions: [GRAPH_ORGANIZATION, GRAPH_USERS] },
  listSkus: { permissions: [GRAPH_SKUS] },
  assignLicense: { permissions: [["LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"]] },
  setAccountEnabled: { permissions: [["User.EnableDisableAccount.All", "User.ReadWrite.All", "Directory.ReadWrite.All"]] },
  setUsageLocation: { permissions: [["User.ReadWrite.All", "Directory.ReadWrite.All"]] },
  // an admin target needs Privileged Authentication Administrator (microsoft-apis.md G5); exoform's targets are not admins
  resetPassword: { permissions: [["User-PasswordProfile.ReadWrite.All"]], roles: [ROLE.userAdministrator, ROLE.privilegedAuthenticationAdministrator] },
  restoreUser: { permissions: [["User.DeleteRestore.All", "User.ReadWrite.All", "Directory.ReadWrite.All"]] },
  listGroups: { permissions: [["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All"]] },
  setUserPrincipalName: { permissions: [["User.ReadWrite.All", "Directory.ReadWrite.All"]] },
  revokeSignInSessions: { permissions: [["User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"]] },
};
/** Graph reads made by the other operations: users, and the SKU catalogue for license names. */
const GRAPH_READS: Need = { permissions: [GRAPH_USERS, GRAPH_SKUS] };

const EXCHANGE_READS = new Set(["listMailboxes", "listGrants", "getMailbox", "getGrants", "readTenant"]);

/** What `operation` needs on `service`. */
export function needOf(service: "graph" | "exchange", operation: string): Need {
  if (service === "exchange") return EXCHANGE_READS.has(operation) ? EXCHANGE_READ : EXCHANGE_WRITE;
  return GRAPH_NEEDS[operation] ?? GRAPH_READS;
}

/**
 * One sentence on what is missing, for the message of a forbidden error: the permissions and roles
 * `need` asks for that the token does not carry (all of them when the token could not be read).
 */
export function explainMissing(service: "graph" | "exchange", need: Need, claims: TokenClaims | null): string {
  const api = service === "graph" ? "Microsoft Graph" : "Office 365 Exchange Online";
  const held = new Set(claims?.roles ?? []);
  const missing = need.permissions.filter((any) => !any.some((p) => held.has(p)));
  const roleMissing = need.roles !== undefined && !need.roles.some((r) => claims?.wids.includes(r));
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`the application permission ${missing.map((any) => any.slice(0, 2).join(" or ")).join(" and ")} on ${api} (with admin consent)`);
  if (roleMissing) parts.push(`the ${need.roles!.map((r) => ROLE_NAME[r] ?? r).join(" or ")} directory role on its service principal`);
  if (parts.length === 0) return `the app's token carries the permissions and roles exoform knows this needs (${[...held].join(", ") || "none"}); check Exchange RBAC scopes or conditional access`;
  const holds = claims === null ? "" : `; its token for ${api} carries ${held.size > 0 ? [...held].sort().join(", ") : "no application permissions"}`;
  return `the app needs ${parts.join(" and ")}${holds}`;
}
