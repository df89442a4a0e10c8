import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Channel } from '../channels/channel';
import { TokenCache } from '../channels/token-cache';
import { parseDuration } from '../config/duration';
import { digestTitle } from '../digest/build';
import { prepareDigest } from '../digest/schedule';
import type { HistoryStore } from '../history/history-store';
import { SqliteHistoryStore } from '../history/sqlite-history-store';
import { RedisHistoryStore } from '../history/redis-history-store';
import { createRedis, waitReady } from '../redis/client';
import { formatOf } from '../render/format';
import { pack, type PackedMessage } from '../render/packer';
import { buildState } from '../runtime-state';
import { resolveConfig } from './resolve-config';
import { explainFailure } from './send-test-explain';

/**
 * digest: build the named digest over the last period now and send it, or print it with --dry-run
 * (SPEC §2), for trying a digest without waiting for its schedule.
 *
 * It reads the alert history the service records under `storage.path` (history.sqlite), and it
 * sends **directly through the receiver's channel**, once, reporting WeCom's answer like send-test:
 * the operator sees at once whether it arrived, whether or not the service is running. It does not
 * go through the outbox, so there is no retry, and the message is not counted in the running
 * service's rate-limit window (one message; WeCom answers 45009 if the robot is at its limit, and
 * the command says so). Scheduled digests, in contrast, are queued by the service like any alert.
 */
export interface DigestCommandOptions {
  config?: string;
  name: string;
  /** Duration (`1h`, `24h`); default: the digest's `period`, else since the previous scheduled run. */
  period?: string;
  dryRun?: boolean;
}

export interface DigestCommandDeps {
  history?: HistoryStore;
  now?: number;
}

export async function digestCommand(
  options: DigestCommandOptions,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  deps: DigestCommandDeps = {},
): Promise<number> {
  const { loaded } = resolveConfig(options.config);
  const { config } = loaded;
  const digest = config.digests.find((candidate) => candidate.name === options.name);
  if (!digest) {
    const names = config.digests.map((candidate) => candidate.name);
    err(`unknown digest "${options.name}"; ${names.length > 0 ? `configured: ${names.join(', ')}` : 'no digests are configured (digests: in the config)'}`);
    return 1;
  }
  let periodMs: number | undefined;
  if (options.period !== undefined) {
    periodMs = parseDuration(options.period);
    if (periodMs === undefined || periodMs <= 0) {
      err(`--period: invalid duration ${JSON.stringify(options.period)} (use e.g. 30m, 1h, 24h)`);
      return 2;
    }
  }
  const now = deps.now ?? Date.now();
  const timezone = config.server.timezone;
  const dir = resolve(config.storage.path);
  let history = deps.history;
  let ownHistory = false;
  let redis: ReturnType<typeof createRedis> | undefined;
  if (!history && config.storage.redis) {
    // Several replicas: the history is shared in Redis.
    redis = createRedis(config.storage.redis.url);
    await waitReady(redis);
    history = new RedisHistoryStore(redis, config.storage.redis.key_prefix);
  }
  if (!history) {
    if (!existsSync(join(dir, 'history.sqlite'))) {
      err(`note: no alert history at ${join(dir, 'history.sqlite')} yet (the service records alerts there as they arrive; storage.path is relative to the working directory)`);
      history = EMPTY_HISTORY;
    } else {
      history = new SqliteHistoryStore(dir);
      ownHistory = true;
    }
  }
  const state = buildState(loaded, { tokens: new TokenCache() });
  try {
    const { summary, notification } = await prepareDigest(history, digest, { timezone, to: now, now, periodMs });
    const channel = state.channels.get(digest.receiver)!;
    const format = formatOf(channel, notification);
    const messages = pack([{ id: 'digest', notification, offset: 0, partsSent: 0 }], { engine: state.engine, format, timezone, now, mention: channel.mention });
    out(`digest ${digest.name} → receiver ${digest.receiver} (${channel.kind}, ${format.msgtype}): ${digestTitle(summary, timezone)} (${timezone})`);
    out(`alerts ${summary.alerts} · fired ${summary.firing} · resolved ${summary.resolved} · still firing ${summary.stillFiringTotal}${summary.mttr ? ` · mean time to resolve ${summary.mttr}` : ''}`);
    const skip = summary.empty && !digest.send_empty;
    if (options.dryRun) {
      if (skip) out('the period is empty: a scheduled run would send nothing (send_empty: false); shown anyway:');
      printMessages(messages, channel, format.limit, out);
      return 0;
    }
    if (skip) {
      out('nothing sent: no alerts in the period and nothing still firing (send_empty: false); use --dry-run to see the message, or a longer --period');
      return 0;
    }
    for (const [index, message] of messages.entries()) {
      const result = await channel.send(message).catch((error: unknown) => ({ ok: false as const, retry: false, reason: 'exception', error: `unexpected error while sending: ${(error as Error)?.message ?? error}` }));
      const label = `message ${index + 1}/${messages.length} (${message.msgtype}, ${message.bytes} B)`;
      if (result.ok) {
        out(`${label}: sent (errcode 0)`);
        continue;
      }
      err(`${label}: failed: ${result.error}`);
      explainFailure(result, channel, { usesProxy: state.http.usesProxy }).forEach((line) => err(line));
      return 1;
    }
    return 0;
  } finally {
    if (ownHistory) await history.close();
    redis?.disconnect();
    await state.http.close();
  }
}

function printMessages(messages: PackedMessage[], channel: Channel, limit: number, out: (line: string) => void): void {
  messages.forEach((message, index) => {
    const flags = [message.truncated && 'TRUNCATED', message.companion && 'mention companion'].filter(Boolean).join(', ');
    out(`--- message ${index + 1}/${messages.length}: ${message.msgtype}, ${message.bytes}/${message.companion ? 2048 : limit} bytes${flags ? ` [${flags}]` : ''}`);
    if (message.title) out(message.title);
    out(message.content);
    out(`--- request body: ${JSON.stringify(channel.requestBody(message))}`);
  });
}

const EMPTY_HISTORY: HistoryStore = {
  record: async () => undefined,
  received: async () => [],
  latest: async () => [],
  search: async () => ({ records: [], scanned: 0, truncated: false }),
  current: async () => [],
  prune: async () => 0,
  close: async () => undefined,
};
