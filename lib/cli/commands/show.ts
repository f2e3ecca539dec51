/**
 * `exoform show <plan.json>`: render a saved plan (from `exoform plan --out`)
 * as text, markdown (the pull-request comment) or json, as `terraform show`
 * does: review what apply will do, or post it, without reading the tenant.
 * The file is checked as apply checks it (schema, digest, signature), so what
 * is shown is what apply would run.
 */
import type { Command } from "commander";
import { renderPlan, type RenderFormat } from "../../render/index.js";
import { withJsonErrors } from "../json-errors.js";
import { formatOf, formatOption, wantsJson, type FormatOptions } from "../options.js";
import { isTty, terminalSafeJson } from "../output.js";
import { readPlanFile } from "../plan-file.js";

const FORMATS: readonly RenderFormat[] = ["text", "markdown", "json"];

export function register(program: Command): void {
  const command = program
    .command("show")
    .description("render a saved plan (exoform plan --out) as text, markdown or json, without reading the tenant")
    .argument("<plan>", "a saved plan from exoform plan --out <file>")
    .action((planFile: string, options: FormatOptions) =>
      withJsonErrors(wantsJson(options), () => {
        const format = formatOf(options, FORMATS, "a plan");
        const rendered = renderPlan(readPlanFile(planFile), format, { color: format === "text" && isTty() });
        process.stdout.write(format === "json" ? terminalSafeJson(rendered) : rendered);
      }),
    );
  formatOption(command, FORMATS, "text");
}
