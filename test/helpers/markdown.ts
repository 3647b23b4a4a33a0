/** Fenced code blocks of a markdown page, for the tests that run the examples of docs/. */

export interface Block {
  /** The info string after the opening fence, spaces collapsed (```yaml policy → `yaml policy`). */
  readonly info: string;
  readonly text: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The nearest heading above the block. */
  readonly heading: string;
}

/** Every fenced block of `markdown`; `source` names the page in errors. */
export function fencedBlocks(markdown: string, source: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const h = /^#{1,6}\s+(.*)$/.exec(l);
    if (h) {
      heading = h[1]!.trim();
      continue;
    }
    const open = /^```(.*)$/.exec(l);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) body.push(lines[j++]!);
    if (j >= lines.length) throw new Error(`${source}:${i + 1}: unclosed code fence`);
    blocks.push({ info: open[1]!.trim().replace(/\s+/g, ' '), text: body.join('\n') + '\n', line: i + 1, heading });
    i = j;
  }
  return blocks;
}
