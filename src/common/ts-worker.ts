/**
 * Starts a worker thread on one of belfry's modules, from compiled
 * JavaScript or from the TypeScript sources. From sources, Node 20 does not
 * apply the launcher's loader hooks to a worker's entry module, so a
 * two-line bootstrap registers tsx inside the worker first. Used by the JS
 * RTP relay's workers (rtp/worker-anchor-host.ts) and the store's write
 * thread (store/write-thread.ts).
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `entry` is the module's URL as TypeScript (`new URL('./x.ts', import.meta.url)`); compiled builds load the .js beside it. */
export function startModuleWorker(entry: URL, opts: WorkerOptions): Worker {
  if (!entry.pathname.endsWith('.ts') || !import.meta.url.endsWith('.ts')) return new Worker(new URL(entry.href.replace(/\.ts$/, '.js')), opts);
  const hook = new URL('../../bin/register-ts.mjs', import.meta.url).href;
  const code = `import(${JSON.stringify(hook)}).then(() => import(${JSON.stringify(entry.href)})).catch((e) => { console.error(e); process.exit(1); });`;
  return new Worker(code, { ...opts, eval: true });
}
