import { randomBytes } from 'node:crypto';
import { truncateBytes } from '../render/bytes';
import { LIMITS } from '../render/limits';
import type { CardAlert, CardState } from './action-store';
import { ackLine, CARD_FIELD_LIMITS, cardText, durationLabel, silenceLine, sinceOf, whereOf, worstSeverity } from './card-text';

/**
 * The `template_card` of an app message (发送应用消息 /90236, template_card): `button_interaction`
 * for firing alerts — title, severity, where, summary, since when, a link, and the buttons
 * 认领 (key `ack`) and 静默 1h / 4h / 24h (keys `silence:1h`, …) — and `text_notice` for everything
 * else (resolved alerts, generic messages), which needs no buttons. Field lengths follow the
 * documented limits (LIMITS.card*, CARD_FIELD_LIMITS), counted in UTF-8 bytes. `task_id` is unique
 * per app: `[A-Za-z0-9_\-@]`, at most 128 bytes.
 */
export interface CardContent {
  /** First rendered line of the `card` template (the packer keeps it within LIMITS.cardTitle). */
  title: string;
  /** The rest of the rendered card text (within LIMITS.cardSubTitle). */
  text: string;
  /** Where the card links (the alert's source link, else server.external_url, else WeCom's portal). */
  url: string;
  /** Source system shown on top (Alertmanager, Grafana, Kibana, 消息通知). */
  source: string;
}

export interface ButtonOptions {
  silenceDurations: number[];
  timezone: string;
}

export const ACK_KEY = 'ack';
export const SILENCE_KEY_PREFIX = 'silence:';

/** newTaskId: a fresh card id (time-ordered, random suffix). */
export function newTaskId(now: number): string {
  return `wa_${now.toString(36)}_${randomBytes(6).toString('hex')}`;
}

/** silenceKey: the button key of "静默 <d>"; parseSilenceKey reverses it (ms), only for configured durations. */
export function silenceKey(ms: number): string {
  return `${SILENCE_KEY_PREFIX}${ms}`;
}

export function parseSilenceKey(key: string, allowed: number[]): number | undefined {
  if (!key.startsWith(SILENCE_KEY_PREFIX)) return undefined;
  const ms = Number(key.slice(SILENCE_KEY_PREFIX.length));
  return allowed.includes(ms) ? ms : undefined;
}

/** buttonCard builds the card for firing alerts, reflecting `state` (acknowledged, silenced, failed). */
export function buttonCard(taskId: string, content: CardContent, alerts: CardAlert[], options: ButtonOptions, state: CardState = {}): Record<string, unknown> {
  const fields: { keyname: string; value: string }[] = [{ keyname: '级别', value: worstSeverity(alerts) }];
  const where = whereOf(alerts);
  if (where) fields.push({ keyname: '位置', value: where });
  const since = sinceOf(alerts, options.timezone);
  if (since) fields.push({ keyname: '开始', value: since });
  if (state.ack) fields.push({ keyname: '认领', value: ackLine(state.ack.user, state.ack.at, options.timezone) });
  if (state.silence) fields.push({ keyname: '静默', value: silenceLine(state.silence.user, state.silence.at, state.silence.until, options.timezone) });
  if (state.silence?.ids.length) fields.push({ keyname: '静默ID', value: state.silence.ids.join(',') });
  if (state.error) fields.push({ keyname: '失败', value: state.error });
  if (state.escalated) fields.push({ keyname: '升级', value: `已升级 ${state.escalated} 次` });

  const buttons = [
    ...(state.ack ? [] : [{ text: '认领 Ack', style: 1, key: ACK_KEY }]),
    ...options.silenceDurations.map((ms) => ({ text: `静默 ${durationLabel(ms)}`, style: 2, key: silenceKey(ms) })),
  ];
  const card: Record<string, unknown> = {
    card_type: 'button_interaction',
    source: { desc: cardText(content.source, 39), desc_color: state.silence || state.ack ? 0 : 2 },
    main_title: { title: truncateBytes(content.title || '告警通知', LIMITS.cardTitle) },
    ...(content.text ? { sub_title_text: truncateBytes(content.text, LIMITS.cardSubTitle) } : {}),
    horizontal_content_list: fields.slice(0, 6).map((field) => ({ keyname: cardText(field.keyname, CARD_FIELD_LIMITS.keyname), value: cardText(field.value, CARD_FIELD_LIMITS.value) })),
    card_action: { type: 1, url: content.url },
    ...(state.silence?.url ? { jump_list: [{ type: 1, title: '查看或解除静默', url: state.silence.url }] } : {}),
    task_id: taskId,
    button_list: buttons.map((button) => ({ ...button, text: cardText(button.text, CARD_FIELD_LIMITS.buttonText) })),
  };
  // Silenced: every button turns into one grey, unclickable line (button_interaction `replace_text`).
  if (state.silence) card.replace_text = cardText(silenceLine(state.silence.user, state.silence.at, state.silence.until, options.timezone), CARD_FIELD_LIMITS.replaceText);
  return card;
}

/** noticeCard: a plain text_notice card (no buttons) for resolved alerts and generic messages. */
export function noticeCard(content: CardContent): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: cardText(content.source, 39), desc_color: 0 },
    main_title: { title: truncateBytes(content.title || '通知', LIMITS.cardTitle) },
    ...(content.text ? { sub_title_text: truncateBytes(content.text, LIMITS.cardSubTitle) } : {}),
    card_action: { type: 1, url: content.url },
  };
}
