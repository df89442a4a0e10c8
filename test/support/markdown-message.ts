/**
 * parseMarkdownMessage reads a message the built-in markdown templates wrote (README "Message
 * layout") back into facts, so end-to-end tests can assert what a message says — which alerts,
 * in which order, with which badge, counted how — rather than how it is spelled:
 *
 *   ## 🔴 <font color="warning">**严重**</font> NodeDown 等 2 种 (1/2)     title: worst badge, name, part
 *   📍 prod-bj · prod · …                                                    where
 *   🔴 严重 30 · ✅ 恢复 50 · [查看全部](…)                                   counts and link
 *
 * then one block per alert (full layout: a badge line, `> ` lines, links; a resolution: one quiet
 * line), or per storm group (a badge line `**Name** ×N`, then one line per alert), or, when the
 * message holds one alert, that alert's lines without a badge of their own (the title's is theirs).
 */

/** A severity or status badge: emoji, colour and label (bold for the most severe level). */
export interface Badge {
  emoji: string;
  color: string;
  label: string;
  bold: boolean;
}

/** One alert as a message shows it. */
export interface MessageAlert {
  /** The alert's own badge, its storm group's, or the title's in a one-alert message. */
  badge: Badge;
  /** `resolved` for 已恢复 and 已结束（…）, `firing` for every other badge. */
  status: 'firing' | 'resolved';
  /** The alert name where the message says it per alert or per group (storm groups, several names). */
  name?: string;
  /** What tells the alert apart (instance or differing labels, storm value included); '' for a one-alert message. */
  key: string;
  /** Every line the message spends on this alert. */
  text: string;
  /** `full` (badge line and details), `quiet` (a one-line resolution) or `storm` (one line in a group). */
  layout: 'full' | 'quiet' | 'storm';
}

/** A storm group: badge, name, the count it announces and the summary all its alerts share. */
export interface StormGroup {
  badge: Badge;
  name: string;
  count: number;
  summary?: string;
  alerts: MessageAlert[];
}

/** What a markdown alert message says. */
export interface ParsedMarkdownMessage {
  content: string;
  /** The first line as sent. */
  titleLine: string;
  /** The worst badge of the whole notification, in the title. */
  titleBadge: Badge;
  /** The title after the badge, without the part label: `DiskFull`, `NodeDown 等 2 种`. */
  title: string;
  /** `(index/total)` of a split notification. */
  part?: { index: number; total: number };
  /** The `📍` line without the pin. */
  where?: string;
  /** The header's counts by badge label (`严重`, `警告`, `恢复`, `已结束` …), in the order written. */
  counts: Map<string, number>;
  /** The `[查看全部](…)` link. */
  link?: string;
  /** The header's quoted sender message (Grafana contact point message). */
  senderMessage?: string;
  /** Every alert the message lists, in the order it lists them. */
  alerts: MessageAlert[];
  /** The storm groups, when the message uses the storm layout. */
  groups: StormGroup[];
  /** The `另有 N 条告警未列出` count (the sender's max-alerts cut), or 0. */
  leftOut: number;
}

const BADGE = /^(\S+) <font color="(\w+)">(?:\*\*([^<]+?)\*\*|([^<]+))<\/font>(.*)$/;
const GROUP_REST = /^ \*\*(.+?)\*\* ×(\d+)(?: <font color="comment">(.*)<\/font>)?$/;
const PART = / \((\d+)\/(\d+)\)$/;
const COUNT = /^(\S+) (\S+) (\d+)$/;
const LINK = /^\[查看全部\]\((.+)\)$/;
const LEFT_OUT = /^<font color="comment">另有 (\d+) 条告警未列出/;

/** parseBadge reads `🔴 <font color="warning">**严重**</font>…` into the badge and the rest of the line. */
export function parseBadge(line: string): { badge: Badge; rest: string } | undefined {
  const match = BADGE.exec(line);
  if (!match) return undefined;
  const bold = match[3] !== undefined;
  return { badge: { emoji: match[1], color: match[2], label: (bold ? match[3] : match[4]).trim(), bold }, rest: match[5] };
}

