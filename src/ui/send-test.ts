import { sendTest } from '../commands/send-test-core';
import { HttpError } from '../http/errors';
import type { Service } from '../service';

/**
 * The console's "send test message": the same sendTest as the CLI, on the running service's
 * channel. Unlike the CLI it shares the robot's rate-limit window with the worker, so the test
 * takes a slot (and waits for one rather than pushing a queued alert into 45009).
 */
export async function sendTestMessage(service: Service, receiver: string): Promise<{ ok: boolean; sent: boolean; lines: string[] }> {
  const state = service.current;
  const channel = state.channels.get(receiver);
  if (!channel) throw new HttpError(404, `unknown receiver "${receiver}"`);
  const now = service.clock();
  const limit = channel.rateLimit;
  if (limit && service.limiter.available(receiver, limit, now) <= 0) {
    const seconds = Math.ceil((service.limiter.nextFreeAt(receiver, limit, now) - now) / 1000);
    return {
      ok: false,
      sent: false,
      lines: [`未发送：接收者 ${receiver} 在当前窗口内的发送额度已用完（${limit.count} 条），为不挤占排队中的告警，请约 ${seconds} 秒后再试 (rate limit used up; try again in ${seconds}s).`],
    };
  }
  if (limit) service.limiter.record(receiver, now);
  const result = await sendTest(channel, new Date(now), { timezone: state.config.server.timezone, usesProxy: state.http.usesProxy });
  return { ...result, sent: true };
}
