import type { ReceiverKind } from '../config/schema';
import type { Notification } from '../model/notification';
import type { TemplateVariant } from './engine';
import type { SanitizeMode } from './sanitize';
import { LIMITS } from './limits';

/**
 * MessageFormat describes how one receiver kind + msgtype is rendered and measured: which template
 * variant, how payload values are sanitized, the byte budget of the content, and how mentions can
 * be expressed (inline `<@id>`, fields of a text message, or not at all → companion text message).
 */
export interface MessageFormat {
  msgtype: string;
  variant: TemplateVariant;
  sanitize: SanitizeMode;
  /** Byte limit of the measured field (content, or description for cards). */
  limit: number;
  /** Limit of the title line for card-like formats (first rendered line is the title). */
  titleLimit?: number;
  /** inline: `<@userid>` in content; fields: text mentioned_list; none: companion text message. */
  mentions: 'inline' | 'fields' | 'none';
  /** Strip `<font>` tags and inline mentions (markdown_v2 supports neither). */
  plainMarkdown?: boolean;
}

export function messageFormat(kind: ReceiverKind, msgtype: string): MessageFormat {
  if (kind === 'robot') {
    switch (msgtype) {
      case 'text':
        return { msgtype, variant: 'text', sanitize: 'text', limit: LIMITS.robotText, mentions: 'fields' };
      case 'markdown_v2':
        return { msgtype, variant: 'md', sanitize: 'markdown', limit: LIMITS.robotMarkdownV2, mentions: 'none', plainMarkdown: true };
      case 'news':
        return { msgtype, variant: 'news', sanitize: 'text', limit: LIMITS.newsDescription, titleLimit: LIMITS.newsTitle, mentions: 'none' };
      case 'template_card':
        return { msgtype, variant: 'card', sanitize: 'text', limit: LIMITS.cardSubTitle, titleLimit: LIMITS.cardTitle, mentions: 'none' };
      default:
        return { msgtype: 'markdown', variant: 'md', sanitize: 'markdown', limit: LIMITS.robotMarkdown, mentions: 'inline' };
    }
  }
  if (kind === 'app') {
    switch (msgtype) {
      case 'text':
        return { msgtype, variant: 'text', sanitize: 'text', limit: LIMITS.appText, mentions: 'none' };
      case 'textcard':
        return { msgtype, variant: 'textcard', sanitize: 'text', limit: LIMITS.textcardDescription, titleLimit: LIMITS.textcardTitle, mentions: 'none' };
      default:
        return { msgtype: 'markdown', variant: 'md', sanitize: 'markdown', limit: LIMITS.appMarkdown, mentions: 'none' };
    }
  }
  // console: same budget as a robot so what you see is what a robot would get.
  return msgtype === 'text'
    ? { msgtype, variant: 'text', sanitize: 'text', limit: LIMITS.robotText, mentions: 'fields' }
    : { msgtype: 'markdown', variant: 'md', sanitize: 'markdown', limit: LIMITS.robotMarkdown, mentions: 'inline' };
}

/** Robot / app / console msgtypes a receiver of each kind accepts (config and per-message overrides). */
export const MSGTYPES: Record<ReceiverKind, readonly string[]> = {
  robot: ['markdown', 'markdown_v2', 'text', 'news', 'template_card'],
  app: ['markdown', 'text', 'textcard'],
  console: ['markdown', 'text'],
};

/**
 * formatOf is the format a queued notification is rendered and sent in on a receiver: the
 * receiver's own, or a generic message's `msgtype` override (`POST /api/v1/messages`). The worker
 * packs only consecutive notifications that share a format into one message.
 */
export function formatOf(receiver: { kind: ReceiverKind; format: MessageFormat }, notification: Notification): MessageFormat {
  const override = notification.kind === 'message' ? notification.msgtype : undefined;
  if (!override || override === receiver.format.msgtype || !MSGTYPES[receiver.kind].includes(override)) return receiver.format;
  return messageFormat(receiver.kind, override);
}
