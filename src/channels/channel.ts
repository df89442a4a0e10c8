import type { ReceiverKind } from '../config/schema';
import type { MessageFormat } from '../render/format';
import type { Mention, PackedMessage } from '../render/packer';
import type { SendResult } from './send-result';
import type { Notification } from '../model/notification';

/**
 * SendContext: the queued items a packed message carries ([start, end) of each notification), for
 * channels that need the alerts themselves and not only the rendered text (interactive app cards).
 */
export interface SendContext {
  items: { notification: Notification; start: number; end: number }[];
}

/**
 * Channel is one configured receiver's way to WeCom (robot, app) or to stdout (console).
 * It builds the request for an already rendered and packed message, sends it once, and classifies
 * the outcome. Retries, rate limits and coalescing live in the outbox worker, not here.
 */
export interface Channel {
  readonly name: string;
  readonly kind: ReceiverKind;
  readonly format: MessageFormat;
  readonly mention?: Mention;
  /** Messages per window this receiver accepts (robot: 20/min); undefined = unlimited. */
  readonly rateLimit?: { count: number; perMs: number };
  send(message: PackedMessage, context?: SendContext): Promise<SendResult>;
  /** requestBody shows the exact JSON that send() would POST (render command, web console). */
  requestBody(message: PackedMessage): unknown;
  /** Secret values this channel holds, so logs and errors can be scrubbed of them. */
  secrets(): string[];
}
