/**
 * Builds the LegContext every leg and the registrar use: how we name
 * ourselves in Via and Contact on a given flow, and where in-dialog requests
 * are routed (the DialogRouter).
 */
import type { Clock, Ids, Logger } from '../common/index.ts';
import type { DialogRouting, Flow, LegContext, LegTransactions, SipTimers } from '../sip/index.ts';

export type LegTransactionsAndContext = LegContext;

export interface Advertise {
  /** Host and port belfry is reachable at for this flow's protocol. */
  (flow: Flow): { host: string; port: number };
}

function hostForUri(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function makeLegContext(o: {
  transactions: LegTransactions;
  routing: DialogRouting;
  clock: Clock;
  ids: Ids;
  timers: SipTimers;
  log: Logger;
  advertise: Advertise;
  product: string;
}): LegContext {
  return {
    transactions: o.transactions,
    routing: o.routing,
    clock: o.clock,
    ids: o.ids,
    timers: o.timers,
    log: o.log,
    product: o.product,
    via(flow, branch) {
      const a = o.advertise(flow);
      // RFC 3581 §3: rport asks the peer to answer to the source port.
      return `SIP/2.0/${flow.protocol.toUpperCase()} ${hostForUri(a.host)}:${a.port};branch=${branch};rport`;
    },
    contact(flow) {
      const a = o.advertise(flow);
      const t = flow.protocol === 'udp' ? '' : `;transport=${flow.protocol}`;
      return `<sip:belfry@${hostForUri(a.host)}:${a.port}${t}>`;
    },
  };
}
