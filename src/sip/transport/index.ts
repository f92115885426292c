/**
 * The SIP transport sub-layer's public API (STYLE G8): the SipTransport
 * contract, socket drivers, flow helpers, the edge policy and its codes.
 */
export * from './transport-types.ts';
export type { BoundAddress, Listener, ListenerCounters, PacketHandler, FramingErrorHandler } from './listener-types.ts';
export { UdpTransport, isCrlfKeepalive, type UdpTransportOptions } from './udp.ts';
export { StreamTransport, tcpSocketFactory, type StreamTransportOptions, type SocketFactory } from './tcp.ts';
export { createTlsTransport, tlsSocketFactory, type TlsFiles } from './tls.ts';
export { stampReceived, stampVia, stampViaText, responseDestination, splitHeaderValues, bareHost, defaultPort, type Destination } from './flow.ts';
export { checkRequest, classifyParseFailure, parseErrorReason, allowHeader, KNOWN_METHODS, type EdgePolicy, type SanityVerdict } from './sanity.ts';
export { buildEdgeResponse, type EdgeResponseInput } from './edge-response.ts';
export { SIP_TRANSPORT_ERROR_CODES, SipTransportError, type SipTransportErrorCode } from './errors.ts';
