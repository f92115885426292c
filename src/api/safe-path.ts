/**
 * Resolve a path that must stay inside a base folder (recordings are served
 * from the data folder only; `..`, absolute paths and symlinks out are refused).
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

export function safePathInside(base: string, candidate: string): string | undefined {
  const abs = resolve(base, candidate);
  let real: string;
  let realBase: string;
  try {
    real = realpathSync(abs);
    realBase = realpathSync(base);
  } catch {
    return undefined;
  }
  const rel = relative(realBase, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return real;
}
