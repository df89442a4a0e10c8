import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import { HttpError } from '../../src/http/errors';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures/payloads', name), 'utf8'));

describe('alertmanager source', () => {
  it('normalizes the captured 0.25 firing payload', () => {
    const parsed = alertmanagerSource.parse(fixture('real-alertmanager-0.25-firing.json'), new Date());
    expect(parsed.alerts).toHaveLength(2);
    const [first] = parsed.alerts;
    expect(first).toMatchObject({
      source: 'alertmanager',
      status: 'firing',
      name: 'DiskFull',
      severity: 'critical',
      summary: '磁盘空间不足',
      fingerprint: '26a8ffd242daeded',
    });
    expect(first.endsAt).toBeUndefined();
    expect(first.links.source).toBe('http://127.0.0.1:19090/graph?g0.expr=disk_used_percent');
  });

  it('recomputes the same fingerprint when a pre-0.19 sender omits it', () => {
    const payload = fixture('real-alertmanager-0.25-firing.json');
    const expected = payload.alerts.map((alert: { fingerprint: string }) => alert.fingerprint);
    payload.alerts.forEach((alert: { fingerprint?: string }) => delete alert.fingerprint);
    const parsed = alertmanagerSource.parse(payload, new Date());
    expect(parsed.alerts.map((alert) => alert.fingerprint)).toEqual(expected);
  });

  it('accepts newer fields and keeps resolved end times', () => {
    const parsed = alertmanagerSource.parse(fixture('alertmanager-many.json'), new Date());
    expect(parsed.alerts).toHaveLength(24);
    expect(parsed.truncatedAlerts).toBe(3);
    const resolved = parsed.alerts.filter((alert) => alert.status === 'resolved');
    expect(resolved).toHaveLength(7);
    expect(resolved.every((alert) => typeof alert.endsAt === 'string')).toBe(true);
  });

  it.each([
    [{ version: '4' }, 'groupKey'],
    ['just a string', undefined],
    [{ ...fixture('alertmanager-firing.json'), alerts: 'x' }, 'alerts'],
    [{ ...fixture('alertmanager-firing.json'), version: '3' }, 'version'],
  ])('rejects malformed payload %# with a 400 and path', (payload, path) => {
    try {
      alertmanagerSource.parse(payload, new Date());
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).status).toBe(400);
      expect((err as HttpError).path).toBe(path);
    }
  });

  it('names the alert field that fails', () => {
    const payload = fixture('alertmanager-firing.json');
    payload.alerts[1].status = 'weird';
    expect(() => alertmanagerSource.parse(payload, new Date())).toThrow(expect.objectContaining({ path: 'alerts[1].status' }));
  });
});
