/**
 * An exact copy of a string that shares no storage with it.
 *
 * V8 keeps a substring as a slice of its parent (a parsed SIP message's
 * Call-ID, tag or branch points into the whole message text) and a template
 * result as a tree of concatenations of such slices. Anything kept beyond
 * the message's own life (registrar bindings, the merged-request memory, the
 * nonce-count table) would keep the whole message alive: ~600 bytes per
 * REGISTER with its Authorization header. JSON round-trips every JavaScript
 * string exactly (lone surrogates included) and always builds a new
 * sequential string.
 */
export function flatCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
