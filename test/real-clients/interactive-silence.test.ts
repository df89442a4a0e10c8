import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { buildApp, type TestApp } from '../support/build-app';
import { FakeWecom } from '../support/fake-wecom';
import { SAMPLE_AES_KEY, WecomCallbackSender } from '../support/fake-wecom-callback';
import { describeWithBinaries, startAlertmanager, withDiagnostics, type RunningAlertmanager } from '../support/real-binaries';

/**
 * "静默 1h" on a card creates the silence in a real Debian Alertmanager 0.25 on loopback:
 * real Alertmanager → webhook → adapter → button card (fake WeCom) → signed click (fake WeCom's
 * callback) → POST /api/v2/silences on the Alertmanager that sent the alert (its externalURL) →
 * checked with the real `amtool silence query`; the card is updated with the silence id.
 */
const SECRET = 'app-secret-0123456789abcdef';
const CORP = 'ww0123456789abcdef';
const TOKEN = 'cbToken123';
const AGENT = 1000002;

describeWithBinaries('silence from a WeCom card in a real Alertmanager', ['prometheus-alertmanager', 'amtool'], (bins) => {
  let dir: string;
  let fake: FakeWecom;
  let t: TestApp;
  let server: Server;
  let am: RunningAlertmanager | undefined;
  const sender = new WecomCallbackSender({ token: TOKEN, encodingAesKey: SAMPLE_AES_KEY, corpId: CORP, agentId: AGENT });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-adapter-silence-'));
    fake = await new FakeWecom({ apps: { [SECRET]: { corpid: CORP } } }).start();
    t = await buildApp(
      {
        wecom: { api_base: fake.url, timeout: '2s' },
        receivers: [{ name: 'oncall', app: { corp_id: CORP, secret: SECRET, agent_id: AGENT, to_user: 'zhangsan', msgtype: 'template_card', callback: { token: TOKEN, encoding_aes_key: SAMPLE_AES_KEY, silence_matchers: ['alertname', 'instance'] } } }],
        route: { receiver: 'oncall' },
      },
      { dir },
    );
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    am = await startAlertmanager({ bins, dir: join(dir, 'am'), webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/alertmanager` });
  }, 60_000);

  afterAll(async () => {
    await am?.proc.stop();
    server?.close();
    await t?.close();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const amtool = (...args: string[]) => spawnSync(bins.amtool, [...args, `--alertmanager.url=${am!.url}`], { encoding: 'utf8', timeout: 20_000 });

  it('creates the silence where the alert lives and shows it on the card', async () => {
    await withDiagnostics(
      async () => {
        const startsAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
        await am!.postAlerts([{ labels: { alertname: 'DiskFull', instance: 'web-01', severity: 'critical', cluster: 'prod-gz' }, annotations: { summary: '磁盘空间不足' }, startsAt }]);
        await fake.waitFor(() => fake.accepted('/message/send').length === 1, 20_000, 'the card from the real Alertmanager');
        const card = fake.accepted('/message/send')[0].body.template_card;
        expect(card.card_type).toBe('button_interaction');

        const click = sender.click({ user: 'zhangsan', taskId: card.task_id, eventKey: 'silence:3600000', responseCode: 'RC-SILENCE' });
        const before = Date.now();
        const res = await request(t.app).post('/wecom/callback/oncall').query(click.query).set('content-type', 'text/xml').send(click.body);
        expect(res.status).toBe(200);
        expect(Date.now() - before).toBeLessThan(5000); // WeCom's answer deadline

        const query = amtool('silence', 'query', '-o', 'json');
        expect(query.status).toBe(0);
        const silences = JSON.parse(query.stdout) as { id: string; matchers: { name: string; value: string; isRegex: boolean }[]; createdBy: string; comment: string; endsAt: string; status: { state: string } }[];
        expect(silences).toHaveLength(1);
        const [silence] = silences;
        expect(silence.status.state).toBe('active');
        expect(silence.createdBy).toBe('zhangsan');
        expect(silence.comment).toContain('wecom-alert-adapter');
        expect(silence.matchers.map((m) => `${m.name}=${m.value}`).sort()).toEqual(['alertname=DiskFull', 'instance=web-01']);
        const hours = (Date.parse(silence.endsAt) - before) / 3_600_000;
        expect(hours).toBeGreaterThan(0.99);
        expect(hours).toBeLessThan(1.01);
        // The alert is now silenced in Alertmanager itself.
        expect(amtool('alert', 'query', '--silenced', '-o', 'json').stdout).toContain('DiskFull');

        await fake.waitFor(() => fake.accepted('/update_template_card').length === 1, 5000, 'the card update');
        const updated = fake.accepted('/update_template_card')[0].body.template_card;
        // The silence's real end, in the default zone (Asia/Shanghai); with the date when it ends on another day there.
        const inShanghai = (ms: number) => Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms).map((part) => [part.type, part.value]));
        const end = inShanghai(Date.parse(silence.endsAt));
        const today = inShanghai(Date.now());
        const sameDay = end.month === today.month && end.day === today.day;
        expect(updated.replace_text).toBe(`已静默至 ${sameDay ? '' : `${end.month}-${end.day} `}${end.hour}:${end.minute} by zhangsan`);
        expect(updated.horizontal_content_list).toEqual(expect.arrayContaining([{ keyname: '静默ID', value: silence.id }]));
        expect(updated.jump_list[0].url).toBe(`${am!.url}/#/silences/${silence.id}`);
        expect(await t.metricValue('wecom_adapter_silences_total', { receiver: 'oncall', target: 'alertmanager', outcome: 'created' })).toBe(1);
        expect((await t.service.actions!.recentAudit(1))[0]).toMatchObject({ action: 'silence', result: 'ok', user: 'zhangsan' });
      },
      () => `--- alertmanager ---\n${am?.proc.stderr().slice(-3000)}\n--- adapter ---\n${t.logs.slice(-30).join('')}`,
    );
  }, 60_000);

  it('shows an Alertmanager error on the card instead of swallowing it', async () => {
    const stopped = am!;
    const payloadCard = fake.accepted('/message/send')[0].body.template_card;
    await stopped.proc.stop();
    const click = sender.click({ user: 'lisi', taskId: payloadCard.task_id, eventKey: 'silence:14400000', responseCode: 'RC-FAIL' });
    expect((await request(t.app).post('/wecom/callback/oncall').query(click.query).set('content-type', 'text/xml').send(click.body)).status).toBe(200);
    await fake.waitFor(() => fake.accepted('/update_template_card').length === 2, 5000, 'the failure card update');
    const updated = fake.accepted('/update_template_card')[1].body.template_card;
    expect(updated.horizontal_content_list.find((f: { keyname: string }) => f.keyname === '失败')?.value).toMatch(/^静默失败: alertmanager 127\.0\.0\.1:\d+ unreachable/);
    expect(await t.metricValue('wecom_adapter_silences_total', { receiver: 'oncall', outcome: 'failed' })).toBe(1);
    expect((await t.service.actions!.recentAudit(1))[0]).toMatchObject({ action: 'silence', result: 'failed', user: 'lisi' });
    expect(t.logs.join('')).toContain('silence from a WeCom card failed');
    am = undefined;
  }, 30_000);
});
