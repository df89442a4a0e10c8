import { performance } from 'node:perf_hooks';
import type { Channel, SendContext } from '../channels/channel';
import type { SendResult } from '../channels/send-result';
import type { Metrics } from '../metrics';
import type { PackedMessage } from '../render/packer';
import type { SlidingWindowLimiter } from './rate-limiter';
import type { OutboxStore } from './store';
import type { JobPart } from './notification-log';

/**
 * meteredSend performs one WeCom call and accounts for it everywhere it must be seen: the rate-limit
 * window, the duration histogram, the errcode counter and the delivery log (web console, rate state
 * after a restart). A channel that throws counts as a permanent failure. `jobs` names the outbox
 * jobs the message carried and their part numbers (the console's notification log).
 */
export interface MeteredSendDeps {
  store: OutboxStore;
  limiter: SlidingWindowLimiter;
  metrics: Metrics;
  clock: () => number;
}

export async function meteredSend(deps: MeteredSendDeps, channel: Channel, message: PackedMessage, source: string, jobs?: JobPart[], context?: SendContext): Promise<SendResult> {
  const started = performance.now();
  let result: SendResult;
  try {
    result = await channel.send(message, context);
  } catch (err) {
    result = { ok: false, retry: false, reason: 'exception', error: `unexpected error while sending: ${(err as Error).message}` };
  }
  // Counted when the call ends: WeCom saw the request no later than that, so spacing our window
  // from completion times keeps WeCom's own window (whatever its latency) within the limit.
  const at = deps.clock();
  deps.limiter.record(channel.name, at);
  deps.metrics.sendDuration.observe({ receiver: channel.name }, (performance.now() - started) / 1000);
  if (!result.ok) deps.metrics.wecomErrors.inc({ receiver: channel.name, errcode: result.errcode !== undefined ? String(result.errcode) : result.reason });
  await deps.store.recordDelivery({
    at,
    receiver: channel.name,
    source,
    msgtype: message.msgtype,
    status: result.ok ? 'sent' : result.retry ? 'retrying' : 'dead',
    errcode: result.ok ? 0 : result.errcode,
    reason: result.ok ? undefined : result.reason,
    error: result.ok ? undefined : result.error,
    alertCount: message.alertCount,
    bytes: message.bytes,
    body: JSON.stringify(channel.requestBody(message)),
    jobs,
  });
  return result;
}

/** sendContext: the alerts behind a packed message, for channels that act on them (interactive cards). */
export function sendContext(message: PackedMessage, jobs: { id: string; notification: SendContext['items'][number]['notification'] }[]): SendContext {
  return {
    items: message.sections.flatMap((section) => {
      const job = jobs.find((candidate) => candidate.id === section.id);
      return job ? [{ notification: job.notification, start: section.start, end: section.end }] : [];
    }),
  };
}
