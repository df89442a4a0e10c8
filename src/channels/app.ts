import type { AppConfig } from '../config/schema';
import { messageFormat, type MessageFormat } from '../render/format';
import type { PackedMessage } from '../render/packer';
import type { Channel } from './channel';
import type { WecomHttp } from './http-client';
import type { SendResult } from './send-result';
import type { TokenCache } from './token-cache';

/** AppChannel: WeCom application messages (issue 4 replaces this placeholder with the real channel). */
export interface AppChannelDeps {
  http: WecomHttp;
  apiBase: string;
  rateLimitedBackoffMs: number;
  tokens: TokenCache;
}

export class AppChannel implements Channel {
  readonly kind = 'app' as const;
  readonly format: MessageFormat;

  constructor(
    readonly name: string,
    private readonly config: AppConfig,
    private readonly deps: AppChannelDeps,
  ) {
    this.format = messageFormat('app', config.msgtype);
  }

  async send(_message: PackedMessage): Promise<SendResult> {
    void this.deps;
    return { ok: false, retry: false, reason: 'not_implemented', error: 'app receivers are not implemented yet' };
  }

  requestBody(message: PackedMessage): unknown {
    return { msgtype: message.msgtype, agentid: this.config.agent_id };
  }

  secrets(): string[] {
    return [this.config.secret ?? ''].filter(Boolean);
  }
}
