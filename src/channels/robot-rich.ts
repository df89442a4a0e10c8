import { truncateBytes } from '../render/bytes';
import { LIMITS } from '../render/limits';
import type { PackedMessage } from '../render/packer';
import { sanitizeUrl } from '../render/sanitize';
import { cardUrl } from './app-body';

/**
 * Rich robot bodies (wecom-api.md §1.2–1.3, https://developer.work.weixin.qq.com/document/path/91770):
 * `news` (one article: title ≤ 128 B, description ≤ 512 B, url required, picurl optional) and
 * `template_card` of card_type `text_notice`. WeCom documents the card's limits in characters as
 * recommendations ("建议不超过 N 个字"); they are enforced here as 3 × N bytes (a CJK character is
 * 3 B), so a card never overflows whatever script the text is in. Every field is cut with
 * truncateBytes, never inside a UTF-8 sequence.
 */
export const CARD_LIMITS = {
  /** source.desc: 13 characters. */
  sourceDesc: 39,
  /** main_title.title: 26 characters. */
  title: LIMITS.cardTitle,
  /** main_title.desc: 30 characters. */
  titleDesc: LIMITS.cardDesc,
  /** emphasis_content.title: 10 characters; .desc: 15 characters. */
  emphasisTitle: 30,
  emphasisDesc: 45,
  /** sub_title_text: 112 characters. */
  subTitle: LIMITS.cardSubTitle,
  /** horizontal_content_list: at most 6; keyname 5 characters, value 26 characters. */
  horizontalItems: 6,
  keyname: 15,
  value: 78,
  /** jump_list: at most 3; title 13 characters. */
  jumpItems: 3,
  jumpTitle: 39,
  url: 2048,
} as const;

/** newsBody: one article; `url` falls back to server.external_url, then the WeCom portal (it is required). */
export function newsBody(message: PackedMessage, fallbackUrl?: string): Record<string, unknown> {
  const title = truncateBytes(message.title || '通知', LIMITS.newsTitle);
  const article: Record<string, unknown> = {
    title,
    description: truncateBytes(message.content, LIMITS.newsDescription),
    url: cardUrl(message.url, fallbackUrl),
  };
  const picurl = sanitizeUrl(message.picurl);
  if (picurl && picurl.length <= CARD_LIMITS.url) article.picurl = picurl;
  return { msgtype: 'news', news: { articles: [article] } };
}

/**
 * templateCardBody: a `text_notice` card. main_title.title is the rendered title line, sub_title_text
 * the rendered description; the rest comes from `message.card` (card.ts). `card_action` (required for
 * text_notice) opens the first link, else server.external_url, else the WeCom portal.
 */
export function templateCardBody(message: PackedMessage, fallbackUrl?: string): Record<string, unknown> {
  const card = message.card;
  const title = truncateBytes(message.title || card?.source || '通知', CARD_LIMITS.title);
  const mainTitle: Record<string, unknown> = { title };
  if (card?.subtitle) mainTitle.desc = truncateBytes(card.subtitle, CARD_LIMITS.titleDesc);
  const body: Record<string, unknown> = { card_type: 'text_notice' };
  if (card?.source) body.source = { desc: truncateBytes(card.source, CARD_LIMITS.sourceDesc), desc_color: card.sourceColor };
  body.main_title = mainTitle;
  if (card?.figure) body.emphasis_content = { title: truncateBytes(card.figure.title, CARD_LIMITS.emphasisTitle), desc: truncateBytes(card.figure.desc, CARD_LIMITS.emphasisDesc) };
  if (message.content) body.sub_title_text = truncateBytes(message.content, CARD_LIMITS.subTitle);
  const fields = (card?.fields ?? []).slice(0, CARD_LIMITS.horizontalItems);
  if (fields.length > 0) {
    body.horizontal_content_list = fields.map((field) => ({ keyname: truncateBytes(field.keyname, CARD_LIMITS.keyname), value: truncateBytes(field.value, CARD_LIMITS.value) }));
  }
  const links = (card?.links ?? [])
    .map((link) => ({ title: link.title, url: sanitizeUrl(link.url) }))
    .filter((link): link is { title: string; url: string } => Boolean(link.url) && link.url!.length <= CARD_LIMITS.url)
    .slice(0, CARD_LIMITS.jumpItems);
  if (links.length > 0) body.jump_list = links.map((link) => ({ type: 1, url: link.url, title: truncateBytes(link.title, CARD_LIMITS.jumpTitle) }));
  body.card_action = { type: 1, url: cardUrl(message.url, links[0]?.url, fallbackUrl) };
  return { msgtype: 'template_card', template_card: body };
}
