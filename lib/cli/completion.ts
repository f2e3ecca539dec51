/**
 * Shell completion scripts (`exoform completion bash|zsh|fish`), generated
 * from commander's command tree at run time: a command or option added to
 * the CLI is completed the moment it exists, so the scripts cannot go stale.
 * Completion offers command names and long options for the command typed so
 * far; values (files, addresses) are left to the shell's default.
 */
import type { Command } from "commander";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** One command of the tree: its path from the root ("" for exoform itself, "tenant clock"...). */
export interface CompletionNode {
  readonly path: string;
  readonly description: string;
  readonly subcommands: readonly string[];
  readonly options: ReadonlyArray<{ readonly flag: string; readonly description: string }>;
}

/** Every command reachable from `root`, depth first, with its subcommands and long options (help included). */
export function completionTree(root: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (command: Command, path: string) => {
    const options = command.options.filter((o) => o.long !== undefined).map((o) => ({ flag: o.long!, description: o.description }));
    options.push({ flag: "--help", description: "display help for command" });
    nodes.push({ path, description: command.description(), subcommands: command.commands.map((c) => c.name()), options });
    for (const sub of command.commands) visit(sub, path === "" ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(root, "");
  return nodes;
}

export function completionScript(root: Command, shell: Shell): string {
  const tree = completionTree(root);
  const name = root.name();
  switch (shell) {
    case "bash":
      return `# ${name} completion for bash: add to ~/.bashrc\n#   eval "$(${name} completion bash)"\n${bashFunction(name, tree)}complete -o default -F _${name} ${name}\n`;
    case "zsh":
      // zsh runs the bash function through its bash-completion layer: one script, one behaviour
      return `#compdef ${name}\n# ${name} completion for zsh: add to ~/.zshrc\n#   eval "$(${name} completion zsh)"\nautoload -U +X bashcompinit && bashcompinit\n${bashFunction(name, tree)}complete -o default -F _${name} ${name}\n`;
    case "fish":
      return fishScript(name, tree);
  }
}

/** A single-quoted shell word. */
function quoted(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The bash function: walk the words typed so far, following known command
 * paths (options and their values are skipped), then offer the subcommands
 * and options of the command reached.
 */
function bashFunction(name: string, tree: readonly CompletionNode[]): string {
  const paths = tree.filter((n) => n.path !== "").map((n) => quoted(` ${n.path}`));
  const cases = tree.map((n) => `    ${quoted(n.path === "" ? "" : ` ${n.path}`)}) words=${quoted([...n.subcommands, ...n.options.map((o) => o.flag)].join(" "))} ;;`);
  return [
    `_${name}() {`,
    `  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words="" i w`,
    `  for ((i = 1; i < COMP_CWORD; i++)); do`,
    `    w="\${COMP_WORDS[i]}"`,
    `    case "$path $w" in`,
    `      ${paths.join("|")}) path="$path $w" ;;`,
    `    esac`,
    `  done`,
    `  case "$path" in`,
    ...cases,
    `  esac`,
    `  COMPREPLY=($(compgen -W "$words" -- "$cur"))`,
    `}`,
    "",
  ].join("\n");
}

/** fish: one `complete` line per subcommand and per option, each conditioned on the command path typed. */
function fishScript(name: string, tree: readonly CompletionNode[]): string {
  const lines = [`# ${name} completion for fish: ${name} completion fish > ~/.config/fish/completions/${name}.fish`];
  for (const node of tree) {
    const words = node.path === "" ? [] : node.path.split(" ");
    const children = node.subcommands.join(" ");
    // on this command's path, and not yet in one of its subcommands
    const here = [
      words.length === 0 ? "__fish_use_subcommand" : words.map((w) => `__fish_seen_subcommand_from ${w}`).join("; and "),
      ...(words.length > 0 && children !== "" ? [`not __fish_seen_subcommand_from ${children}`] : []),
    ].join("; and ");
    const sub = tree.filter((n) => n.path !== "" && n.path.split(" ").length === words.length + 1 && n.path.startsWith(node.path));
    for (const child of sub) lines.push(`complete -c ${name} -n ${quoted(here)} -a ${child.path.split(" ").at(-1)} -d ${quoted(child.description)}`);
    for (const o of node.options) lines.push(`complete -c ${name} -n ${quoted(here)} -l ${o.flag.slice(2)} -d ${quoted(o.description)}`);
  }
  return `${lines.join("\n")}\n`;
}
