import type { Channel } from './channels/channel';
import { createChannels, type ChannelDeps } from './channels/factory';
import { WecomHttp } from './channels/http-client';
import type { TokenCache } from './channels/token-cache';
import type { LoadedConfig } from './config/load';
import type { Config } from './config/schema';
import { TemplateEngine } from './render/engine';
import { messageStyleOf, type MessageStyle } from './render/message-style';
import { resolve } from 'node:path';

/**
 * RuntimeState is everything derived from one config: channels, templates, the HTTP client.
 * It is built completely before it replaces the running one, so a reload is atomic and a broken
 * config never half-applies.
 */
export interface RuntimeState {
  loaded: LoadedConfig;
  config: Config;
  channels: Map<string, Channel>;
  engine: TemplateEngine;
  http: WecomHttp;
  /** Message layout from `messages:` (where-labels, severity scheme). */
  style: MessageStyle;
}

export interface StateDeps {
  tokens: TokenCache;
  consoleWrite?: (text: string) => void;
  onTokenRefresh?: (receiver: string) => void;
  onInvalidRecipients?: (receiver: string, kind: string, count: number) => void;
  /** Interactive app cards are recorded here (issue 19). */
  cards?: ChannelDeps['cards'];
  clock?: () => number;
}

export function buildState(loaded: LoadedConfig, deps: StateDeps): RuntimeState {
  const { config } = loaded;
  const engine = TemplateEngine.load({ userDir: config.templates ? resolve(loaded.baseDir, config.templates) : undefined });
  const http = new WecomHttp({ timeoutMs: config.wecom.timeout, proxy: config.wecom.proxy });
  const channels = createChannels({ config, http, ...deps });
  return { loaded, config, channels, engine, http, style: messageStyleOf(config.messages) };
}

/** secretsOf lists every secret value in a state (for log scrubbing). */
export function secretsOf(state: RuntimeState): string[] {
  const auth = state.config.server.auth;
  return [
    ...[...state.channels.values()].flatMap((channel) => channel.secrets()),
    ...(auth?.bearer_tokens ?? []),
    ...(auth?.basic?.password ? [auth.basic.password] : []),
  ];
}
