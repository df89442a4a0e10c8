import { DEFAULT_WHERE_LABELS, type MessagesConfig } from '../config/messages-schema';
import { createSeverityScheme, DEFAULT_SEVERITY_SCHEME, type SeverityScheme } from './severity';

/**
 * MessageStyle is the configured look of alert messages (`messages:` in config): which labels say
 * where an alert lives and the severity scheme. Built once per config (RuntimeState), passed to the
 * packer and the template helpers.
 */
export interface MessageStyle {
  whereLabels: readonly string[];
  severity: SeverityScheme;
}

export const DEFAULT_MESSAGE_STYLE: MessageStyle = { whereLabels: DEFAULT_WHERE_LABELS, severity: DEFAULT_SEVERITY_SCHEME };

/** messageStyleOf builds the style from the validated `messages` config. */
export function messageStyleOf(config: MessagesConfig | undefined): MessageStyle {
  if (!config) return DEFAULT_MESSAGE_STYLE;
  return { whereLabels: config.where_labels, severity: createSeverityScheme(config.severity) };
}
