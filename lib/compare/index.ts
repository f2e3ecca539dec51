/**
 * lib/compare: the one per-mailbox comparison of the desired state with the
 * tenant, read by the planner (which steps close each difference) and by
 * drift (how bad each difference is). Pure. To compare a new field, see
 * docs/decisions/0011-one-comparison.md.
 */
export * from "./vocabulary.js";
export { addressHolder, indexObserved, latestDeleted, trusteeState, type ObservedIndex, type TrusteeState } from "./observed-index.js";
export { SETTINGS, addressesMissing, compareSettings, expectedEmailAddresses, type SettingDifference, type SettingRule, type SettingValue } from "./settings.js";
export { RIGHTS, RIGHT_FIELD, compareGrants, type GrantComparison, type RightComparison } from "./grants.js";
export {
  compareLicenses,
  compareSharedMailbox,
  compareSignIn,
  compareTag,
  compareUserMailbox,
  deletableByStack,
  desiredLicenses,
  asRenamed,
  renamedFrom,
  type Renamed,
  type LicenseComparison,
  type LicenseDeclaration,
  type SignInChange,
  type SharedMailboxComparison,
  type TagComparison,
  type UserMailboxComparison,
} from "./mailbox.js";