/** statusOf says whether a badge marks a resolution (已恢复, 已结束（…）) or a firing alert. */
export function statusOf(badge: Badge): 'firing' | 'resolved' {
  return badge.label === '已恢复' || badge.label.startsWith('已结束') ? 'resolved' : 'firing';
}

/** keyOf is the part of a line before its first ` · ` (what tells an alert apart). */
function keyOf(text: string): string {
  const cut = text.indexOf(' · ');
  return (cut < 0 ? text : text.slice(0, cut)).trim();
}

/** parseMarkdownMessage parses one markdown message body; throws on a title that has no badge. */
export function parseMarkdownMessage(content: string): ParsedMarkdownMessage {
  const [head, ...blocks] = content.split('\n\n');
  const [titleLine, ...headerLines] = head.split('\n');
  const title = parseBadge(titleLine.replace(/^## /, ''));
  if (!titleLine.startsWith('## ') || !title) throw new Error(`not a built-in alert message title: ${JSON.stringify(titleLine)}`);
  const part = PART.exec(title.rest);
  const parsed: ParsedMarkdownMessage = {
    content,
    titleLine,
    titleBadge: title.badge,
    title: title.rest.replace(PART, '').trim(),
    ...(part ? { part: { index: Number(part[1]), total: Number(part[2]) } } : {}),
    counts: new Map(),
    alerts: [],
    groups: [],
    leftOut: 0,
  };
  for (const line of headerLines) {
    if (line.startsWith('📍 ')) parsed.where = line.slice('📍 '.length);
    else if (line.startsWith('> ')) parsed.senderMessage = [parsed.senderMessage, line.slice(2)].filter(Boolean).join('\n');
    else readCounts(line, parsed);
  }
  for (const block of blocks) readBlock(block, parsed);
  return parsed;
}

function readCounts(line: string, parsed: ParsedMarkdownMessage): void {
  for (const token of line.split(' · ')) {
    const count = COUNT.exec(token);
    const link = LINK.exec(token);
    if (count) parsed.counts.set(count[2], Number(count[3]));
    else if (link) parsed.link = link[1];
    else throw new Error(`unexpected header line: ${JSON.stringify(line)}`);
  }
}

function readBlock(block: string, parsed: ParsedMarkdownMessage): void {
  const lines = block.split('\n');
  const leftOut = LEFT_OUT.exec(lines[0]);
  if (leftOut) {
    parsed.leftOut = Number(leftOut[1]);
    return;
  }
  const first = parseBadge(lines[0]);
  const group = first && GROUP_REST.exec(first.rest);
  if (first && group) {
    const alerts = lines.slice(1).map((line): MessageAlert => ({ badge: first.badge, status: statusOf(first.badge), name: group[1], key: keyOf(line), text: line, layout: 'storm' }));
    parsed.groups.push({ badge: first.badge, name: group[1], count: Number(group[2]), ...(group[3] ? { summary: group[3] } : {}), alerts });
    parsed.alerts.push(...alerts);
    return;
  }
  if (first) {
    const named = /^ \*\*(.+?)\*\*(.*)$/.exec(first.rest);
    const rest = named ? named[2] : first.rest;
    const status = statusOf(first.badge);
    parsed.alerts.push({
      badge: first.badge,
      status,
      ...(named ? { name: named[1] } : {}),
      key: status === 'resolved' ? keyOf(rest) : rest.trim(),
      text: block,
      layout: status === 'resolved' ? 'quiet' : 'full',
    });
    return;
  }
  // A one-alert message: the block is that alert, wearing the title's badge.
  const status = statusOf(parsed.titleBadge);
  parsed.alerts.push({ badge: parsed.titleBadge, status, key: '', text: block, layout: status === 'resolved' ? 'quiet' : 'full' });
}
