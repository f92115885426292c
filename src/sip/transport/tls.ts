/**
 * SIP over TLS (RFC 3261 §26.2.1, sips: §19.1): the TCP stream transport
 * with node:tls sockets. Certificate and key come from files named in the
 * configuration and are read once at start-up (a bad path is a start-up
 * error, never a runtime one).
 * Leaves out: client certificates (mutual TLS), SNI per domain, and
 * certificate reload without restart.
 */
import { readFileSync } from 'node:fs';
import { connect as tlsConnect, createServer as tlsCreateServer, type SecureContextOptions } from 'node:tls';
import { SipTransportError } from './errors.ts';
import { StreamTransport, type SocketFactory, type StreamTransportOptions } from './tcp.ts';

export interface TlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
  /** Extra CA bundle for verifying peers we connect to (e.g. a self-signed trunk). */
  readonly caPath?: string;
  /**
   * Verify the server certificate on outbound connections. Default true;
   * tests against self-signed peers set caPath or turn this off.
   */
  readonly verifyPeer?: boolean;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SipTransportError('SIP_TRANSPORT_TLS_CONFIG', `cannot read TLS ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

export function tlsSocketFactory(files: TlsFiles): SocketFactory {
  const ctx: SecureContextOptions = { cert: readPem(files.certPath, 'certificate'), key: readPem(files.keyPath, 'key') };
  const ca = files.caPath === undefined ? undefined : readPem(files.caPath, 'CA bundle');
  return {
    protocol: 'tls',
    createServer: (onSocket) => tlsCreateServer({ ...ctx }, onSocket),
    connect: (host, port, ready) =>
      tlsConnect({ host, port, ...(ca === undefined ? {} : { ca }), rejectUnauthorized: files.verifyPeer ?? true, servername: /^[\d.:]+$/.test(host) ? undefined : host }, ready),
  };
}

export function createTlsTransport(opts: StreamTransportOptions, files: TlsFiles): StreamTransport {
  return new StreamTransport(opts, tlsSocketFactory(files));
}
