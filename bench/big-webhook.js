'use strict';
/**
 * Benchmark scenario "big": one Alertmanager webhook carrying 10,000 alerts (issue 16, item 1).
 *
 * The real service (started by the runner's startService, its own process and SQLite outbox) has one
 * robot receiver whose rate limit is high enough not to be the bottleneck; it delivers to the
 * runner's fake WeCom, which records every message. While the big notification drains, /healthz is
 * called every 100 ms (each call on its own timer, so a stalled event loop shows as the latency of
 * the calls waiting on it, not as fewer calls) and a small 2-alert webhook is posted every second.
 * Every delivered alert is identified by its instance label in the received markdown, so the
 * figures count each fingerprint exactly once and any alert that arrives twice.
 *
 * Baseline (same run, same service config): the same 10,000 alerts as 100 webhooks of 100 — the
 * service's normal path for a storm, many notifications instead of one huge one.
 *
 * A real Alertmanager body marshals all seven fields of template.Alert for every alert (status,
 * labels, annotations, startsAt, endsAt, generatorURL, fingerprint): even with two short labels that
 * is about 200 B per alert, so 10,000 alerts cannot fit the default 1 MiB `server.body_limit`. The
 * scenario keeps the real shape and raises the bench service's body_limit (printed with the figures).
 */
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const ALERTS = 10_000;
const BASELINE_WEBHOOKS = 100;
const RATE_LIMIT = { count: 1000, per: '1m' };
const BODY_LIMIT = '4MiB';
const DRAIN_TARGET_MS = 120_000;
const HEALTHZ_TARGET_MS = 1000;
const HEALTHZ_EVERY_MS = 100;
const SMALL_EVERY_MS = 1000;
/** How long the runner waits for all alerts before giving up (past the target, to report a figure). */
const GIVE_UP_MS = 300_000;

/** bigAlert: alert i of the storm, as Alertmanager's webhook notifier marshals it. */
function bigAlert(i) {
  const instance = `big-${String(i).padStart(5, '0')}:9100`;
  // One rule evaluation every 15 s over ~10 minutes: a storm's alerts share a few hundred instants.
  const startsAt = new Date(Date.UTC(2025, 2, 18, 2, 0, 0) + (i % 40) * 15_000 + 328).toISOString();
  return {
    status: 'firing',
    labels: { alertname: 'NodeDown', instance, job: 'node', severity: i % 10 === 0 ? 'critical' : 'warning' },
    annotations: { summary: `${instance} 无法访问` },
    startsAt,
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=up+%3D%3D+0',
    fingerprint: (0x5a000000 + i).toString(16).padStart(16, '0'),
  };
}

/** webhookOf: an Alertmanager v4 body carrying `alerts` (envelope from the storm fixture). */
function webhookOf(base, alerts, batch) {
  return {
    ...base,
    status: 'firing',
    groupKey: `{}:{alertname="NodeDown", batch="${batch}"}`,
    groupLabels: { alertname: 'NodeDown' },
    commonLabels: { alertname: 'NodeDown', job: 'node' },
    commonAnnotations: {},
    truncatedAlerts: 0,
    alerts,
  };
}

function smallWebhook(base, n) {
  const alerts = [0, 1].map((i) => ({
    status: 'firing',
    labels: { alertname: 'SmallProbe', instance: `small-${n}-${i}`, severity: 'warning' },
    annotations: { summary: '探测告警' },
    startsAt: new Date(Date.UTC(2025, 2, 18, 3, 0, 0)).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=probe',
    fingerprint: (0x6b000000 + n * 2 + i).toString(16).padStart(16, '0'),
  }));
  return { ...base, status: 'firing', groupKey: `{}:{alertname="SmallProbe", n="${n}"}`, groupLabels: { alertname: 'SmallProbe' }, commonLabels: { alertname: 'SmallProbe' }, commonAnnotations: {}, alerts };
}

