/** The contoso cast from the helper brief: the tenant fixture and the example program's desired state. */
import { GB } from "../../lib/model/licensing.js";
import type { CanonicalDesiredState } from "../../lib/model/normalize.js";
import type { ObservedState } from "../../lib/provider/observed.js";
import { tenant } from "../util/observed-builder.js";
import { desired } from "./helpers.js";

export function contosoTenant(): ObservedState {
  return tenant("contoso", { hybrid: true })
    .now("2026-11-01T09:00:00Z")
    .sku("EXCHANGESTANDARD", { prepaid: 6 })
    .sku("EXCHANGEENTERPRISE", { prepaid: 2 })
    .sku("EXCHANGEARCHIVE_ADDON", { prepaid: 2 })
    .sku("SPE_E3", { prepaid: 5 })
    .sku("SPB", { prepaid: 1 })
    .userMailbox("ann.lee@contoso.com", { displayName: "Ann Lee", licenses: ["SPE_E3"] })
    .userMailbox("ben.ortiz@contoso.com", { displayName: "Ben Ortiz", licenses: ["SPE_E3"] })
    .userMailbox("erin.kim@contoso.com", { displayName: "Erin Kim", licenses: ["SPE_E3"] })
    .userMailbox("frank.moss@contoso.com", { displayName: "Frank Moss", licenses: ["SPE_E3"], synced: true })
    .userMailbox("carla.diaz@contoso.com", { displayName: "Carla Diaz", licenses: ["EXCHANGESTANDARD"] })
    .userMailbox("dev.patel@contoso.com", { displayName: "Dev Patel", licenses: ["EXCHANGESTANDARD"] })
    .userMailbox("gina.rossi@contoso.com", { displayName: "Gina Rossi", usageLocation: null })
    .userMailbox("harry.wells@contoso.com", { displayName: "Harry Wells", licenses: ["EXCHANGESTANDARD"], sizeGB: 12 })
    .userMailbox("ivy.chen@contoso.com", { displayName: "Ivy Chen", sizeGB: 3 })
    .deletedUserMailbox("jack.hale@contoso.com", "2026-10-22T09:00:00Z", { displayName: "Jack Hale", sizeGB: 8 })
    .sharedMailbox("support@contoso.com", { displayName: "Contoso Support", sizeGB: 20, enabled: true })
    .sharedMailbox("legal@contoso.com", {
      displayName: "Legal Hold",
      sizeGB: 62,
      litigationHold: true,
      licenses: ["EXCHANGEENTERPRISE"],
      usageLocation: "US",
      quotaBytes: 100 * GB,
    })
    .sharedMailbox("kim.nguyen@contoso.com", { displayName: "Kim Nguyen", sizeGB: 4, usageLocation: "US" })
    .sharedMailbox("old-projects@contoso.com", { displayName: "Old Projects", sizeGB: 1 })
    .sharedMailbox("events-2025@contoso.com", {
      displayName: "Events 2025",
      sizeGB: 2,
      managementTag: "exoform:stack=contoso;removal=delete",
    })
    .grant("support@contoso.com", "FullAccess", "ann.lee@contoso.com", { autoMapping: true })
    .grant("support@contoso.com", "FullAccess", "gina.rossi@contoso.com", { autoMapping: true })
    .grant("support@contoso.com", "SendAs", "ann.lee@contoso.com")
    .grant("legal@contoso.com", "FullAccess", "erin.kim@contoso.com")
    .grant("legal@contoso.com", "SendAs", "erin.kim@contoso.com")
    .build();
}

const members = (...t: string[]) => ({ fullAccess: t.map((trustee) => ({ trustee })), sendAs: t });

export function contosoDesired(): CanonicalDesiredState {
  return desired(
    [
      { address: "support@contoso.com", displayName: "Contoso Support", ...members("ann.lee@contoso.com", "ben.ortiz@contoso.com") },
      {
        address: "info@contoso.com",
        displayName: "Contoso Info",
        fullAccess: [{ trustee: "carla.diaz@contoso.com" }, { trustee: "erin.kim@contoso.com", autoMapping: false }],
        sendAs: ["carla.diaz@contoso.com"],
        removalPolicy: "delete",
      },
      {
        address: "ceo-office@contoso.com",
        displayName: "Office of the CEO",
        fullAccess: [{ trustee: "erin.kim@contoso.com" }],
        sendOnBehalf: ["dev.patel@contoso.com"],
      },
      { address: "harry.wells@contoso.com", displayName: "Harry Wells (departed)", origin: "convert", ...members("ben.ortiz@contoso.com") },
      { address: "ivy.chen@contoso.com", displayName: "Ivy Chen (departed)", origin: "convert", fullAccess: [{ trustee: "carla.diaz@contoso.com" }] },
      { address: "jack.hale@contoso.com", displayName: "Jack Hale (departed)", origin: "convert", fullAccess: [{ trustee: "ann.lee@contoso.com" }] },
      {
        address: "legal@contoso.com",
        displayName: "Legal Hold",
        license: "EXCHANGEENTERPRISE",
        litigationHold: true,
        fullAccess: [{ trustee: "erin.kim@contoso.com" }, { trustee: "gina.rossi@contoso.com" }],
        sendAs: ["erin.kim@contoso.com"],
      },
    ],
    [{ address: "kim.nguyen@contoso.com", license: "EXCHANGESTANDARD" }],
  );
}
