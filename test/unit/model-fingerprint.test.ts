import { readdirSync } from 'node:fs';
import { identityFingerprint, labelsFingerprint } from '../../src/model/fingerprint';
import { FIXTURES_DIR, loadFixture } from '../support/fixtures';

const REAL = readdirSync(FIXTURES_DIR).filter((name) => name.startsWith('real-alertmanager-0.25-'));

describe('labelsFingerprint', () => {
  it('finds the captured fixtures', () => {
    expect(REAL.sort()).toEqual(['real-alertmanager-0.25-firing.json', 'real-alertmanager-0.25-from-prometheus-firing.json', 'real-alertmanager-0.25-resolved.json']);
  });

  const captured = REAL.flatMap((file) =>
    (loadFixture(file).alerts as { labels: Record<string, string>; fingerprint: string }[]).map((alert) => [file, alert.labels, alert.fingerprint] as const),
  );

  it.each(captured)('%s: %j → %s (as Alertmanager 0.25 computed it)', (_file, labels, fingerprint) => {
    expect(labelsFingerprint(labels)).toBe(fingerprint);
  });

  it.each<[Record<string, string>, string]>([
    [{ alertname: 'DiskFull', instance: 'web-01', severity: 'critical' }, '26a8ffd242daeded'],
    [{ severity: 'critical', instance: 'web-01', alertname: 'DiskFull' }, '26a8ffd242daeded'], // key order does not matter
    [{}, 'cbf29ce484222325'], // FNV-1a 64 offset basis
  ])('%j → %s', (labels, fingerprint) => {
    expect(labelsFingerprint(labels)).toBe(fingerprint);
  });

  it('is 16 lowercase hex digits and differs when any name or value differs', () => {
    const base = labelsFingerprint({ alertname: 'A', team: 'dba' });
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(labelsFingerprint({ alertname: 'A', team: 'dbb' })).not.toBe(base);
    expect(labelsFingerprint({ alertname: 'A', tean: 'dba' })).not.toBe(base);
    expect(labelsFingerprint({ alertname: 'A' })).not.toBe(base);
    // the 0xff separator keeps "ab"+"c" apart from "a"+"bc"
    expect(labelsFingerprint({ ab: 'c' })).not.toBe(labelsFingerprint({ a: 'bc' }));
  });

  it('hashes UTF-8 bytes of Chinese values', () => {
    expect(labelsFingerprint({ summary: '磁盘空间不足' })).toMatch(/^[0-9a-f]{16}$/);
    expect(labelsFingerprint({ summary: '磁盘空间不足' })).not.toBe(labelsFingerprint({ summary: '磁盘空间不够' }));
  });
});

describe('identityFingerprint', () => {
  it('hashes identity parts the same way as labels', () => {
    expect(identityFingerprint({ rule: 'r1', alert: 'a1' })).toBe(labelsFingerprint({ alert: 'a1', rule: 'r1' }));
  });
});
