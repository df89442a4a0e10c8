import { resolveConfig } from './resolve-config';
import { openStore } from '../bootstrap';
import type { OutboxStore } from '../outbox/store';
import { listDeadLetters, requeueDeadLetters } from './dead-letters-core';

/**
 * dead-letters: list messages that failed permanently, with receiver, errcode and reason; requeue
 * one or all after the operator fixed the cause (SPEC §2). A running service picks requeued work up
 * within a few seconds (its worker polls the outbox).
 */
export async function deadLettersCommand(options: { config?: string; requeue?: string; requeueAll?: boolean }, out: (line: string) => void = console.log, store?: OutboxStore): Promise<number> {
  const { loaded } = resolveConfig(options.config);
  const outbox = store ?? openStore(loaded.config);
  try {
    if (options.requeue || options.requeueAll) {
      const result = await requeueDeadLetters(outbox, options.requeueAll ? 'all' : options.requeue!, Date.now());
      out(result.message);
      return options.requeue && result.count === 0 ? 1 : 0;
    }
    const letters = await listDeadLetters(outbox, loaded.config.server.timezone);
    if (letters.length === 0) {
      out('no dead letters');
      return 0;
    }
    out(`${letters.length} dead letter(s):`);
    for (const letter of letters) {
      out(`- id ${letter.id} · receiver ${letter.receiver} · ${letter.failedTime} · ${letter.alerts} alert(s) · errcode ${letter.errcode ?? '-'} (${letter.reason}) · attempts ${letter.attempts}`);
      out(`    ${letter.error}`);
    }
    out('requeue with: wecom-alert-adapter dead-letters --requeue ID (or --requeue-all)');
    return 0;
  } finally {
    if (!store) await outbox.close();
  }
}
