import type { Notification } from '../model/notification';
import type { MessageFormat } from './format';
import type { Mention, PackedMessage } from './packed-message';
import { byteLength } from './bytes';

/**
 * Mentions (wecom-api.md §1.5): who a message with firing alerts pages, and how — inline
 * `<@userid>` in markdown, the `mentioned_list` fields of a text message, or, where the msgtype
 * cannot express it (mobiles, @all, markdown_v2, cards), a companion text message sent right after.
 */
export type { Mention } from './packed-message';

/** inlineMentionText: the `<@id>` suffix of a markdown message (its bytes are reserved while packing). */
export function inlineMentionText(format: MessageFormat, mention: Mention | undefined): string {
  if (format.mentions !== 'inline' || !mention || mention.users.length === 0) return '';
  return mention.users.map((user) => `<@${user}>`).join(' ');
}

/** mentionFor: the receiver's mention, or a generic message's own; only for messages with firing alerts. */
export function mentionFor(notification: Notification | undefined, firing: boolean, receiverMention: Mention | undefined): Mention | undefined {
  if (!notification || !firing) return undefined;
  const override = notification.kind === 'message' ? notification.mention : undefined;
  const mention = override ? { users: override.users ?? [], mobiles: override.mobiles ?? [], all: override.all ?? false } : receiverMention;
  if (!mention || (mention.users.length === 0 && mention.mobiles.length === 0 && !mention.all)) return undefined;
  return mention;
}

/**
 * companionFor: markdown can only mention `<@userid>`; mobiles and @all need a text message, and
 * markdown_v2 / cards cannot mention at all. The companion counts against the robot's rate limit
 * like any message.
 */
export function companionFor(mention: Mention, format: MessageFormat, alertCount: number): PackedMessage | undefined {
  if (format.mentions === 'fields') return undefined;
  const needs = format.mentions === 'none' ? true : mention.mobiles.length > 0 || mention.all;
  if (!needs) return undefined;
  const users = format.mentions === 'inline' ? [] : mention.users;
  const list = [...users, ...(mention.all ? ['@all'] : [])];
  const content = `请关注以上 ${alertCount} 条告警`;
  return {
    msgtype: 'text',
    content,
    mention: { users: list, mobiles: mention.mobiles, all: false },
    sections: [],
    alertCount: 0,
    bytes: byteLength(content),
    truncated: false,
    companion: true,
  };
}
