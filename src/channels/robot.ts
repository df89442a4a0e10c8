import type { RobotConfig } from '../config/schema';
import { messageFormat, type MessageFormat } from '../render/format';
import type { Mention, PackedMessage } from '../render/packer';
import type { Channel } from './channel';
import { classifyOutcome } from './classify';
import type { WecomHttp } from './http-client';
import type { SendResult } from './send-result';
import { newsBody, templateCardBody } from './robot-rich';

/**
 * RobotChannel posts to a WeCom group robot webhook (群机器人, wecom-api.md §1).
 * https://developer.work.weixin.qq.com/document/path/91770
 */
export interface RobotChannelDeps {
  http: WecomHttp;
  apiBase: string;
  rateLimitedBackoffMs: number;
  /** Link of last resort for news and template_card (`server.external_url`). */
  fallbackUrl?: string;
}

export class RobotChannel implements Channel {
  readonly kind = 'robot' as const;
  readonly format: MessageFormat;
  readonly mention: Mention;
  readonly rateLimit: { count: number; perMs: number };
  private readonly url: string;

  constructor(
    readonly name: string,
    private readonly config: RobotConfig,
    private readonly deps: RobotChannelDeps,
  ) {
    this.format = messageFormat('robot', config.msgtype);
    this.mention = config.mention;
    this.rateLimit = { count: config.rate_limit.count, perMs: config.rate_limit.per };
    this.url = config.url ?? `${deps.apiBase.replace(/\/+$/, '')}/cgi-bin/webhook/send?key=${encodeURIComponent(config.key ?? '')}`;
  }

  async send(message: PackedMessage): Promise<SendResult> {
    const outcome = await this.deps.http.postJson(this.url, this.requestBody(message));
    return classifyOutcome(outcome, this.deps.rateLimitedBackoffMs).result;
  }

  requestBody(message: PackedMessage): unknown {
    return robotBody(message, this.deps.fallbackUrl);
  }

  secrets(): string[] {
    return [this.config.key, this.config.url].filter((value): value is string => Boolean(value));
  }
}

/**
 * robotBody builds the documented JSON for each robot msgtype (wecom-api.md §1.3). news and
 * template_card need a link: the message's own, else `fallbackUrl`, else the WeCom portal.
 */
export function robotBody(message: PackedMessage, fallbackUrl?: string): Record<string, unknown> {
  switch (message.msgtype) {
    case 'text': {
      const text: Record<string, unknown> = { content: message.content };
      if (message.mention) {
        const users = [...message.mention.users, ...(message.mention.all ? ['@all'] : [])];
        if (users.length > 0) text.mentioned_list = users;
        if (message.mention.mobiles.length > 0) text.mentioned_mobile_list = message.mention.mobiles;
      }
      return { msgtype: 'text', text };
    }
    case 'markdown_v2':
      return { msgtype: 'markdown_v2', markdown_v2: { content: message.content } };
    case 'news':
      return newsBody(message, fallbackUrl);
    case 'template_card':
      return templateCardBody(message, fallbackUrl);
    default:
      return { msgtype: 'markdown', markdown: { content: message.content } };
  }
}
