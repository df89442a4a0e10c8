import { createService } from '../bootstrap';
import { createLogger } from '../logger';
import { installSignals, startServer } from '../server';
import { resolveConfig } from './resolve-config';
import { DigestScheduler } from '../digest/scheduler';

/** serve: run the service (SPEC §2). */
export async function serveCommand(options: { config?: string; listen?: string }): Promise<number> {
  const { loaded, reload } = resolveConfig(options.config);
  if (options.listen) loaded.config.server.listen = options.listen;
  let secrets: () => readonly string[] = () => [];
  const logger = createLogger({ level: loaded.config.server.log_level, secrets: () => secrets() });
  const { service, metrics } = createService({
    loaded,
    logger,
    reloadConfig: reload
      ? () => {
          const next = reload();
          next.config.server.listen = loaded.config.server.listen;
          return next;
        }
      : undefined,
  });
  secrets = () => service.secrets();
  await service.start();
  const running = await startServer(service, metrics, logger, loaded.config.server.listen);
  // Digests run on their cron schedules (server.timezone), are rebuilt on reload, stop on shutdown.
  const history = service.history;
  const digests = history ? new DigestScheduler({ current: () => service.current, history, acks: service.actions ? (since) => service.actions!.acksSince(since) : undefined, enqueue: (notifications, now) => service.enqueue(notifications, now), logger, clock: service.clock }) : undefined;
  digests?.start();
  service.onReload((state) => digests?.reschedule(state.config));
  installSignals({ ...running, shutdown: (reason) => (digests?.stop(), running.shutdown(reason)) }, service, logger);
  logger.info(
    { listen: running.address, config: loaded.source, receivers: loaded.config.receivers.map((receiver) => receiver.name), storage: loaded.config.storage.path },
    `wecom-alert-adapter listening on http://${running.address}`,
  );
  return new Promise<number>(() => undefined); // runs until a signal
}
