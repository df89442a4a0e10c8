import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { configSchema } from '../../src/config/schema';

/** The HA overlay (deploy/kubernetes-ha) is consistent with the base manifests and the config schema. */
const DIR = join(__dirname, '../../deploy/kubernetes-ha');
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');
const docs = (file: string) => parseAllDocuments(read(file)).map((doc) => doc.toJS());

describe('deploy/kubernetes-ha', () => {
  const kustomization = parse(read('kustomization.yaml'));
  const configMap = parse(read('configmap-patch.yaml'));
  const config = configSchema.safeParse(parse(configMap.data['config.yaml']));

  it('builds on the base manifests and lists every file it ships', () => {
    expect(kustomization.resources).toEqual(['../kubernetes', 'redis.yaml', 'pdb.yaml']);
    expect(kustomization.patches.map((patch: { path: string }) => patch.path)).toEqual(['deployment-patch.yaml', 'configmap-patch.yaml']);
  });

  it('the config validates and shares state through the Redis Service of the overlay', () => {
    expect(config.success ? [] : config.error.issues).toEqual([]);
    const url = new URL(config.data!.storage.redis!.url);
    const [, service] = docs('redis.yaml');
    expect(service.kind).toBe('Service');
    expect(url.hostname).toBe(service.metadata.name);
    expect(Number(url.port)).toBe(service.spec.ports[0].port);
  });

  it('differs from the base config only by storage.redis', () => {
    const base = parse(parse(readFileSync(join(DIR, '../kubernetes/configmap.yaml'), 'utf8')).data['config.yaml']);
    const ha = parse(configMap.data['config.yaml']);
    delete ha.storage.redis;
    expect(ha).toEqual(base);
  });

  it('runs at least two replicas, rolls without downtime and keeps one through disruptions', () => {
    const patch = parse(read('deployment-patch.yaml'));
    expect(patch.metadata.name).toBe('wecom-alert-adapter');
    expect(patch.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(patch.spec.strategy).toMatchObject({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } });
    const [pdb] = docs('pdb.yaml');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'wecom-alert-adapter' });
  });
});
