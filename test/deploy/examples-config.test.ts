import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { checkCommand } from '../../src/commands/check';
import { routeAlert } from '../../src/routing/router';
import { buildApp, type TestApp } from '../support/build-app';
import { FakeWecom } from '../support/fake-wecom';
import { loadFixture, rawFixture } from '../support/fixtures';

/**
 * examples/ and config.example.yaml are one set a user pastes together (issue 14 item 5): every
 * `/webhook/{source}/{receiver}` an example (or the integration guide) posts to names a receiver of
 * config.example.yaml, the example config passes `check`, and, run by the real app against the fake
 * WeCom, it delivers what the docs promise: team="dba" alerts reach the DBA robot, team="sre" the
 * SRE robot, and Kibana resolutions reach WeCom (the docs insist on the Recovered action).
 */
const ROOT = join(__dirname, '../..');
const EXAMPLE_CONFIG = join(ROOT, 'config.example.yaml');
const TEXT_FILES = new Set(['.yml', '.yaml', '.json', '.md', '.mustache']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : TEXT_FILES.has(extname(name)) ? [path] : [];
  });
}

/** The example files a user copies (payload samples are bodies, not configuration). */
const exampleFiles = filesUnder(join(ROOT, 'examples')).filter((path) => !relative(ROOT, path).startsWith('examples/payloads'));
const docFiles = [join(ROOT, 'README.md'), join(ROOT, 'docs/integrations.md')];

/** WEBHOOK_URL: `/webhook/{source}` optionally followed by a concrete receiver (placeholders like `<receiver>` are not names). */
const WEBHOOK_URL = /\/webhook\/(alertmanager|grafana|kibana)(?:\/([A-Za-z0-9_.-]+))?/g;

interface Target {
  file: string;
  source: string;
  receiver?: string;
}

function targetsOf(file: string): Target[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(WEBHOOK_URL)].map((match) => ({ file: relative(ROOT, file), source: match[1], receiver: match[2] }));
}

const exampleConfig = parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as { receivers: { name: string }[]; route: Record<string, unknown> };
const receiverNames = new Set(exampleConfig.receivers.map((receiver) => receiver.name));

describe('examples and config.example.yaml are one consistent set', () => {
  it('every example file parses as what it claims to be', () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(5);
    for (const file of exampleFiles) {
      const text = readFileSync(file, 'utf8');
      if (/\.ya?ml$/.test(file)) expect(() => parse(text)).not.toThrow();
      // The Kibana body templates are valid JSON even unrendered (every tag sits inside quotes).
      if (/\.(json|mustache)$/.test(file)) expect(() => JSON.parse(text)).not.toThrow();
    }
  });

  it('every receiver an example or the integration guide posts to exists in config.example.yaml', () => {
    const targets = [...exampleFiles, ...docFiles].flatMap(targetsOf);
    const named = targets.filter((target) => target.receiver !== undefined);
    // The examples do pin receivers (otherwise this test would check nothing).
    expect(named.map((target) => target.receiver)).toEqual(expect.arrayContaining(['dba-robot', 'sre-robot']));
    expect(named.filter((target) => !receiverNames.has(target.receiver!))).toEqual([]);
  });

  it('the structured example configs post only to those receivers', () => {
    const am = parse(readFileSync(join(ROOT, 'examples/alertmanager/alertmanager.yml'), 'utf8')) as { receivers: { webhook_configs?: { url: string }[] }[] };
    const grafana = parse(readFileSync(join(ROOT, 'examples/grafana/contact-point.yaml'), 'utf8')) as { contactPoints: { receivers: { settings: { url: string } }[] }[] };
    const urls = [...am.receivers.flatMap((receiver) => (receiver.webhook_configs ?? []).map((config) => config.url)), ...grafana.contactPoints.flatMap((point) => point.receivers.map((receiver) => receiver.settings.url))];
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const url of urls) {
      const [, source, receiver] = /\/webhook\/([a-z]+)(?:\/([^/?#]+))?$/.exec(new URL(url).pathname) ?? [];
      expect(['alertmanager', 'grafana']).toContain(source);
      if (receiver !== undefined) expect({ url, known: receiverNames.has(receiver) }).toEqual({ url, known: true });
    }
  });

  it('config.example.yaml passes check', () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(checkCommand(EXAMPLE_CONFIG, (line) => out.push(line), (line) => err.push(line))).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('\n')).toMatch(/dba-robot \(robot\)[\s\S]*sre-robot \(robot\)/);
  });
});