/**
 * Tally: per alert (instance), in how many accepted messages it appeared. Reads the fake's recorded
 * requests incrementally, since the runner polls it while the service drains.
 */
class Tally {
  constructor(fake, pattern) {
    this.fake = fake;
    this.pattern = pattern;
    this.read = 0;
    this.counts = new Map();
    this.messages = 0;
    this.rejected = 0;
    this.lastAt = 0;
  }

  update() {
    const { requests } = this.fake;
    for (; this.read < requests.length; this.read++) {
      const r = requests[this.read];
      if (!r.reply || r.reply.errcode !== 0) {
        if (r.reply) this.rejected++;
        continue;
      }
      const content = r.body?.markdown?.content ?? r.body?.text?.content ?? '';
      const seen = new Set(content.match(this.pattern) || []);
      if (seen.size === 0) continue;
      this.messages++;
      this.lastAt = Math.max(this.lastAt, r.at);
      for (const id of seen) this.counts.set(id, (this.counts.get(id) || 0) + 1);
    }
    return this;
  }

  get distinct() {
    return this.counts.size;
  }

  get duplicates() {
    return [...this.counts.values()].filter((n) => n > 1).length;
  }
}

/**
 * watchLoop polls /healthz every HEALTHZ_EVERY_MS and posts a small webhook every SMALL_EVERY_MS,
 * until stopped; stop() waits for the calls in flight (a call still waiting counts until it ends).
 */
function watchLoop(h, url, base) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const healthz = [];
  const healthzAt = []; // when each /healthz call was made (performance.now()), same order as healthz
  const small = [];
  const inFlight = new Set();
  let failures = 0;
  let n = 0;
  const timed = (promise, into, at) => {
    const t0 = performance.now();
    const done = () => {
      into.push(performance.now() - t0);
      at?.push(t0);
    };
    const call = promise.then(
      (res) => {
        if (res.status !== 200) failures++;
        done();
      },
      () => {
        failures++;
        done();
      },
    );
    inFlight.add(call);
    call.finally(() => inFlight.delete(call));
  };
  const healthTimer = setInterval(() => timed(h.request(`${url}/healthz`, { agent }), healthz, healthzAt), HEALTHZ_EVERY_MS);
  const smallTimer = setInterval(() => timed(h.request(`${url}/webhook/alertmanager`, { method: 'POST', body: JSON.stringify(smallWebhook(base, n++)), agent }), small), SMALL_EVERY_MS);
  return {
    stop: async () => {
      clearInterval(healthTimer);
      clearInterval(smallTimer);
      await Promise.allSettled([...inFlight]);
      agent.destroy();
      return { healthz, healthzAt, small, failures, smallSent: n };
    },
  };
}

/**
 * runOnce posts `bodies` at once to a fresh service and waits until every big alert (and every small
 * webhook posted meanwhile) is at the fake; returns the figures of that run.
 */
