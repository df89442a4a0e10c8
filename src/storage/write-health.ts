/**
 * WriteHealth answers readiness's real question — would a webhook be durably accepted now? — from
 * the outcome of the last outbox write: every enqueue reports here, and when nothing was written for
 * PROBE_EVERY_MS the readiness check makes one small real write (OutboxStore.probe), so a full disk,
 * a read-only or corrupt file, or a lost connection shows within seconds even when idle, while a busy
 * service never pays for probes (its webhooks are the probes).
 */
export const PROBE_EVERY_MS = 5_000;

export interface WriteOutcome {
  at: number;
  ok: boolean;
  error?: string;
}

export class WriteHealth {
  private last?: WriteOutcome;

  /** record notes the outcome of an outbox write (enqueue or probe). */
  record(at: number, error?: unknown): void {
    this.last = error === undefined ? { at, ok: true } : { at, ok: false, error: errorText(error) };
  }

  /** current: the last outcome, probing first when it is missing or older than PROBE_EVERY_MS. */
  async current(now: number, probe: (now: number) => Promise<void>): Promise<WriteOutcome> {
    if (!this.last || now - this.last.at >= PROBE_EVERY_MS) {
      try {
        await probe(now);
        this.record(now);
      } catch (err) {
        this.record(now, err);
      }
    }
    return this.last!;
  }
}

function errorText(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message ?? String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
