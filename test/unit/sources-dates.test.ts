import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpError } from '../../src/http/errors';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import { isValidDate, parseDate, toIso } from '../../src/sources/common';
import { findSource } from '../../src/sources/registry';

/**
 * Impossible dates (issue 16 item 9): `Date` rolls `2024-02-30` over to March 1st and `24:00` to the
 * next day. Every source must refuse them with the field path instead, while the forms real senders
 * use keep working (payloads.md: Alertmanager's whole seconds and milliseconds, Go's zero time,
 * Grafana's `+08:00` offsets with nanoseconds, Watcher's `HH:mmZ`).
 */
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures/payloads', name), 'utf8'));
const NOW = new Date('2025-03-18T02:40:00.000Z');

function failure(source: string, body: unknown): HttpError {
  try {
    findSource(source)!.parse(body, NOW);
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('expected a 400');
}

describe('parseDate', () => {
  it.each([
    ['2026-11-22T12:13:22Z', '2026-11-22T12:13:22.000Z'],
    ['2025-03-18T02:13:56.624Z', '2025-03-18T02:13:56.624Z'],
    ['2025-03-18T10:13:40.123456789+08:00', '2025-03-18T02:13:40.123Z'],
    ['2025-03-18T02:15Z', '2025-03-18T02:15:00.000Z'],
    ['2025-03-18T02:15:00.011867Z', '2025-03-18T02:15:00.011Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T23:59:59-05:30', '2000-03-01T05:29:59.000Z'],
    ['2025-03-18', '2025-03-18T00:00:00.000Z'],
  ])('accepts %s', (value, iso) => {
    expect(isValidDate(value)).toBe(true);
    expect(toIso(value)).toBe(iso);
  });

  it.each([
    '2024-02-30T10:00:00Z',
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-00-10T00:00:00Z',
    '2024-01-00T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T25:00:00Z',
    '2024-01-01T10:60:00Z',
    '2024-01-01T10:00:61Z',
    '2024-01-01T10:00:00+24:00',
    '2024-02-30',
    'Feb 30 2024',
    'yesterday',
    '',
  ])('refuses %s', (value) => {
    expect(parseDate(value)).toBeUndefined();
    expect(() => toIso(value)).toThrow();
  });
});

describe('impossible dates in payloads', () => {
  it('alertmanager: startsAt 2024-02-30 is a 400 naming the alert', () => {
    const body = fixture('real-alertmanager-0.25-firing.json');
    body.alerts[1].startsAt = '2024-02-30T12:13:22Z';
    const err = failure('alertmanager', body);
    expect(err.status).toBe(400);
    expect(err.path).toBe('alerts[1].startsAt');
    expect(err.message).toContain('alerts[1].startsAt: not a valid date');
  });

  it('alertmanager: a resolved endsAt of 24:00 is refused, the firing zero time is not', () => {
    const body = fixture('real-alertmanager-0.25-resolved.json');
    body.alerts[0].endsAt = '2026-11-22T24:00:00Z';
    expect(failure('alertmanager', body).path).toBe('alerts[0].endsAt');
    const firing = alertmanagerSource.parse(fixture('real-alertmanager-0.25-firing.json'), NOW);
    expect(firing.alerts.map((alert) => alert.endsAt)).toEqual([undefined, undefined]);
  });

  it('grafana: an offset date on a day that does not exist is refused', () => {
    const body = fixture('grafana-unified-firing.json');
    body.alerts[0].startsAt = '2025-02-29T10:13:40+08:00';
    expect(failure('grafana', body).path).toBe('alerts[0].startsAt');
  });

  it('kibana rule: context.date and date must be real dates when present', () => {
    const body = fixture('kibana-rule-es-query.json');
    body.context.date = '2025-04-31T02:15:03.219Z';
    expect(failure('kibana', body).path).toBe('context.date');
    const top = fixture('kibana-rule-es-query.json');
    top.date = '2025-03-18T02:61:00Z';
    expect(failure('kibana', top).path).toBe('date');
  });

  it('watcher: triggered_time 2025-02-30 is refused in the recommended body', () => {
    const body = fixture('kibana-watcher-recommended.json');
    body.triggered_time = '2025-02-30T02:15Z';
    expect(failure('kibana', body).path).toBe('triggered_time');
  });
});
