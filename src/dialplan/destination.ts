/**
 * Destination strings of the YAML (`user:1001`, `ring_group:sales`, `menu:main`,
 * `voicemail:1001`, `queue:support`, `external:+31612345678`, `announce:closed.wav`,
 * `reject:403:Not allowed`, or a bare internal extension such as `600`, or a bare
 * `+31…` number). Owns parsing only; resolving names against the plan is build.ts.
 */
import type { Destination } from './plan-types.ts';

export type ParsedDestination = Destination | { readonly kind: 'extension'; readonly ext: string };

export const DESTINATION_KINDS = ['user', 'ring_group', 'queue', 'menu', 'voicemail', 'external', 'announce', 'reject'] as const;

const DEFAULT_REASONS: Readonly<Record<number, string>> = {
  403: 'Forbidden',
  404: 'Not Found',
  480: 'Temporarily Unavailable',
  486: 'Busy Here',
  503: 'Service Unavailable',
  603: 'Decline',
};

export function parseDestination(s: string): ParsedDestination | { readonly error: string } {
  const text = s.trim();
  if (/^[0-9*#]+$/.test(text)) return { kind: 'extension', ext: text };
  if (/^\+[0-9]+$/.test(text)) return { kind: 'external', number: text };
  const colon = text.indexOf(':');
  if (colon < 0) return { error: `\`${text}\` is not a destination; write \`kind:id\` with kind one of ${DESTINATION_KINDS.join(', ')}, or an extension` };
  const kind = text.slice(0, colon).trim();
  const rest = text.slice(colon + 1).trim();
  if (rest === '') return { error: `destination \`${text}\` has no id after \`${kind}:\`` };
  switch (kind) {
    case 'user':
      return { kind: 'user', ext: rest };
    case 'ring_group':
    case 'group':
      return { kind: 'ring_group', id: rest };
    case 'queue':
      return { kind: 'queue', id: rest };
    case 'menu':
    case 'ivr':
      return { kind: 'menu', id: rest };
    case 'voicemail':
      return { kind: 'voicemail', box: rest };
    case 'external':
      return { kind: 'external', number: rest };
    case 'announce':
      return { kind: 'announce', prompt: rest };
    case 'reject': {
      const m = /^(\d{3})(?::(.*))?$/.exec(rest);
      if (!m) return { error: `\`${text}\`: write \`reject:<SIP status 400-699>[:reason]\`, e.g. \`reject:480:Closed\`` };
      const status = Number(m[1]);
      if (status < 400 || status > 699) return { error: `\`${text}\`: the status must be a SIP final error status 400-699` };
      return { kind: 'reject', status, reason: m[2]?.trim() || DEFAULT_REASONS[status] || 'Rejected' };
    }
    default:
      return { error: `unknown destination kind \`${kind}\` in \`${text}\`; use one of ${DESTINATION_KINDS.join(', ')}` };
  }
}

export function destinationText(d: Destination): string {
  switch (d.kind) {
    case 'user':
      return `user:${d.ext}`;
    case 'ring_group':
      return `ring_group:${d.id}`;
    case 'queue':
      return `queue:${d.id}`;
    case 'menu':
      return `menu:${d.id}`;
    case 'voicemail':
      return `voicemail:${d.box}`;
    case 'external':
      return `external:${d.number}`;
    case 'announce':
      return `announce:${d.prompt}`;
    case 'reject':
      return `reject:${d.status}:${d.reason}`;
  }
}
