#!/usr/bin/env node
'use strict';
/**
 * Writes the storm fixtures (test/fixtures/payloads/*-storm*.json) in the exact wire format of the
 * senders — Alertmanager's webhook v4 (notify/webhook/webhook.go Message + template.Data, as in the
 * captured real-alertmanager-0.25-*.json) and Grafana's unified webhook v1 (as in
 * grafana-unified-firing.json, itself composed from grafana/alerting). Deterministic: run it again
 * and the files do not change. Needs `npm run build` first (fingerprints use the product's FNV-1a,
 * which reproduces Alertmanager's).
 */
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { labelsFingerprint } = require('../dist/src/model/fingerprint');

const OUT = join(__dirname, '..', 'test', 'fixtures', 'payloads');
const BASE = Date.parse('2025-03-18T01:00:00Z');
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A 200-alert storm of one cluster: 30 critical, 120 warning firing, 50 resolved, three rules. */
function alertmanagerStorm() {
  const rules = [
    { alertname: 'NodeDown', severity: 'critical', summary: '节点失联', expr: 'up{job="node-exporter"} == 0', count: 30, value: () => '' },
    { alertname: 'HostDiskUsageHigh', severity: 'warning', summary: '磁盘使用率超过 85%', expr: 'disk_used_percent > 85', count: 120, value: (i) => `${85 + (i % 14)}.${i % 10}%` },
    { alertname: 'HostDiskUsageHigh', severity: 'warning', summary: '磁盘使用率超过 85%', expr: 'disk_used_percent > 85', count: 50, resolved: true, value: () => '' },
  ];
  const alerts = [];
  let n = 0;
  // Payload order as Alertmanager sends it: sorted by labels, so severities are interleaved.
  for (const rule of rules) {
    for (let i = 0; i < rule.count; i++, n++) {
      const host = `node-${String(n + 1).padStart(3, '0')}.prod-bj.example.cn:9100`;
      const labels = { alertname: rule.alertname, cluster: 'prod-bj', env: 'prod', instance: host, job: 'node-exporter', severity: rule.severity, team: 'sre' };
      const startsAt = BASE + n * 7_000;
      alerts.push({
        status: rule.resolved ? 'resolved' : 'firing',
        labels,
        annotations: { description: `${host} ${rule.summary}${rule.value(i) ? `，当前 ${rule.value(i)}` : ''}`, summary: rule.summary },
        startsAt: iso(startsAt),
        endsAt: rule.resolved ? iso(startsAt + 40 * 60_000) : '0001-01-01T00:00:00Z',
        generatorURL: `http://prometheus.prod-bj.example.cn:9090/graph?g0.expr=${encodeURIComponent(rule.expr)}&g0.tab=1`,
        fingerprint: labelsFingerprint(labels),
      });
    }
  }
  alerts.sort((a, b) => (a.labels.instance < b.labels.instance ? -1 : 1));
  return {
    receiver: 'sre-robot',
    status: 'firing',
    alerts,
    groupLabels: { cluster: 'prod-bj' },
    commonLabels: { cluster: 'prod-bj', env: 'prod', job: 'node-exporter', team: 'sre' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.prod-bj.example.cn:9093',
    version: '4',
    groupKey: '{}:{cluster="prod-bj"}',
    truncatedAlerts: 0,
  };
}

/** A Grafana storm: one folder's rule over 24 order-service pods, grouped by cluster and service. */
function grafanaStorm() {
  const alerts = [];
  for (let i = 0; i < 24; i++) {
    const pod = `trade-order-${['7d9f', '5c2a', '8b1e'][i % 3]}-${String(i).padStart(2, '0')}`;
    const critical = i % 4 === 0;
    const labels = { alertname: '交易链路延迟过高', cluster: 'prod-sh', grafana_folder: '交易链路', namespace: 'trade', pod, service: 'trade', severity: critical ? 'critical' : 'warning' };
    const latency = critical ? 2.5 + i / 10 : 1.1 + i / 50;
    alerts.push({
      status: 'firing',
      labels,
      annotations: { summary: 'P99 延迟超过 1 秒', description: `${pod} 下单接口 P99 延迟 ${latency.toFixed(3)} 秒`, runbook_url: 'https://wiki.example.cn/runbook/trade-latency' },
      startsAt: iso(BASE + i * 30_000).replace('Z', '+00:00'),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'https://grafana.example.cn/alerting/grafana/tr4d3l4t3ncy/view?orgId=1',
      fingerprint: labelsFingerprint(labels),
      silenceURL: `https://grafana.example.cn/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3Dtr4d3l4t3ncy&matcher=pod%3D${pod}&orgId=1`,
      dashboardURL: 'https://grafana.example.cn/d/trade-latency?orgId=1',
      panelURL: 'https://grafana.example.cn/d/trade-latency?orgId=1&viewPanel=4',
      values: { B: latency, C: 1 },
      valueString: `[ var='B' labels={pod=${pod}} value=${latency} ], [ var='C' labels={pod=${pod}} value=1 ]`,
      orgId: 1,
    });
  }
  return {
    receiver: 'trade-webhook',
    status: 'firing',
    orgId: 1,
    alerts,
    groupLabels: { alertname: '交易链路延迟过高', cluster: 'prod-sh', service: 'trade' },
    commonLabels: { alertname: '交易链路延迟过高', cluster: 'prod-sh', grafana_folder: '交易链路', namespace: 'trade', service: 'trade' },
    commonAnnotations: { summary: 'P99 延迟超过 1 秒', runbook_url: 'https://wiki.example.cn/runbook/trade-latency' },
    externalURL: 'https://grafana.example.cn/',
    version: '1',
    groupKey: '{}/{__grafana_autogenerated__="true"}/{__grafana_receiver__="trade-webhook"}:{alertname="交易链路延迟过高", cluster="prod-sh", service="trade"}',
    truncatedAlerts: 0,
    title: '[FIRING:24] 交易链路延迟过高 prod-sh trade (交易链路 trade)',
    state: 'alerting',
    message: '**Firing**\n\nValue: B=2.5, C=1\nLabels:\n - alertname = 交易链路延迟过高\n - cluster = prod-sh\n',
  };
}

writeFileSync(join(OUT, 'alertmanager-storm-200.json'), JSON.stringify(alertmanagerStorm()));
writeFileSync(join(OUT, 'grafana-unified-storm.json'), JSON.stringify(grafanaStorm(), null, 2) + '\n');
console.log('wrote alertmanager-storm-200.json and grafana-unified-storm.json');
