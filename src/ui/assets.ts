import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Request, Response, NextFunction } from 'express';
import { HttpError } from '../http/errors';
import { packageRoot } from '../package-root';

/**
 * The console's static files (a stylesheet and one ES module per view), served by the service
 * itself (no CDN: consoles often run where the internet is not reachable). They are plain files in
 * `src/ui/assets/`, shipped with the package, and read once: they only change with a new version
 * of the service. Only kebab-case `.js` / `.css` names are served, so a name cannot walk the disk.
 */
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const NAME_RE = /^[a-z0-9-]+\.(js|css)$/;

const cache = new Map<string, Buffer>();

export function assetsDir(): string {
  return join(packageRoot(), 'src', 'ui', 'assets');
}

export function serveAsset(req: Request, res: Response, next: NextFunction): void {
  const name = String(req.params.name ?? req.path.split('/').pop());
  const match = NAME_RE.exec(name);
  if (!match) return next(new HttpError(404, `no console asset "${name}"`));
  const type = TYPES[match[1]];
  let content = cache.get(name);
  if (!content) {
    try {
      content = readFileSync(join(assetsDir(), name));
    } catch {
      return next(new HttpError(404, `no console asset "${name}" in ${assetsDir()}`));
    }
    cache.set(name, content);
  }
  res.setHeader('Cache-Control', 'no-cache');
  res.type(type).send(content);
}
