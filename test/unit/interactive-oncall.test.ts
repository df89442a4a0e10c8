import { oncallSchema } from '../../src/config/interactive-schema';
import { currentMember, localMinutes } from '../../src/interactive/oncall-rota';

/** On-call rotas in server.timezone: handoffs at local wall-clock times, weekly on a weekday, overrides. */
const at = (iso: string) => Date.parse(iso);

describe('currentMember', () => {
  it('rotates daily at the local handoff time (Asia/Shanghai, UTC+8)', () => {
    const rota = oncallSchema.parse({ name: 'primary', members: ['zhangsan', 'lisi', 'wangwu'], start: '2026-12-01', handoff: '09:00' });
    const tz = 'Asia/Shanghai';
    expect(currentMember(rota, at('2026-12-01T01:00:00Z'), tz)).toBe('zhangsan'); // 09:00 local, first handoff
    expect(currentMember(rota, at('2026-12-02T00:59:00Z'), tz)).toBe('zhangsan'); // 08:59 next day
    expect(currentMember(rota, at('2026-12-02T01:00:00Z'), tz)).toBe('lisi');
    expect(currentMember(rota, at('2026-12-03T12:00:00Z'), tz)).toBe('wangwu');
    expect(currentMember(rota, at('2026-12-04T01:00:00Z'), tz)).toBe('zhangsan'); // wraps
    expect(currentMember(rota, at('2026-11-20T00:00:00Z'), tz)).toBe('zhangsan'); // before start: the first member
  });

  it('rotates weekly on the configured weekday', () => {
    // 2026-12-01 is a Tuesday; the first Monday handoff is 2026-12-07 10:00 local.
    const rota = oncallSchema.parse({ name: 'week', members: ['a', 'b'], start: '2026-12-01', handoff: '10:00', weekday: 'monday' });
    const tz = 'UTC';
    expect(currentMember(rota, at('2026-12-07T09:59:00Z'), tz)).toBe('a');
    expect(currentMember(rota, at('2026-12-07T10:00:00Z'), tz)).toBe('a');
    expect(currentMember(rota, at('2026-12-14T10:00:00Z'), tz)).toBe('b');
    expect(currentMember(rota, at('2026-12-21T10:00:00Z'), tz)).toBe('a');
  });

  it('keeps the local handoff across a DST change (Europe/Berlin)', () => {
    const rota = oncallSchema.parse({ name: 'eu', members: ['a', 'b'], start: '2026-03-28', handoff: '09:00' });
    // 2026-03-29 is the switch to CEST (UTC+2): 09:00 local = 07:00Z.
    expect(currentMember(rota, at('2026-03-29T06:59:00Z'), 'Europe/Berlin')).toBe('a');
    expect(currentMember(rota, at('2026-03-29T07:00:00Z'), 'Europe/Berlin')).toBe('b');
  });

  it('lets an override win while it lasts', () => {
    const rota = oncallSchema.parse({ name: 'p', members: ['a', 'b'], start: '2026-12-01', overrides: [{ member: 'c', from: '2026-12-24T00:00', to: '2026-12-26T00:00' }] });
    expect(currentMember(rota, at('2026-12-24T12:00:00+08:00'), 'Asia/Shanghai')).toBe('c');
    expect(currentMember(rota, at('2026-12-26T00:00:00+08:00'), 'Asia/Shanghai')).not.toBe('c');
  });

  it('computes local wall-clock minutes', () => {
    expect(localMinutes(at('1970-01-01T00:00:00Z'), 'Asia/Shanghai')).toBe(8 * 60);
  });
});
