/**
 * belfry's own o= line for the SDP it sends on one leg (RFC 3264 §5: the
 * session id stays, the version increases by one on every change and stays
 * the same when a re-offer repeats the previous body; §8 "the version MUST
 * be incremented"). The session id comes from the caller (STYLE G3: ids are
 * injected).
 */
import type { SdpOrigin } from './sdp-types.ts';

export class SdpOriginState {
  readonly #sessionId: string;
  readonly #username: string;
  #version: bigint;
  #lastBody: string | undefined;

  /** sessionId: decimal digits (e.g. from Ids.token turned numeric, or an NTP time). */
  constructor(sessionId: string, username = 'belfry', initialVersion = 1n) {
    this.#sessionId = /^\d+$/.test(sessionId) ? sessionId : '1';
    this.#username = username;
    this.#version = initialVersion;
  }

  /**
   * The origin to use for a body whose other lines are `body`: same version
   * as last time when nothing changed, the next version otherwise.
   */
  originFor(body: string, address: string): SdpOrigin {
    if (this.#lastBody !== undefined && this.#lastBody !== body) this.#version += 1n;
    this.#lastBody = body;
    return { username: this.#username, sessionId: this.#sessionId, sessionVersion: this.#version.toString(), addrType: address.includes(':') ? 'IP6' : 'IP4', address };
  }

  get version(): string {
    return this.#version.toString();
  }
}
