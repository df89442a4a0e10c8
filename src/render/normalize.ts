/**
 * normalizeOutput tidies a rendered template: trailing spaces removed, runs of blank lines folded
 * to one, leading/trailing blank lines dropped. Template authors then need no whitespace control.
 */
export function normalizeOutput(text: string): string {
  const trimmedLines = stripTrailingBlanks(text);
  // Most renders have no blank-line run left: one indexOf instead of a regex pass.
  return (trimmedLines.includes('\n\n\n') ? trimmedLines.replace(/\n{3,}/g, '\n\n') : trimmedLines).trim();
}

/**
 * stripTrailingBlanks removes spaces and tabs before every line end and at the end of the text —
 * what `text.replace(/[ \t]+$/gm, '')` does (a multiline `$` is before \n, \r, U+2028, U+2029 or
 * the end) — in one scan without building a copy when nothing trails, as for most lines.
 */
export function stripTrailingBlanks(text: string): string {
  let out = '';
  let kept = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let code = text.charCodeAt(i);
    if (code !== 32 && code !== 9) continue;
    let end = i + 1;
    while (end < length && ((code = text.charCodeAt(end)) === 32 || code === 9)) end++;
    if (end === length || code === 10 || code === 13 || code === 0x2028 || code === 0x2029) {
      out += text.slice(kept, i);
      kept = end;
    }
    i = end - 1;
  }
  return kept === 0 ? text : out + text.slice(kept);
}

/** stripForPlainMarkdown removes `<font>` tags and `<@…>` mentions, which markdown_v2 does not support. */
export function stripForPlainMarkdown(text: string): string {
  return text.replace(/<font color="[a-z]+">([\s\S]*?)<\/font>/g, '$1').replace(/<@[^>]*>/g, '');
}
