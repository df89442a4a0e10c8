import type { Config, ReceiverConfig } from '../config/schema';
import type { Channel } from './channel';
import { ConsoleChannel } from './console';
import { RobotChannel } from './robot';
import type { WecomHttp } from './http-client';
import { AppChannel, type AppChannelDeps } from './app';
import type { TokenCache } from './token-cache';
import type { RecipientField } from './app-answer';

/** ChannelDeps: what every channel may need, injected so tests can swap any of it. */
export interface ChannelDeps {
  config: Config;
  http: WecomHttp;
  /** Shared by every app receiver, so receivers of the same app share one token. */
  tokens: TokenCache;
  consoleWrite?: (text: string) => void;
  /** App receivers: counts recipients WeCom skipped (errcode 0 with invaliduser/…). */
  onInvalidRecipients?: (receiver: string, field: RecipientField, count: number) => void;
  /** Interactive app cards: where sent cards are recorded (interactive/action-store.ts). */
  cards?: AppChannelDeps['cards'];
  clock?: () => number;
}

/** createChannel builds the channel for one configured receiver. */
export function createChannel(receiver: ReceiverConfig, deps: ChannelDeps): Channel {
  const common = { http: deps.http, apiBase: deps.config.wecom.api_base, rateLimitedBackoffMs: deps.config.delivery.retry.rate_limited_backoff };
  if (receiver.robot) return new RobotChannel(receiver.name, receiver.robot, { ...common, fallbackUrl: deps.config.server.external_url });
  if (receiver.app) {
    const app = { ...common, tokens: deps.tokens, fallbackUrl: deps.config.server.external_url, onInvalidRecipients: deps.onInvalidRecipients, cards: deps.cards, timezone: deps.config.server.timezone, clock: deps.clock };
    return new AppChannel(receiver.name, receiver.app, app);
  }
  return new ConsoleChannel(receiver.name, receiver.console!, deps.consoleWrite);
}

/** createChannels builds every receiver's channel, keyed by receiver name. */
export function createChannels(deps: ChannelDeps): Map<string, Channel> {
  return new Map(deps.config.receivers.map((receiver) => [receiver.name, createChannel(receiver, deps)]));
}
