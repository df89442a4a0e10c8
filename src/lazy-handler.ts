import type { RequestHandler } from 'express';

/**
 * lazyHandler defers building a route handler (and requiring its modules) to its first request, so
 * code most deployments never use — the web console, WeCom's callbacks — costs no memory in a
 * process that never serves it (issue 18: idle RSS). Config problems are not deferred with it: the
 * config, these features' settings included, is validated at start. A handler whose building
 * throws answers that request with the error (500) and is built again on the next one.
 */
export function lazyHandler(load: () => RequestHandler): RequestHandler {
  let handler: RequestHandler | undefined;
  return (req, res, next) => {
    handler ??= load();
    return handler(req, res, next);
  };
}
