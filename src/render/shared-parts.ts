import type { AlertNotification } from '../model/notification';
import { sanitizeRecord, sanitizeUrl, type SanitizeMode } from './sanitize';

/** The group-level values of an alert notification's context, sanitized (the same in every part). */
export interface SharedParts {
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL?: string;
}

/** sharedParts sanitizes the group-level values of a notification. */
export function sharedParts(notification: AlertNotification, mode: SanitizeMode): SharedParts {
  return {
    groupLabels: sanitizeRecord(notification.groupLabels, mode),
    commonLabels: sanitizeRecord(notification.commonLabels, mode),
    commonAnnotations: sanitizeRecord(notification.commonAnnotations, mode),
    externalURL: sanitizeUrl(notification.externalURL),
  };
}
