import type { RuntimeState } from '../runtime-state';
import { HttpError } from '../errors/http-error';
import { pack } from '../render/packer';
import { findSource } from '../sources/registry';
import type { Notification } from '../model/notification';
import { planMessage } from './message-plan';
import { planNotifications } from './plan';

/**
 * previewPayload is the dry run behind `render` and the web console's playground: it parses a
 * payload, routes it, and renders every message exactly as the worker would send it (the same
 * packer, formats and request bodies), without sending or storing anything.
 */
export interface PreviewMessage {
  msgtype: string;
  content: string;
  bytes: number;
  limit: number;
  alertCount: number;
  truncated: boolean;
  companion: boolean;
  body: unknown;
}

export interface Preview {
  source: string;
  skipped?: string;
  alerts: { name: string; status: string; fingerprint: string; receivers: string[]; suppressed: string[]; routes: string[] }[];
  notifications: { receiver: string; kind: string; template: string; messages: PreviewMessage[] }[];
}

export function previewPayload(state: RuntimeState, sourceName: string, body: unknown, now: number, pinnedReceiver?: string): Preview {
  const source = findSource(sourceName);
  if (!source) throw new HttpError(404, `unknown source "${sourceName}" (use alertmanager, grafana or kibana)`);
  if (pinnedReceiver && !state.channels.has(pinnedReceiver)) throw new HttpError(404, `unknown receiver "${pinnedReceiver}"`);
  const parsed = source.parse(body, new Date(now));
  const plan = planNotifications(parsed, state.config.route, pinnedReceiver, state.style.severity);
  // A notice (a Kibana connector test) is delivered as a message, routed like the source's alerts.
  const notices = parsed.notice ? planMessage({ ...parsed.notice, labels: {}, ...(pinnedReceiver ? { receiver: pinnedReceiver } : {}) }, state, now, parsed.source) : [];
  const notifications: Notification[] = [...plan.notifications, ...notices];
  return {
    source: parsed.source,
    skipped: parsed.skipped,
    alerts: plan.routing.map(({ alert, targets, suppressed }) => ({
      name: alert.name,
      status: alert.status,
      fingerprint: alert.fingerprint,
      receivers: targets.map((target) => target.receiver).filter((name) => !suppressed.includes(name)),
      suppressed,
      routes: [...new Set(targets.map((target) => target.routePath))],
    })),
    notifications: notifications.map((notification) => {
      const channel = state.channels.get(notification.receiver)!;
      const messages = pack([{ id: 'preview', notification, offset: 0, partsSent: 0 }], {
        engine: state.engine,
        format: channel.format,
        style: state.style,
        timezone: state.config.server.timezone,
        now,
        mention: channel.mention,
      });
      return {
        receiver: notification.receiver,
        kind: channel.kind,
        template: notification.template,
        messages: messages.map((message) => ({
          msgtype: message.msgtype,
          content: message.content,
          bytes: message.bytes,
          limit: message.companion ? 2048 : channel.format.limit,
          alertCount: message.alertCount,
          truncated: message.truncated,
          companion: message.companion,
          body: channel.requestBody(message),
        })),
      };
    }),
  };
}
