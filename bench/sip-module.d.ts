/** Minimal typing for the npm `sip` package (dev only, used as a benchmark reference). */
declare module 'sip' {
  interface SipJsMessage {
    method?: string;
    status?: number;
    headers: Record<string, unknown>;
    content?: string;
  }
  const sip: {
    parse(data: string | Buffer): SipJsMessage | undefined;
    stringify(msg: SipJsMessage): string;
  };
  export default sip;
}
