/**
 * The SIP stack's composition: listeners → edge (parse, RFC 3261 §8.2
 * checks) → transaction layer (§17) → transaction user (the engine).
 *
 * Owns: building the listeners from configuration, the default TU answers
 * (OPTIONS to the switch → 200 with Allow/Accept/Supported/Accept-Language,
 * §11.2; a request no TU takes → 480), the graceful drain of close(), and
 * the counters for metrics. Leaves out: dialogs, registrations and legs
 * (their own sub-layers, driven by the engine through onRequest).
 */
import { cryptoIds, silentLogger, systemClock, type Logger } from '../common/index.ts';
import { createResponse, DEFAULT_SIP_LIMITS, type HeaderField, type SipLimits, type SipRequest } from './message/index.ts';
import { createSipTimers, createTransactionMessages, TransactionLayer, type RequestHandler, type ServerTransactionHandle } from './transaction/index.ts';
import { createTlsTransport, StreamTransport, UdpTransport, type Flow, type Listener } from './transport/index.ts';
import { SipEdge } from './stack-edge.ts';
import { statelessReplyBytes } from './stateless-reply.ts';
import type { ListenerConfig, SipStack, SipStackCounters, SipStackOptions } from './stack-types.ts';

export const DEFAULT_ALLOWED_METHODS: readonly string[] = Object.freeze(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'INFO', 'UPDATE', 'PRACK', 'NOTIFY', 'REFER']);
export const DEFAULT_SUPPORTED_EXTENSIONS: readonly string[] = Object.freeze(['replaces', 'timer', 'outbound', 'path']);

function buildListener(cfg: ListenerConfig, edge: SipEdge, limits: SipLimits, opts: SipStackOptions, logger: Logger): Listener {
  // The admission hook runs before any parsing: a blocked source costs one
  // map lookup and creates no transaction (untrusted input must not grow state).
  const admit = opts.admit;
  const onPacket = admit === undefined ? (bytes: Buffer, flow: Flow) => edge.receive(bytes, flow) : (bytes: Buffer, flow: Flow) => (admit(flow.remoteAddress) ? edge.receive(bytes, flow) : undefined);
  switch (cfg.protocol) {
    case 'udp':
      return new UdpTransport({ host: cfg.host, port: cfg.port, ...(cfg.ipv6Host === undefined ? {} : { ipv6Host: cfg.ipv6Host }), logger, onPacket, engine: opts.udpEngine ?? 'dgram' });
    case 'tcp':
    case 'tls': {
      const streamOpts = {
        host: cfg.host,
        port: cfg.port,
        maxMessageBytes: limits.maxMessageBytes,
        ...(opts.stream?.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: opts.stream.idleTimeoutMs }),
        ...(opts.stream?.maxConnections === undefined ? {} : { maxConnections: opts.stream.maxConnections }),
        logger,
        onPacket,
        onFramingError: (e: { code: string; headerBytes: Buffer | undefined }, flow: Flow, reply: (b: Buffer) => void) =>
          edge.framingError(e.code, e.headerBytes, flow, reply),
      };
      if (cfg.protocol === 'tcp') return new StreamTransport(streamOpts);
      if (cfg.tls === undefined) throw new RangeError('a tls listener needs tls.certPath and tls.keyPath');
      return createTlsTransport(streamOpts, cfg.tls);
    }
  }
}