async function runOnce(h, name, base, bodies) {
  const fake = await h.startFakeWecom({ robotLimit: { count: RATE_LIMIT.count, perMs: 60_000 }, record: true });
  const service = await h.startService(name, { apiBase: fake.url, rateLimit: RATE_LIMIT, server: { body_limit: BODY_LIMIT } });
  try {
    const watch = watchLoop(h, service.url, base);
    const cpu0 = h.cpuSeconds(service.pid);
    const started = performance.now();
    const responses = await Promise.all(bodies.map((body) => h.request(`${service.url}/webhook/alertmanager`, { method: 'POST', body })));
    const acceptedMs = performance.now() - started;
    if (!responses.every((r) => r.status === 200)) throw new Error(`big webhook (${name}): not accepted: ${responses.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join('; ')}`);
    const big = new Tally(fake, /big-\d{5}/g);
    const small = new Tally(fake, /small-\d+-\d/g);
    let done = false;
    try {
      await h.waitFor(() => big.update().distinct >= ALERTS, GIVE_UP_MS, `${ALERTS} alerts at the fake (${name})`);
      done = true;
    } catch (err) {
      h.note(`big webhook (${name}): ${err.message}; figures below are partial`);
    }
    big.update();
    const drainMs = big.lastAt - started;
    const cpu = h.cpuSeconds(service.pid) - cpu0;
    const watched = await watch.stop();
    // The small webhooks queue behind the storm on the same receiver; wait for the last ones too.
    await h.waitFor(() => small.update().distinct >= watched.smallSent * 2, 60_000, `small webhooks delivered (${name})`).catch((err) => h.note(`big webhook (${name}): ${err.message}`));
    small.update();
    // The slowest /healthz calls, and when they were made (s after the post): during ingest or the drain.
    const slowest = watched.healthz.map((ms, i) => ({ ms, at: (watched.healthzAt[i] - started) / 1000 })).sort((a, b) => b.ms - a.ms).slice(0, 3);
    // Calls made after every webhook was answered: the drain alone, without the webhook's own ingest.
    const drainOnly = watched.healthz.filter((ms, i) => watched.healthzAt[i] - started >= acceptedMs);
    return { done, big, small, drainMs, acceptedMs, cpu, watched, slowest, drainOnly, rssMb: h.rss(service.pid).hwm };
  } finally {
    await service.stop();
    await fake.stop();
  }
}

