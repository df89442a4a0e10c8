/**
 * normalizeOutput tidies a rendered template: trailing spaces removed, runs of blank lines folded
 * to one, leading/trailing blank lines dropped. Template authors then need no whitespace control.
 */
export function normalizeOutput(text: string): string {
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** stripForPlainMarkdown removes `<font>` tags and `<@…>` mentions, which markdown_v2 does not support. */
export function stripForPlainMarkdown(text: string): string {
  return text.replace(/<font color="[a-z]+">([\s\S]*?)<\/font>/g, '$1').replace(/<@[^>]*>/g, '');
}
