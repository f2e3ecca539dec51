/**
 * Making document strings safe to print. Everything a renderer shows comes
 * from the plan document, and much of it (display names, descriptions,
 * diagnostic messages) is user-controlled: it must not drive the terminal
 * (escape sequences, bidi overrides) nor break markdown tables, HTML or code
 * fences in a pull-request comment.
 */

// C0/C1 controls (tab and newline included: one value is one line) and the
// bidi controls that can make text read differently from its bytes.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  return `\\u{${ch.charCodeAt(0).toString(16)}}`;
}

/** The string with every control character shown as a visible `\u{..}` escape. */
export function clean(s: string): string {
  return s.replace(UNSAFE, visible);
}

const HTML: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
  "|": "&#124;",
};

/**
 * An @mention as GitHub reads one: "@" at the start or after a character that
 * cannot be part of an address or a word, then a user, org or team name.
 * An e-mail address (ben.ortiz@contoso.com) is not one and is left as it is.
 */
const MENTION = /(^|[^A-Za-z0-9_.+\-/@`])@(?=[A-Za-z0-9])/g;

/**
 * A zero-width space after the "@" of every @mention, as an entity (what
 * Dependabot and Renovate do): it reads the same but notifies no one, so a
 * display name "@security-team" in a plan comment pings nobody.
 */
export function neutraliseMentions(markdown: string): string {
  return markdown.replace(MENTION, "$1@&#8203;");
}

/** For text inside HTML elements (`<summary>`): entities for everything HTML or markdown could read; @mentions neutralised. */
export function escapeHtml(s: string): string {
  return neutraliseMentions(clean(s).replace(/[&<>"'`|]/g, (ch) => HTML[ch] ?? ch));
}

/**
 * For inline markdown, including table cells: backslash-escapes the
 * characters that start emphasis, code, links or cells, and entity-escapes
 * the ones that start HTML; @mentions are neutralised (neutraliseMentions).
 */
export function escapeMarkdown(s: string): string {
  return neutraliseMentions(
    clean(s)
      .replace(/[\\`*_[\]|~#]/g, (ch) => `\\${ch}`)
      .replace(/[&<>]/g, (ch) => HTML[ch] ?? ch),
  );
}

/** A backtick fence longer than any backtick run in `content`, so the content cannot close it. */
export function codeFence(content: string): string {
  let longest = 0;
  for (const run of content.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

/** An inline code span whose delimiters no backtick in `s` can close; not for table cells (a `|` would end the cell). */
export function codeSpan(s: string): string {
  const text = clean(s);
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const ticks = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${ticks}${pad}${text}${pad}${ticks}`;
}