export async function createSipStack(options: SipStackOptions): Promise<SipStack> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? cryptoIds();
  const logger = options.logger ?? silentLogger();
  const limits: SipLimits = { ...DEFAULT_SIP_LIMITS, ...options.limits };
  const timers = createSipTimers(options.timers);
  const allowedMethods = options.allowedMethods ?? DEFAULT_ALLOWED_METHODS;
  const supportedExtensions = options.supportedExtensions ?? DEFAULT_SUPPORTED_EXTENSIONS;
  const ownAddresses = new Set<string>();

  const optionsHeaders: HeaderField[] = [
    { name: 'Allow', value: allowedMethods.join(', ') },
    { name: 'Accept', value: 'application/sdp' },
    { name: 'Accept-Language', value: 'en' },
    { name: 'Supported', value: supportedExtensions.join(', ') },
  ];
  const optionsAnswer = (r: SipRequest): Buffer => statelessReplyBytes(r, 200, 'OK', ids.tag(), optionsHeaders);
  const edge = new SipEdge({
    limits,
    clock,
    logger,
    policy: {
      allowedMethods,
      supportedExtensions,
      isOwnSentBy: (host, port) => ownAddresses.has(`${host.replace(/^\[|\]$/g, '')}:${port ?? 5060}`),
    },
    symmetricResponses: options.symmetricResponses ?? true,
    logIntervalMs: options.badInputLogIntervalMs ?? 10_000,
    mergeWindowMs: 64 * timers.T1,
    drainRetryAfterSec: options.drainRetryAfterSec ?? 5,
    // OPTIONS to the switch itself (no user part) is answered without a
    // transaction (RFC 3261 §8.2.7 stateless UAS: a retransmission simply gets
    // another 200); everything else may be answered statelessly by the TU's hook.
    stateless: (r: SipRequest, f: Flow) => {
      if (r.method === 'OPTIONS' && r.to.tag === undefined && r.requestUri !== undefined && r.requestUri.user === undefined) return optionsAnswer(r);
      return options.stateless?.(r, f);
    },
    // While draining, retransmissions and CANCELs of transactions in flight still get in (§9.2).
    isKnownTransaction: (r: SipRequest): boolean => layer.knows(r),
  });
  const layer: TransactionLayer = new TransactionLayer({ transport: edge, clock, timers, messages: createTransactionMessages(ids), logger, maxTransactions: options.maxTransactions ?? 50_000 });

  let tu: RequestHandler | undefined;
  const toTag = () => ids.tag();
  const answerOptions = (tx: ServerTransactionHandle) => {
    tx.respond(
      createResponse(tx.request, 200, 'OK', {
        toTag: toTag(),
        headers: [
          { name: 'allow', value: allowedMethods.join(', ') },
          { name: 'accept', value: 'application/sdp' },
          { name: 'accept-language', value: 'en' },
          { name: 'supported', value: supportedExtensions.join(', ') },
        ],
      }),
    );
  };
  layer.onRequest((tx) => {
    try {
      const uri = tx.request.requestUri;
      // §11.2: OPTIONS to the switch itself is answered here; OPTIONS to a user goes to the TU when there is one.
      if (tx.request.method === 'OPTIONS' && (tu === undefined || uri === undefined || uri.user === undefined)) return answerOptions(tx);
      if (tu === undefined) return tx.respond(createResponse(tx.request, 480, 'Temporarily Unavailable', { toTag: toTag() }));
      tu(tx);
    } catch (e) {
      // G9: a TU exception is logged with the call-id and answered, never allowed to kill the receive loop.
      logger.error({ callId: tx.request.callId, err: e instanceof Error ? e.message : String(e) }, 'transaction user threw');
      if (!tx.terminated) {
        try {
          tx.respond(createResponse(tx.request, 500, 'Server Internal Error', { toTag: toTag() }));
        } catch {
          // Already answered with a final response: nothing more to send.
        }
      }
    }
  });

  const listeners: Listener[] = [];
  try {
    for (const cfg of options.listeners) {
      const l = buildListener(cfg, edge, limits, options, logger);
      await l.start();
      listeners.push(l);
      edge.addListener(l);
      for (const a of l.addresses()) ownAddresses.add(`${a.address}:${a.port}`);
    }
  } catch (e) {
    await Promise.all(listeners.map((l) => l.close()));
    throw e;
  }

  let closed = false;
  let closing: Promise<void> | undefined;
  return {
    onRequest: (h) => {
      tu = h;
    },
    onAck: (h) => layer.onAck(h),
    sendRequest: (req, flow, onResponse) => layer.sendRequest(req, flow, onResponse),
    sendAck: (ack, flow) => layer.sendAck(ack, flow),
    addresses: () => listeners.flatMap((l) => l.addresses()),
    get closed() {
      return closed;
    },
    counters(): SipStackCounters {
      return {
        received: edge.received,
        parseErrors: edge.parseErrors,
        dropped: edge.dropped,
        edgeRejected: edge.edgeRejected,
        keepalives: listeners.reduce((n, l) => n + l.counters.keepalives, 0),
        responsesSent: { ...edge.responsesSent },
        transactions: layer.counts(),
        listeners: listeners.map((l) => ({ protocol: l.protocol, ...l.counters })),
      };
    },
    close(opts = {}) {
      closing ??= (async () => {
        edge.drain();
        const deadline = clock.now() + (opts.graceMs ?? 0);
        // Bounded wait: poll the layer until its tables are empty or the grace time is over.
        while (clock.now() < deadline) {
          const c = layer.counts();
          if (c.serverTransactions + c.clientTransactions === 0) break;
          await new Promise<void>((r) => clock.setTimer(Math.min(50, Math.max(1, deadline - clock.now())), r));
        }
        layer.close();
        await Promise.all(listeners.map((l) => l.close()));
        closed = true;
      })();
      return closing;
    },
  };
}
