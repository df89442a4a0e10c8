import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMarkdownMessage } from '../support/markdown-message';

/**
 * The parser end-to-end tests read messages with (test/support/markdown-message.ts), run over every
 * markdown golden file: it must find every alert each message says it carries (the golden header's
 * `alerts: N`), and what it reads must agree with itself — the title's counts with the lines across
 * parts, each storm group's `×N` with its lines.
 */
const GOLDEN = join(__dirname, '../golden');
const HEADER = /^===== message (\d+)\/(\d+) · msgtype markdown · \d+\/\d+ bytes · alerts: (\d+) =====$/m;
const HEADERS = new RegExp(HEADER.source, 'gm');

/** Golden files with alert messages (a Kibana connector test renders none). */
const FILES = readdirSync(GOLDEN).filter((name) => name.endsWith('.markdown.md') && HEADER.test(readFileSync(join(GOLDEN, name), 'utf8')));

describe.each(FILES)('%s', (name) => {
  const text = readFileSync(join(GOLDEN, name), 'utf8');
  const expected = [...text.matchAll(HEADERS)].map((match) => Number(match[3]));
  const messages = text.split(HEADERS).filter((_, i) => i % 4 === 0).slice(1).map((body) => parseMarkdownMessage(body.replace(/^\n/, '').replace(/\n+$/, '')));

  it('finds every alert of every message, each group as long as it says', () => {
    expect(messages.map((message) => message.alerts.length)).toEqual(expected);
    for (const message of messages) for (const group of message.groups) expect(group.alerts).toHaveLength(group.count);
  });

  it('reads header counts that agree with the lines of all parts', () => {
    const listed = messages.flatMap((message) => message.alerts);
    const counts = messages[0].counts;
    if (listed.length === 1) expect(counts.size).toBe(0);
    else expect([...counts.values()].reduce((sum, n) => sum + n, 0)).toBe(listed.length);
    for (const message of messages) expect(message.counts).toEqual(counts);
    if (messages.length > 1) expect(messages.map((message) => message.part)).toEqual(messages.map((_, i) => ({ index: i + 1, total: messages.length })));
  });
});
