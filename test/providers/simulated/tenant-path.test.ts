import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_PATH, resolveTenantPath } from "../../../providers/simulated/index.js";

describe("which simulated tenant file a command opens", () => {
  const saved = process.env["EXOFORM_TENANT"];
  afterEach(() => {
    if (saved === undefined) delete process.env["EXOFORM_TENANT"];
    else process.env["EXOFORM_TENANT"] = saved;
  });

  it("takes --tenant first, then EXOFORM_TENANT, then .exoform/tenant.db", () => {
    process.env["EXOFORM_TENANT"] = "from-env.db";
    expect(resolveTenantPath("flag.db")).toBe(resolve("flag.db"));
    expect(resolveTenantPath()).toBe(resolve("from-env.db"));
    delete process.env["EXOFORM_TENANT"];
    expect(resolveTenantPath()).toBe(resolve(DEFAULT_TENANT_PATH));
  });

  it("treats an empty EXOFORM_TENANT as unset, as a pipeline variable never given a value is", () => {
    process.env["EXOFORM_TENANT"] = "";
    expect(resolveTenantPath()).toBe(resolve(DEFAULT_TENANT_PATH));
  });
});
