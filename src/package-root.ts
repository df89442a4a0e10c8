import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * packageRoot finds the directory holding this package's package.json, whether the code runs from
 * `src/` (tests) or from `dist/src/` (built), so bundled `templates/` and fixtures are found.
 */
export function packageRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package root not found above ${start}`);
    dir = parent;
  }
}
