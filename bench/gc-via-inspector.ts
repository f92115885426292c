/**
 * Makes a running belfry collect its garbage before the registrar bench reads
 * its RSS (bench/register-sipp.sh, GC_BEFORE_SAMPLE=1), so that both samples
 * hold live memory rather than whatever V8 has not collected or returned
 * yet. belfry must run with NODE_OPTIONS=--inspect-port=0: SIGUSR1 opens the
 * inspector on 127.0.0.1 at a free port, whose URL belfry's log shows; two
 * HeapProfiler.collectGarbage calls go through it (Node 20: run with
 * --experimental-websocket).
 *
 *   node --experimental-websocket --import tsx bench/gc-via-inspector.ts PID LOGFILE
 */
import { readFileSync } from 'node:fs';

const [pidText, logFile] = process.argv.slice(2);
const pid = Number(pidText);
if (!Number.isInteger(pid) || logFile === undefined) {
  process.stderr.write('usage: gc-via-inspector.ts PID LOGFILE\n');
  process.exit(2);
}
const findUrl = (): string | undefined => /ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+/.exec(readFileSync(logFile, 'utf8'))?.[0];
let url = findUrl();
if (url === undefined) process.kill(pid, 'SIGUSR1');
for (let i = 0; i < 50 && url === undefined; i++) {
  await new Promise((r) => setTimeout(r, 100));
  url = findUrl();
}
if (url === undefined) throw new Error(`no inspector URL in ${logFile}`);
const ws = new WebSocket(url);
await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = reject;
});
let id = 0;
function call(method: string): Promise<void> {
  const my = ++id;
  return new Promise((resolve) => {
    const onMessage = (e: MessageEvent): void => {
      if ((JSON.parse(String(e.data)) as { id?: number }).id !== my) return;
      ws.removeEventListener('message', onMessage);
      resolve();
    };
    ws.addEventListener('message', onMessage);
    ws.send(JSON.stringify({ id: my, method }));
  });
}
await call('HeapProfiler.enable');
await call('HeapProfiler.collectGarbage');
await call('HeapProfiler.collectGarbage');
await call('HeapProfiler.disable');
ws.close();
