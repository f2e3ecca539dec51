/**
 * `exoform completion bash|zsh|fish`: print the shell completion script,
 * generated from the command tree itself (lib/cli/completion.ts).
 */
import type { Command } from "commander";
import { UserError } from "../../diagnostics/errors.js";
import { completionScript, SHELLS, type Shell } from "../completion.js";

export function register(program: Command): void {
  program
    .command("completion")
    .description(`print the shell completion script: ${SHELLS.join(", ")}`)
    .argument("<shell>", SHELLS.join(" | "))
    .addHelpText("after", '\nExamples:\n  $ eval "$(exoform completion bash)"     # in ~/.bashrc\n  $ exoform completion fish > ~/.config/fish/completions/exoform.fish')
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new UserError(`completion ${shell}: no script for that shell; use one of ${SHELLS.join(", ")}`, "usage");
      }
      let root: Command = program;
      while (root.parent !== null) root = root.parent;
      process.stdout.write(completionScript(root, shell as Shell));
    });
}
