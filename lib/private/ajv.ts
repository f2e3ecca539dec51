/** ajv, for the schemas checked at run time (plans, policies, fixtures), loaded on first use (lib/private/lazy-module.ts). */
import { lazyModule } from "./lazy-module.js";

export const ajvPackage = lazyModule<typeof import("ajv")>("ajv");
