/**
 * The SIP message sub-layer's public API (STYLE G8): the model, parse,
 * serialize, header parsers and accessors, builders, error codes.
 */
export * from './message-types.ts';
export type { ParseResult, PartialMessage, SipParseError } from './parse-types.ts';
export { parseSipMessage } from './parse.ts';
export { serializeSipMessage } from './serialize.ts';
export { parseSipUri, parseAnyUri, isSipUri, percentDecode, parseHost, isIpv6, isIpv4, type AnyUri } from './uri.ts';
export { parseNameAddr } from './name-addr.ts';
export { parseVia, parseViaList } from './via.ts';
export { parseCSeq, MAX_CSEQ } from './cseq.ts';
export { parseAuthHeader, formatAuthHeader, type AuthHeader } from './auth-header.ts';
export { canonicalHeaderName, wireHeaderName } from './header-names.ts';
export {
  headerValue,
  headerValues,
  contacts,
  routes,
  recordRoutes,
  vias,
  maxForwards,
  contentType,
  expires,
  supported,
  requireTags,
  proxyRequire,
  type ContactList,
  type ContentType,
} from './header-access.ts';
export {
  buildRequest,
  buildResponse,
  createResponse,
  createAckForNonSuccess,
  createCancel,
  withTopVia,
  withoutTopVia,
  withHeader,
  withoutHeader,
  withHeaderValue,
  withBody,
  type RequestSpec,
  type ResponseSpec,
  type ResponseOptions,
} from './build.ts';
export { reasonPhrase } from './reason-phrase.ts';
export { SIP_MESSAGE_ERROR_CODES, SIP_PARSE_ERROR_STATUS, SipBuildError, type SipMessageErrorCode, type SipParseErrorCode } from './errors.ts';