describe('config.example.yaml delivers what the docs promise', () => {
  let fake: FakeWecom;
  let t: TestApp;
  const TOKEN = 'change-me-to-a-long-random-token'; // the example's ${WEBHOOK_TOKEN:-…} default
  const KEYS = { dba: '00000000-0000-0000-0000-00000000dba0', sre: '00000000-0000-0000-0000-00000000a5e0' };

  beforeEach(async () => {
    // The example's ${WECOM_CORP_ID:-…} / ${WECOM_APP_SECRET:-…} defaults are the app credentials WeCom knows.
    fake = await new FakeWecom({ apps: { 'replace-with-the-app-secret': { corpid: 'ww0000000000000000' } } }).start();
    const config = parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as Record<string, any>;
    // Only what a test must change: WeCom is the fake, storage is a temp dir, retries are fast.
    config.wecom = { ...config.wecom, api_base: fake.url };
    delete config.storage;
    config.delivery = { ...config.delivery, retry: { ...config.delivery.retry, initial_backoff: '20ms', max_backoff: '200ms' } };
    t = await buildApp(config);
  });
  afterEach(async () => {
    await t.close();
    await fake.stop();
  });

  const post = (path: string, fixture: string) => request(t.app).post(path).set('Content-Type', 'application/json').set('Authorization', `Bearer ${TOKEN}`).send(rawFixture(fixture));
  const robotKeys = () => fake.accepted('/webhook/send').map((sent) => sent.query.get('key'));

  it('the example Alertmanager receiver wecom-dba (…/alertmanager/dba-robot) reaches the DBA robot', async () => {
    expect((await post('/webhook/alertmanager/dba-robot', 'alertmanager-firing.json')).status).toBe(200);
    await fake.waitFor(() => robotKeys().length === 1, 5000);
    expect(robotKeys()).toEqual([KEYS.dba]);
  });

  it('team="dba" alerts routed by the table reach the DBA robot, and critical ones the DBA app too', async () => {
    expect(loadFixture('alertmanager-firing.json').commonLabels).toMatchObject({ team: 'dba', severity: 'critical' });
    expect((await post('/webhook/alertmanager', 'alertmanager-firing.json')).status).toBe(200);
    await fake.waitFor(() => robotKeys().length === 1 && fake.accepted('/message/send').length === 1, 5000);
    expect(robotKeys()).toEqual([KEYS.dba]);
  });

  it('the example Grafana contact point wecom-sre (…/grafana/sre-robot) reaches the SRE robot', async () => {
    expect((await post('/webhook/grafana/sre-robot', 'grafana-unified-firing.json')).status).toBe(200);
    await fake.waitFor(() => robotKeys().length === 1, 5000);
    expect(robotKeys()).toEqual([KEYS.sre]);
  });

  it('a Kibana recovery (the docs\' second "Recovered" action) reaches WeCom as a resolution', async () => {
    expect((await post('/webhook/kibana', 'kibana-rule-recovered.json')).status).toBe(200);
    await fake.waitFor(() => robotKeys().length === 1, 5000);
    expect(JSON.stringify(fake.accepted('/webhook/send')[0].body)).toContain('已恢复');
  });

  it('no route of the example config drops Kibana resolutions', () => {
    const route = t.service.current.config.route;
    const cases: Record<string, string>[] = [{}, { team: 'dba' }, { team: 'sre' }, { env: 'staging' }];
    for (const labels of cases) {
      const targets = routeAlert(route, { ...labels, source: 'kibana', status: 'resolved' });
      expect(targets.length).toBeGreaterThan(0);
      expect(targets.every((target) => target.sendResolved)).toBe(true);
    }
  });
});
