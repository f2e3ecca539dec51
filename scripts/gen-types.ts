/**
 * Generates lib/model/generated/*.ts from schema/*.schema.json with
 * json-schema-to-typescript. `--check` fails (exit 1) when the committed
 * files differ from what the schemas generate: CI runs it.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outputs = [{ schema: "schema/desired-state.schema.json", out: "lib/model/generated/desired-state.ts" }];

const banner = `/* eslint-disable */
/**
 * GENERATED FILE - DO NOT EDIT.
 * Generated from {{schema}} by scripts/gen-types.ts (npm run gen:types).
 * Edit the schema, then regenerate; CI fails when this file is stale.
 */`;

const check = process.argv.includes("--check");
let stale = 0;
for (const { schema, out } of outputs) {
  const json = JSON.parse(readFileSync(join(root, schema), "utf8"));
  const ts = await compile(json, json.title, {
    bannerComment: banner.replace("{{schema}}", schema),
    format: false,
    additionalProperties: false,
    unreachableDefinitions: true,
    declareExternallyReferenced: true,
  });
  const target = join(root, out);
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    current = "";
  }
  if (check) {
    if (current !== ts) {
      console.error(`error: ${out}: stale; it no longer matches ${schema}. Run: npm run gen:types`);
      stale++;
    }
  } else {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, ts);
    console.log(`wrote ${out}`);
  }
}
if (stale > 0) process.exit(1);
if (check) console.log("generated types are current");
