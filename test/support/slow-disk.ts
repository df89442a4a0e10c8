import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * slowDiskLibrary compiles test/support/slow-fsync.c (a shared library for LD_PRELOAD that makes
 * every fsync/fdatasync take SLOW_FSYNC_MS longer) and returns its path. Needs a C compiler (`cc`:
 * gcc from Debian's build-essential, which a fresh machine needs for better-sqlite3 anyway).
 */
export function slowDiskLibrary(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'slow-fsync-')), 'slow-fsync.so');
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', out, join(__dirname, 'slow-fsync.c'), '-ldl'], { stdio: 'pipe' });
  return out;
}
