import type { Config, ReceiverConfig } from '../config/schema';
import type { Channel } from './channel';
import { ConsoleChannel } from './console';
import { RobotChannel } from './robot';
import type { WecomHttp } from './http-client';
import { AppChannel } from './app';
import type { TokenCache } from './token-cache';

/** ChannelDeps: what every channel may need, injected so tests can swap any of it. */
export interface ChannelDeps {
  config: Config;
  http: WecomHttp;
  tokens: TokenCache;
  consoleWrite?: (text: string) => void;
}

/** createChannel builds the channel for one configured receiver. */
export function createChannel(receiver: ReceiverConfig, deps: ChannelDeps): Channel {
  const common = { http: deps.http, apiBase: deps.config.wecom.api_base, rateLimitedBackoffMs: deps.config.delivery.retry.rate_limited_backoff };
  if (receiver.robot) return new RobotChannel(receiver.name, receiver.robot, common);
  if (receiver.app) return new AppChannel(receiver.name, receiver.app, { ...common, tokens: deps.tokens });
  return new ConsoleChannel(receiver.name, receiver.console!, deps.consoleWrite);
}

/** createChannels builds every receiver's channel, keyed by receiver name. */
export function createChannels(deps: ChannelDeps): Map<string, Channel> {
  return new Map(deps.config.receivers.map((receiver) => [receiver.name, createChannel(receiver, deps)]));
}
