/**
 * Values from payloads are data, never markup (SPEC §5, wecom-api.md §1.4: WeCom has no escaping).
 * A label such as `<@all>`, `<font color="info">`, `# title` or `**x` must show as text and must not
 * change the message structure, so markup characters are replaced by their full-width look-alikes
 * (readable in Chinese text) and line breaks are folded into spaces.
 */
const MARKDOWN_REPLACEMENTS: Record<string, string> = {
  '<': '＜',
  '>': '＞',
  '*': '＊',
  '`': 'ˋ',
  '#': '＃',
  '[': '［',
  ']': '］',
};
const MARKDOWN_SPECIALS = /[<>*`#[\]]/g;
// C0/C1 controls except tab/newline, and line/paragraph separators.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g;
const LINE_BREAKS = /\s*[\r\n]+\s*/g;
/**
 * Any character one of the rewrites below could touch (controls incl. tab and line breaks, and the
 * markup characters). Most payload values contain none, and one test is far cheaper than four
 * replace passes; a value that contains one goes through every pass as before.
 */
const NEEDS_MARKDOWN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029<>*`#[\]]/;
const NEEDS_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029<>]/;

/** Characters that would end a markdown link or inject markup (tested first: most URLs have none). */
const URL_UNSAFE = /[\s()<>[\]"'`*]/;
const URL_UNSAFE_ALL = /[\s()<>[\]"'`*]/g;

export type SanitizeMode = 'markdown' | 'text';

/** sanitizeValue makes a payload string safe to interpolate into a WeCom message of the given mode. */
export function sanitizeValue(value: string, mode: SanitizeMode): string {
  if (!(mode === 'markdown' ? NEEDS_MARKDOWN : NEEDS_TEXT).test(value)) return value;
  const flat = value.replace(CONTROL, '').replace(LINE_BREAKS, ' ').replace(/\t/g, ' ');
  if (mode === 'markdown') return flat.replace(MARKDOWN_SPECIALS, (ch) => MARKDOWN_REPLACEMENTS[ch]);
  // Text messages render no markdown, but `<@userid>` still mentions and `<a href>` links in app text.
  return flat.replace(/</g, '＜').replace(/>/g, '＞');
}

/**
 * sanitizeUrl keeps only absolute http(s) URLs and percent-encodes characters that would end a
 * markdown link or inject markup. Anything else becomes undefined (the link is omitted).
 */
export function sanitizeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const trimmed = url.trim();
  if (!/^https?:\/\//i.test(trimmed)) return undefined;
  return URL_UNSAFE.test(trimmed) ? trimmed.replace(URL_UNSAFE_ALL, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')) : trimmed;
}

/** sanitizeRecord sanitizes keys and values of a label/annotation map. */
export function sanitizeRecord(record: Record<string, string>, mode: SanitizeMode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) out[sanitizeValue(key, mode)] = sanitizeValue(value, mode);
  return out;
}
