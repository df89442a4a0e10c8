import type { ConsoleConfig } from '../config/schema';
import { messageFormat, type MessageFormat } from '../render/format';
import type { PackedMessage } from '../render/packer';
import type { Channel } from './channel';
import { robotBody } from './robot';
import { sendOk, type SendResult } from './send-result';

/**
 * ConsoleChannel prints each message to stdout, exactly as a robot would receive it: the embedded
 * default config routes everything here so a new user sees rendered messages at once.
 */
export class ConsoleChannel implements Channel {
  readonly kind = 'console' as const;
  readonly format: MessageFormat;

  constructor(
    readonly name: string,
    config: ConsoleConfig,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {
    this.format = messageFormat('console', config.msgtype);
  }

  async send(message: PackedMessage): Promise<SendResult> {
    const rule = '─'.repeat(8);
    this.write(`${rule} ${this.name} · ${message.msgtype} · ${message.alertCount} alert(s) · ${message.bytes}/${this.format.limit} B ${rule}\n${message.content}\n\n`);
    return sendOk();
  }

  requestBody(message: PackedMessage): unknown {
    return robotBody(message);
  }

  secrets(): string[] {
    return [];
  }
}