/** benchBigWebhook: the scenario; `h` is the runner's helpers (startService, request, record, …). */
async function benchBigWebhook(h, step) {
  console.log(`\n[${step}] big webhook: ${ALERTS.toLocaleString('en-US')} alerts in ONE Alertmanager webhook → one robot (rate_limit {count: ${RATE_LIMIT.count}, per: ${RATE_LIMIT.per}}: not the bottleneck), /healthz every ${HEALTHZ_EVERY_MS} ms, a small webhook every ${SMALL_EVERY_MS} ms`);
  const base = JSON.parse(h.readFixture('alertmanager-firing.json'));
  const alerts = Array.from({ length: ALERTS }, (_, i) => bigAlert(i));
  const oneBody = JSON.stringify(webhookOf(base, alerts, 'all'));
  const perWebhook = ALERTS / BASELINE_WEBHOOKS;
  const manyBodies = Array.from({ length: BASELINE_WEBHOOKS }, (_, w) => JSON.stringify(webhookOf(base, alerts.slice(w * perWebhook, (w + 1) * perWebhook), w)));
  const bytes = Buffer.byteLength(oneBody);
  console.log(`    payload: ${(bytes / 1e6).toFixed(2)} MB (${Math.round(bytes / ALERTS)} B per alert, every field of Alertmanager's template.Alert); bench service server.body_limit ${BODY_LIMIT} (10,000 real alerts cannot fit the default 1 MiB)`);

  const one = await runOnce(h, 'big-one', base, [oneBody]);
  const many = await runOnce(h, 'big-many', base, manyBodies);
  const show = (label, r) =>
    console.log(
      `    ${label}: ${r.big.distinct}/${ALERTS} alerts in ${r.big.messages} messages (${r.big.duplicates} twice, ${r.big.rejected} rejected), accepted in ${h.fmt(r.acceptedMs, 0)} ms, drained in ${h.fmt(r.drainMs / 1000, 1)} s, ` +
        `service CPU ${h.fmt(r.cpu, 1)} s, peak RSS ${h.fmt(r.rssMb, 0)} MB; /healthz ${r.watched.healthz.length} calls, worst ${h.fmt(Math.max(...r.watched.healthz), 0)} ms, p99 ${h.fmt(h.percentile(r.watched.healthz, 99), 0)} ms, slowest ${r.slowest.map((c) => `${h.fmt(c.ms, 0)} ms at +${h.fmt(c.at, 1)} s`).join(', ')}; ` +
        `${r.watched.smallSent} small webhooks answered worst ${h.fmt(Math.max(...r.watched.small), 0)} ms (${r.small.distinct / 2} delivered, ${r.small.duplicates} alerts twice); ${r.watched.failures} failed calls`,
    );
  show('one webhook of 10,000', one);
  show(`baseline ${BASELINE_WEBHOOKS} × ${perWebhook}`, many);

  const worst = (values) => (values.length ? Math.max(...values) : NaN);
  const allOnce = one.done && one.big.distinct === ALERTS && one.big.duplicates === 0 && one.small.duplicates === 0;
  const baselineName = `same alerts as ${BASELINE_WEBHOOKS} webhooks of ${perWebhook}`;
  h.record({ section: 'big', metric: `big webhook: time to deliver ${ALERTS.toLocaleString('en-US')} alerts of one webhook`, ours: one.drainMs / 1000, baseline: many.drainMs / 1000, baselineName, unit: 's', digits: 1, target: '< 120 s, all delivered', met: one.done && one.drainMs < DRAIN_TARGET_MS });
  h.record({ section: 'big', metric: 'big webhook: /healthz worst latency, from the post until drained', ours: worst(one.watched.healthz), baseline: worst(many.watched.healthz), baselineName: 'same, during the baseline', unit: 'ms', digits: 0, target: '< 1 s', met: worst(one.watched.healthz) < HEALTHZ_TARGET_MS && one.watched.failures === 0 });
  h.record({ section: 'big', metric: 'big webhook: /healthz worst after the webhook was answered (delivery only)', ours: worst(one.drainOnly), baseline: worst(many.drainOnly), baselineName: 'baseline', unit: 'ms', digits: 0 });
  h.record({ section: 'big', metric: 'big webhook: /healthz p99, from the post until drained', ours: h.percentile(one.watched.healthz, 99), baseline: h.percentile(many.watched.healthz, 99), baselineName: 'baseline', unit: 'ms', digits: 0 });
  h.record({ section: 'big', metric: 'big webhook: small webhook response worst, while draining', ours: worst(one.watched.small), baseline: worst(many.watched.small), baselineName: 'baseline', unit: 'ms', digits: 0 });
  h.record({ section: 'big', metric: 'big webhook: alerts delivered twice or missing', ours: ALERTS - one.big.distinct + one.big.duplicates + one.small.duplicates, baseline: ALERTS - many.big.distinct + many.big.duplicates + many.small.duplicates, baselineName: 'baseline', digits: 0, target: '0', met: allOnce });
  h.record({ section: 'big', metric: 'big webhook: messages sent', ours: one.big.messages, baseline: many.big.messages, baselineName: 'baseline', digits: 0 });
  h.record({ section: 'big', metric: 'big webhook: service CPU time to drain', ours: one.cpu, baseline: many.cpu, baselineName: 'baseline', unit: 's', digits: 1 });
  h.note(
    `big webhook: ${(bytes / 1e6).toFixed(2)} MB body (${Math.round(bytes / ALERTS)} B per alert, all fields of Alertmanager's template.Alert), service body_limit ${BODY_LIMIT}, robot rate_limit {count: ${RATE_LIMIT.count}, per: ${RATE_LIMIT.per}} (not the bottleneck; the fake enforces the same); ` +
      `answered in ${h.fmt(one.acceptedMs, 0)} ms; ${one.watched.healthz.length} /healthz calls (${one.watched.failures} failed; slowest ${one.slowest.map((c) => `${h.fmt(c.ms, 0)} ms made +${h.fmt(c.at, 1)} s after the post`).join(', ')}), ${one.watched.smallSent} small webhooks posted during the drain, all delivered once: ${one.small.distinct === one.watched.smallSent * 2 && one.small.duplicates === 0 ? 'yes' : 'no'}; service peak RSS ${h.fmt(one.rssMb, 0)} MB (baseline ${h.fmt(many.rssMb, 0)} MB)`,
  );
}

module.exports = { benchBigWebhook };
