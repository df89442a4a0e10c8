import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { createService } from '../../src/bootstrap';
import { validateConfig, type LoadedConfig } from '../../src/config/load';
import type { Metrics } from '../../src/metrics';
import type { Service } from '../../src/service';

/**
 * buildApp runs the real express app and service in-process on a temp storage directory, with a
 * captured log and its own metrics registry. `config` is a plain object as it would be in YAML.
 */
export interface TestApp {
  app: Express;
  service: Service;
  metrics: Metrics;
  logs: string[];
  consoleOut: string[];
  dir: string;
  close: () => Promise<void>;
  metricValue: (name: string, labels?: Record<string, string>) => Promise<number>;
  /** waitForMetric polls until a metric reaches `value` (the worker records after WeCom answers). */
  waitForMetric: (name: string, labels: Record<string, string>, value: number, timeoutMs?: number) => Promise<void>;
}

export interface BuildOptions {
  dir?: string;
  clock?: () => number;
  reload?: () => LoadedConfig;
  start?: boolean;
}

export async function buildApp(config: Record<string, unknown>, options: BuildOptions = {}): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'wecom-adapter-test-'));
  const withStorage = { ...config, storage: { path: join(dir, 'data'), ...((config.storage as object) ?? {}) } };
  const loaded: LoadedConfig = { config: validateConfig(withStorage, 'test-config.yaml', dir, {}), source: join(dir, 'test-config.yaml'), baseDir: dir };
  const logs: string[] = [];
  const consoleOut: string[] = [];
  let secrets: () => string[] = () => [];
  const { redactSecrets } = await import('../../src/channels/redact');
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(redactSecrets(String(chunk), secrets()));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const { service, metrics } = createService({ loaded, logger, registry: new Registry(), clock: options.clock, consoleWrite: (text) => consoleOut.push(text), reloadConfig: options.reload });
  secrets = () => service.secrets();
  if (options.start !== false) await service.start();
  const app = createApp({ service, metrics, logger });
  return {
    app,
    service,
    metrics,
    logs,
    consoleOut,
    dir,
    close: async () => {
      await service.stop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
    waitForMetric: async (name, labels, value, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const metric = metrics.registry.getSingleMetric(name);
        const data = metric ? await metric.get() : { values: [] };
        const current = data.values
          .filter((item) => Object.entries(labels).every(([key, expected]) => String((item.labels as Record<string, unknown>)[key]) === expected))
          .reduce((sum, item) => sum + item.value, 0);
        if (current === value) return;
        if (Date.now() > deadline) throw new Error(`${name}${JSON.stringify(labels)} is ${current}, expected ${value}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    metricValue: async (name, labels = {}) => {
      const metric = metrics.registry.getSingleMetric(name);
      if (!metric) throw new Error(`no metric ${name}`);
      const data = await metric.get();
      return data.values
        .filter((value) => Object.entries(labels).every(([key, expected]) => String((value.labels as Record<string, unknown>)[key]) === expected))
        .reduce((sum, value) => sum + value.value, 0);
    },
  };
}

/** robotConfig: a minimal config with one robot receiver pointing at a fake WeCom. */
export function robotConfig(apiBase: string, robot: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    wecom: { api_base: apiBase, timeout: '2s' },
    delivery: { retry: { initial_backoff: '20ms', max_backoff: '200ms', rate_limited_backoff: '200ms' } },
    receivers: [{ name: 'ops', robot: { key: 'test-robot-key-0001', ...robot } }],
    route: { receiver: 'ops' },
    ...extra,
  };
}
