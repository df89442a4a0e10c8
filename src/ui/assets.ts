import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Request, Response, NextFunction } from 'express';
import { HttpError } from '../http/errors';
import { packageRoot } from '../package-root';

/**
 * The console's two static files, served by the service itself (no CDN: consoles often run where
 * the internet is not reachable). They are plain files in `src/ui/assets/`, shipped with the
 * package, and read once: they only change with a new version of the service.
 */
const ASSETS: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

const cache = new Map<string, Buffer>();

export function assetsDir(): string {
  return join(packageRoot(), 'src', 'ui', 'assets');
}

export function serveAsset(req: Request, res: Response, next: NextFunction): void {
  const name = String(req.params.name);
  const type = Object.prototype.hasOwnProperty.call(ASSETS, name) ? ASSETS[name] : undefined;
  if (!type) return next(new HttpError(404, `no console asset "${name}"`));
  let content = cache.get(name);
  if (!content) {
    try {
      content = readFileSync(join(assetsDir(), name));
    } catch {
      return next(new HttpError(500, `console asset ${name} is missing from ${assetsDir()} (install the package with its src/ui/assets)`));
    }
    cache.set(name, content);
  }
  res.setHeader('Cache-Control', 'no-cache');
  res.type(type).send(content);
}
