import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderCommand } from '../../src/commands/render';
import { FIXTURES_DIR } from '../support/fixtures';

/** `render` (SPEC §2) works on every bundled payload: routing, messages within limits, request bodies. */
const sourceOf = (file: string) => (file.includes('grafana') ? 'grafana' : file.includes('kibana') ? 'kibana' : 'alertmanager');
const fixtures = readdirSync(FIXTURES_DIR).filter((file) => file.endsWith('.json'));

describe('render command', () => {
  it.each(fixtures)('renders %s with routing and byte counts', (file) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = renderCommand({ source: sourceOf(file), payload: join(FIXTURES_DIR, file) }, (line) => out.push(line), (line) => err.push(line));
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^source: (alertmanager|grafana|kibana), \d+ alert\(s\)/);
    expect(text).toContain('routing:');
    for (const match of text.matchAll(/, (\d+)\/(\d+) bytes/g)) expect(Number(match[1])).toBeLessThanOrEqual(Number(match[2]));
    expect(text).toContain('--- request body: {"msgtype":"markdown","markdown":{"content":');
  });

  it('--json prints the preview as JSON', () => {
    const out: string[] = [];
    expect(renderCommand({ source: 'grafana', payload: join(FIXTURES_DIR, 'grafana-unified-firing.json'), json: true }, (line) => out.push(line))).toBe(0);
    const preview = JSON.parse(out.join('\n'));
    expect(preview.alerts).toHaveLength(2);
    expect(preview.notifications[0]).toMatchObject({ receiver: 'console', kind: 'console', template: 'grafana' });
    expect(preview.notifications[0].messages[0].bytes).toBeLessThanOrEqual(4096);
  });

  it('explains an invalid payload with the failing path and exits 1', () => {
    const err: string[] = [];
    const code = renderCommand({ source: 'grafana', payload: join(FIXTURES_DIR, 'alertmanager-firing.json') }, () => undefined, (line) => err.push(line));
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/invalid payload: .*\(at version\)/);
  });
});
