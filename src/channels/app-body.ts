import type { AppConfig } from '../config/schema';
import { byteLength } from '../render/bytes';
import { LIMITS } from '../render/limits';
import type { PackedMessage } from '../render/packer';

/**
 * appBody builds the documented `message/send` JSON for an application message (wecom-api.md §2.3):
 * https://developer.work.weixin.qq.com/document/path/90236
 * Recipients are `|`-joined and omitted when empty; `agentid` is a number; `safe` and
 * `enable_duplicate_check` are 0/1; `duplicate_check_interval` is in seconds (config holds ms).
 * The access token is not part of the body (it travels in the query string).
 */
export function appBody(config: AppConfig, message: PackedMessage, fallbackUrl?: string, templateCard?: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (config.to_user) body.touser = config.to_user;
  if (config.to_party) body.toparty = config.to_party;
  if (config.to_tag) body.totag = config.to_tag;
  body.msgtype = message.msgtype;
  body.agentid = Number(config.agent_id);
  // template_card: built from the alerts by interactive/card-builder.ts (buttons, task_id).
  body[message.msgtype] = message.msgtype === 'template_card' && templateCard ? templateCard : payloadOf(config, message, fallbackUrl);
  body.safe = config.safe ? 1 : 0;
  body.enable_duplicate_check = config.enable_duplicate_check ? 1 : 0;
  body.duplicate_check_interval = Math.round(config.duplicate_check_interval / 1000);
  return body;
}

function payloadOf(config: AppConfig, message: PackedMessage, fallbackUrl?: string): Record<string, unknown> {
  if (message.msgtype !== 'textcard') return { content: message.content };
  const title = message.title || '告警通知';
  return {
    title,
    // WeCom requires a description; an alert-less card (rare) repeats the title rather than fail.
    description: message.content || title,
    url: cardUrl(message.url, fallbackUrl),
    btntxt: config.btntxt,
  };
}

/**
 * DEFAULT_CARD_URL is where a textcard links when neither the message nor the config has a link:
 * textcard `url` is mandatory and must start with http(s):// (else errcode 45034). It opens the
 * WeCom web portal, which at least works; set `server.external_url` for something better.
 */
export const DEFAULT_CARD_URL = 'https://work.weixin.qq.com/';

/** cardUrl picks the first usable link: the message's own, the configured fallback, the default. */
export function cardUrl(...candidates: (string | undefined)[]): string {
  for (const candidate of candidates) {
    const url = candidate?.trim();
    if (url && /^https?:\/\/\S+$/i.test(url) && byteLength(url) <= LIMITS.textcardUrl) return url;
  }
  return DEFAULT_CARD_URL;
}
