/**
 * The module hook the `belfry` launcher runs the switch with: TypeScript
 * files are stripped of their types by esbuild, one file at a time, and loaded
 * as ES modules. Nothing else is done to them.
 *
 * Why not tsx (which the tests still use): tsx compiles with esbuild's
 * `keepNames`, which wraps every named function and class expression in a
 * `__name(fn, "name")` call that redefines the function's `name` property
 * each time the expression runs. A closure made per message or per call then
 * costs an Object.defineProperty and gives V8 one more object shape; profiles
 * of the call path showed it at 2-3 % of the switch's CPU. Stack traces keep
 * their names here through the inline source maps (--enable-source-maps).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

// The compiler options that change what esbuild emits (tsconfig.json): class
// fields as in ES2022, imports kept exactly as written.
const tsconfigRaw = { compilerOptions: { target: 'ES2022', useDefineForClassFields: true, verbatimModuleSyntax: true } };

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = await readFile(path, 'utf8');
  const out = await transform(source, { loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'inline', sourcefile: path, tsconfigRaw });
  return { format: 'module', source: out.code, shortCircuit: true };
}
