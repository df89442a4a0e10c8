import { resolveConfig } from './resolve-config';
import { openStore } from '../bootstrap';
import type { OutboxStore } from '../outbox/store';
import { SqliteOutboxStore } from '../outbox/sqlite-store';
import { basename, dirname, resolve } from 'node:path';
import { listDeadLetters, requeueDeadLetters } from './dead-letters-core';

/**
 * dead-letters: list messages that failed permanently, with receiver, errcode and reason; requeue
 * one or all after the operator fixed the cause (SPEC §2). A running service picks requeued work up
 * within a few seconds (its worker polls the outbox).
 */
export async function deadLettersCommand(
  options: { config?: string; requeue?: string; requeueAll?: boolean; outbox?: string },
  out: (line: string) => void = console.log,
  store?: OutboxStore,
  err: (line: string) => void = console.error,
): Promise<number> {
  const { loaded } = resolveConfig(options.config);
  if (options.outbox && (options.requeue || options.requeueAll)) {
    err('--outbox opens a file read-only (e.g. an outbox moved aside after damage): it cannot requeue; list it, and send what matters again');
    return 2;
  }
  // --outbox FILE: another outbox file (moved aside), opened read-only: its data is never changed.
  const outbox = store ?? (options.outbox ? new SqliteOutboxStore(dirname(resolve(options.outbox)), basename(options.outbox), { readonly: true }) : openStore(loaded.config));
  try {
    if (options.outbox) {
      const queued = await outbox.pendingCounts();
      const total = Object.values(queued).reduce((sum, n) => sum + n, 0);
      out(`${resolve(options.outbox)} (read-only): ${total} notification(s) still queued, not delivered${total > 0 ? ` (${Object.entries(queued).map(([receiver, n]) => `${receiver} ${n}`).join(', ')})` : ''}`);
    }
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
      if (letter.content !== undefined) out(`    stored content (cannot be read): ${letter.content || '(empty)'}`);
    }
    if (!options.outbox) out('requeue with: wecom-alert-adapter dead-letters --requeue ID (or --requeue-all)');
    return 0;
  } finally {
    if (!store) await outbox.close();
  }
}
