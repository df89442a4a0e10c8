import type { Router } from 'express';
import type { Logger } from 'pino';
import { AppChannel } from '../channels/app';
import type { Metrics } from '../metrics';
import type { Service } from '../service';
import { CardActions } from '../interactive/card-actions';
import { callbackRoutes } from '../interactive/callback-route';
import type { CallbackSettings } from '../interactive/callback-verify';
import { SilenceClient } from '../interactive/silence-client';

/**
 * wecomCallbackRoutes wires `/wecom/callback/{receiver}` to the running service: settings come
 * from the current config (so a reload applies), actions use the service's action store, the
 * app channel updates cards, and `callback.notify` messages are queued like any message.
 * Without an action store (none configured) every receiver answers 404.
 */
export function wecomCallbackRoutes(service: Service, metrics: Metrics, logger: Logger, silences = new SilenceClient()): Router {
  const appOf = (name: string) => service.current.config.receivers.find((receiver) => receiver.name === name)?.app;
  const store = service.actions;
  const actions = new CardActions({
    store: store!,
    metrics,
    logger,
    clock: service.clock,
    silences,
    timezone: () => service.current.config.server.timezone,
    receiver: (name) => {
      const callback = appOf(name)?.callback;
      if (!callback) return undefined;
      const channel = service.current.channels.get(name);
      return { callback, updater: channel instanceof AppChannel ? channel : undefined };
    },
    notify: (receiver, title, content) => service.notifyText(receiver, title, content),
  });
  return callbackRoutes({
    settings: (name): CallbackSettings | undefined => {
      const app = appOf(name);
      const callback = app?.callback;
      if (!store || !app || !callback?.token || !callback.encoding_aes_key) return undefined;
      return { token: callback.token, encodingAesKey: callback.encoding_aes_key, corpId: app.corp_id, agentId: Number(app.agent_id), windowMs: callback.timestamp_window };
    },
    actions,
    metrics,
    logger,
    clock: service.clock,
  });
}
