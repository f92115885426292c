/**
 * Result types of parseSipMessage (STYLE G4): a message, or an error with a
 * stable code, the byte offset where parsing stopped, and whatever could be
 * read so the stateless edge can still answer a respondable request (G5).
 */
import type { CSeq, HeaderField, NameAddr, SipMessage, Via } from './message-types.ts';
import type { SipParseErrorCode } from './errors.ts';

/** What the parser could read before it failed. */
export interface PartialMessage {
  readonly kind: 'request' | 'response' | undefined;
  readonly method: string | undefined;
  readonly uri: string | undefined;
  readonly status: number | undefined;
  /** Every header field read before the error (canonical lower-case names). */
  readonly headers: readonly HeaderField[];
  readonly via: Via | undefined;
  readonly callId: string | undefined;
  readonly cseq: CSeq | undefined;
  readonly from: NameAddr | undefined;
  readonly to: NameAddr | undefined;
  /**
   * True when the edge should answer with an error response instead of
   * dropping: a request whose start line was read and that has at least one
   * Via field (the response copies the raw Via/From/To/Call-ID/CSeq fields
   * present and goes back to the source address, RFC 3261 §18.2.2).
   */
  readonly respondable: boolean;
}

export interface SipParseError {
  readonly code: SipParseErrorCode;
  readonly detail: string;
  /** Byte offset in the input (a character index for non-ASCII header text). */
  readonly offset: number;
  readonly partial?: PartialMessage;
}

export type ParseResult = { readonly ok: true; readonly message: SipMessage } | { readonly ok: false; readonly error: SipParseError };
