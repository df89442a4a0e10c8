import { resolve } from 'node:path';
import { resolveConfig } from './resolve-config';
import { SqliteOutboxStore } from '../outbox/sqlite-store';
import type { OutboxStore } from '../outbox/store';
import { itemCount } from '../model/notification';
import { formatDate } from '../render/time-format';

/**
 * dead-letters: list messages that failed permanently, with receiver, errcode and reason; requeue
 * one or all after the operator fixed the cause (SPEC §2). A running service picks requeued work up
 * within a few seconds (its worker polls the outbox).
 */
export async function deadLettersCommand(options: { config?: string; requeue?: string; requeueAll?: boolean }, out: (line: string) => void = console.log, store?: OutboxStore): Promise<number> {
  const { loaded } = resolveConfig(options.config);
  const outbox = store ?? new SqliteOutboxStore(resolve(loaded.config.storage.path));
  try {
    if (options.requeue || options.requeueAll) {
      const result = await outbox.requeue(options.requeueAll ? 'all' : options.requeue!, Date.now());
      out(result.count === 0 ? `nothing requeued${options.requeue ? `: no dead letter with id ${options.requeue}` : ''}` : `requeued ${result.count} notification(s) for ${result.receivers.join(', ')}`);
      return options.requeue && result.count === 0 ? 1 : 0;
    }
    const letters = await outbox.deadLetters();
    if (letters.length === 0) {
      out('no dead letters');
      return 0;
    }
    out(`${letters.length} dead letter(s):`);
    for (const letter of letters) {
      const items = itemCount(letter.notification) - letter.offset;
      out(`- id ${letter.id} · receiver ${letter.receiver} · ${formatDate(letter.failedAt, loaded.config.server.timezone)} · ${items} alert(s) · errcode ${letter.errcode ?? '-'} (${letter.reason}) · attempts ${letter.attempts}`);
      out(`    ${letter.error}`);
    }
    out('requeue with: wecom-alert-adapter dead-letters --requeue ID (or --requeue-all)');
    return 0;
  } finally {
    if (!store) await outbox.close();
  }
}
