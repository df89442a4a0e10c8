import { createHash } from 'node:crypto';
import type { Notification } from '../model/notification';

/**
 * dedupKey identifies "the same notification" (SPEC §6): source, receiver, template, group key and
 * each alert's fingerprint with its status. HA Alertmanager pairs produce identical values, but
 * their `externalURL` and payload `receiver` can differ, so those stay out of the key.
 */
export function dedupKey(notification: Notification): string {
  const hash = createHash('sha256');
  if (notification.kind === 'alerts') {
    hash.update(['alerts', notification.source, notification.receiver, notification.template, notification.groupKey ?? ''].join('\u0000'));
    for (const alert of notification.alerts) hash.update(`\u0000${alert.fingerprint}:${alert.status}`);
  } else {
    hash.update(['message', notification.source, notification.receiver, notification.title, notification.content, notification.createdAt].join('\u0000'));
  }
  return hash.digest('hex');
}
