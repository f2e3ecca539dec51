/**
 * Structural checks for rendered markdown, used by the renderer tests: the
 * things that, if broken, make a pull-request comment render wrongly.
 */

/** `|` characters that end a table cell (not backslash-escaped). */
export function cellSeparators(line: string): number {
  return line.replace(/\\\\/g, "").replace(/\\\|/g, "").split("|").length - 1;
}

/**
 * Problems in one markdown document: unbalanced or nested `<details>`,
 * unclosed code fences, tables without a header and separator row, table
 * rows with a different number of cells than their header.
 */
export function markdownProblems(md: string): string[] {
  const problems: string[] = [];
  let fence: string | undefined;
  let details = 0;
  let table: { cells: number; row: number } | undefined;
  md.split("\n").forEach((line, n) => {
    const at = `line ${n + 1}`;
    if (fence !== undefined) {
      const close = /^(`{3,})\s*$/.exec(line);
      if (close?.[1] !== undefined && close[1].length >= fence.length) fence = undefined;
      return;
    }
    const open = /^(`{3,})/.exec(line);
    if (open?.[1] !== undefined) {
      fence = open[1];
      table = undefined;
      return;
    }
    if (line.startsWith("|")) {
      const cells = cellSeparators(line);
      if (table === undefined) table = { cells, row: 0 };
      else if (cells !== table.cells) problems.push(`${at}: table row has ${cells - 1} cells, header has ${table.cells - 1}`);
      if (table.row === 1 && !/^\|( --- \|)+$/.test(line)) problems.push(`${at}: table without a separator row`);
      table.row++;
    } else {
      table = undefined;
    }
    if (line.includes("<details")) {
      if (!line.startsWith("<details><summary>") || !line.endsWith("</summary>")) problems.push(`${at}: malformed <details> line`);
      if (details > 0) problems.push(`${at}: nested <details>`);
      details++;
    }
    if (line.includes("</details>")) {
      if (line !== "</details>") problems.push(`${at}: </details> inside text`);
      details--;
      if (details < 0) problems.push(`${at}: </details> without <details>`);
    }
  });
  if (fence !== undefined) problems.push("code fence never closed");
  if (details !== 0) problems.push(`${details} <details> never closed`);
  return problems;
}

/** The document with the contents of fenced code blocks removed (what GitHub parses as markdown and HTML). */
export function outsideCode(md: string): string {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of md.split("\n")) {
    const ticks = /^(`{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      kept.push(line);
      if (ticks !== undefined) fence = ticks;
    } else if (ticks !== undefined && ticks.length >= fence.length && line.trim() === ticks) {
      kept.push(line);
      fence = undefined;
    }
  }
  return kept.join("\n");
}
