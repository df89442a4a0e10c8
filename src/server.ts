import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { Metrics } from './metrics';
import type { Service } from './service';

/**
 * startServer listens and installs the signal handling: SIGHUP reloads; SIGTERM/SIGINT stop
 * accepting connections, let in-flight sends finish within `delivery.shutdown_grace`, and leave
 * everything else in the outbox for the next start.
 */
export interface RunningServer {
  server: Server;
  address: string;
  shutdown: (reason: string) => Promise<void>;
}

export function splitListen(listen: string): { host: string; port: number } {
  const index = listen.lastIndexOf(':');
  const host = listen.slice(0, index).replace(/^\[|\]$/g, '') || '0.0.0.0';
  return { host, port: Number(listen.slice(index + 1)) };
}

export async function startServer(service: Service, metrics: Metrics, logger: Logger, listen: string): Promise<RunningServer> {
  const app = createApp({ service, metrics, logger });
  const { host, port } = splitListen(listen);
  const config = service.current.config.server;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  // Slow or stuck clients must not hold sockets forever.
  server.requestTimeout = config.request_timeout;
  server.headersTimeout = Math.min(config.request_timeout, 60_000);
  server.keepAliveTimeout = 65_000;
  const bound = server.address();
  const address = typeof bound === 'object' && bound ? `${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}` : listen;

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) =>
    (stopping ??= (async () => {
      logger.info({ reason }, 'shutting down: no new work; in-flight sends get the grace period; the rest stays queued');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await service.stop();
      server.closeAllConnections();
      await closed;
      logger.info('stopped');
    })());
  return { server, address, shutdown };
}

/** installSignals wires process signals to reload and shutdown. */
export function installSignals(running: RunningServer, service: Service, logger: Logger): void {
  process.on('SIGHUP', () => {
    try {
      service.reload();
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'SIGHUP reload failed');
    }
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void running.shutdown(signal).then(() => process.exit(0));
    });
  }
}
