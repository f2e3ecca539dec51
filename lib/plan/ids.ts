/**
 * Stable action ids: derived from what an action does (type, target, the
 * params that distinguish it), never from its position, so the same change
 * has the same id in every plan and reviewers can refer to it by name.
 *
 *   support@contoso.com:permission.grant:FullAccess:ben.ortiz@contoso.com
 *   ivy.chen@contoso.com:user.assignLicense:EXCHANGESTANDARD
 */
import type { ActionParams, ActionType } from "./types.js";

export function actionId(type: ActionType, target: string, params: ActionParams): string {
  switch (type) {
    case "permission.grant":
    case "permission.revoke":
      return `${target}:${type}:${params.right ?? ""}:${params.trustee ?? ""}`;
    case "user.assignLicense":
    case "user.removeLicense":
      return `${target}:${type}:${params.sku ?? ""}`;
    case "mailbox.convert":
      return `${target}:${type}:${params.to ?? ""}`;
    case "mailbox.wait":
      return `${target}:${type}:${params.for ?? ""}`;
    default:
      return `${target}:${type}`;
  }
}
