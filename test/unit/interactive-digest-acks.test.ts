import { digestAcks } from '../../src/digest/acks';
import type { AckRecord } from '../../src/interactive/action-store';

/** Acknowledgements in digests: counted per person within the period, with the mean time to acknowledge. */
const ack = (user: string, startsAt: string, at: string): AckRecord => ({ fingerprint: `${user}${at}`, startsAt, alertName: 'DiskFull', receiver: 'oncall', taskId: 't', user, at: Date.parse(at) });

describe('digestAcks', () => {
  it('counts acknowledgements in [from, to) by user and averages the time to acknowledge', () => {
    const period = { from: Date.parse('2026-12-01T00:00:00Z'), to: Date.parse('2026-12-02T00:00:00Z') };
    const summary = digestAcks(
      [
        ack('zhangsan', '2026-12-01T01:00:00Z', '2026-12-01T01:10:00Z'),
        ack('zhangsan', '2026-12-01T02:00:00Z', '2026-12-01T02:20:00Z'),
        ack('lisi', '2026-12-01T03:00:00Z', '2026-12-01T03:30:00Z'),
        ack('wangwu', '2026-11-30T03:00:00Z', '2026-11-30T23:59:59Z'), // before the period
        ack('wangwu', '2026-12-01T23:00:00Z', '2026-12-02T00:00:00Z'), // at `to`: next period
      ],
      period,
    );
    expect(summary.count).toBe(3);
    expect(summary.byUser).toEqual([
      { user: 'zhangsan', count: 2 },
      { user: 'lisi', count: 1 },
    ]);
    expect(summary.mttaMs).toBe(20 * 60_000);
    expect(summary.mtta).toEqual(expect.any(String));
  });

  it('has no mean when nothing was acknowledged', () => {
    expect(digestAcks([], { from: 0, to: 1 })).toEqual({ count: 0, byUser: [] });
  });
});
