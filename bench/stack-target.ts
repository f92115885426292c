/**
 * A bare SIP stack in its own process, for bench/flood.ts and bench/options-sipp.sh when no belfry is
 * given: UDP on 127.0.0.1, an ephemeral port, a TU answering 404. Prints the
 * same "sip listening" JSON line as belfry and exits on SIGTERM.
 */
import { createLogger } from '../src/common/index.ts';
import { createResponse, createSipStack } from '../src/sip/index.ts';

const logger = createLogger({ level: 'warn' });
const stack = await createSipStack({ listeners: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }], logger });
stack.onRequest((tx) => tx.respond(createResponse(tx.request, 404, undefined, { toTag: 'bench' })));
const udp = stack.addresses().find((a) => a.protocol === 'udp')?.port ?? 0;
process.stdout.write(JSON.stringify({ msg: 'sip listening', udp, tcp: 0 }) + '\n');
process.on('SIGTERM', () => {
  void stack.close().then(() => process.exit(0));
});
