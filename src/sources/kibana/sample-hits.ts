/**
 * A few matching documents of an ES-query rule, as short lines (`host message`), for the alert's
 * description. The v2 body template sends them pre-rendered as one `hits` string (one line per
 * hit: `{{_source.host.name}} {{_source.message}}`); the v1 body carries whole documents in
 * `context_json.hits`. Either way only the first few, cut short, are kept: they illustrate the
 * alert, the link leads to the rest.
 */
export const SAMPLE_HITS = 3;
export const SAMPLE_HIT_CHARS = 160;

/** cut shortens a line to SAMPLE_HIT_CHARS code points, marking the cut with `…`. */
function cut(line: string): string {
  const chars = [...line];
  return chars.length > SAMPLE_HIT_CHARS ? `${chars.slice(0, SAMPLE_HIT_CHARS - 1).join('')}…` : line;
}

/** sampleLines takes the first non-empty lines of the v2 `hits` text. */
export function sampleLines(text: string | undefined): string[] {
  if (!text) return [];
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (line) lines.push(cut(line));
    if (lines.length === SAMPLE_HITS) break;
  }
  return lines;
}

function field(source: unknown, path: string[]): string | undefined {
  let value = source;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** sampleDocuments renders the first documents of a decoded v1 `context.hits` array the same way. */
export function sampleDocuments(hits: unknown): string[] {
  if (!Array.isArray(hits)) return [];
  const lines = hits.slice(0, SAMPLE_HITS * 2).map((hit) => {
    const source = (hit as Record<string, unknown> | null)?._source;
    return [field(source, ['host', 'name']) ?? field(source, ['host.name']), field(source, ['message'])].filter((part) => part).join(' ');
  });
  return sampleLines(lines.join('\n'));
}

/** withSamples appends the sample lines to a description, under a bilingual heading. */
export function withSamples(description: string, samples: string[]): string {
  if (samples.length === 0) return description;
  const block = ['命中示例 / sample hits:', ...samples.map((line) => `- ${line}`)].join('\n');
  return description ? `${description}\n\n${block}` : block;
}
