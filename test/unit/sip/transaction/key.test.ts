/**
 * Transaction matching (RFC 3261 §17.1.3, §17.2.3) including the RFC 2543
 * backwards-compatibility rules.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAckForNonSuccess, createCancel } from '../../../../src/sip/message/index.ts';
import { cancelTargetKey, clientKey, hasMagicCookie, serverKey } from '../../../../src/sip/transaction/index.ts';
import { request, response, responseWith } from './fixtures.ts';

describe('client transaction matching (RFC 3261 §17.1.3)', () => {
  it('a response matches when the top Via branch and the CSeq method equal the request\'s', () => {
    const invite = request();
    assert.equal(clientKey(response(invite, 180)), clientKey(invite));
  });

  it('a response to the CANCEL does not match the INVITE: same branch, different CSeq method', () => {
    const invite = request();
    const cancel = createCancel(invite);
    assert.equal(cancel.via.branch, invite.via.branch);
    assert.notEqual(clientKey(response(cancel, 200)), clientKey(invite));
    assert.equal(clientKey(response(cancel, 200)), clientKey(cancel));
  });

  it('a different branch does not match', () => {
    assert.notEqual(clientKey(responseWith('z9hG4bKother', 'INVITE', 200)), clientKey(request()));
  });

  it('a message without a branch has no client key', () => {
    assert.equal(clientKey(request({ branch: '' })), undefined);
  });
});

describe('server transaction matching (RFC 3261 §17.2.3)', () => {
  it('a retransmitted request matches: same branch, sent-by and method', () => {
    assert.equal(serverKey(request()), serverKey(request()));
  });

  it('the branch alone is not enough: a different sent-by host or port is a different transaction', () => {
    assert.notEqual(serverKey(request()), serverKey(request({ host: '192.0.2.99' })));
    assert.notEqual(serverKey(request()), serverKey(request({ port: 5070 })));
  });

  it('sent-by without a port matches sent-by with the default port 5060', () => {
    assert.equal(serverKey(request({ port: undefined })), serverKey(request({ port: 5060 })));
  });

  it('an ACK for a non-2xx matches the INVITE server transaction (method ACK counts as INVITE)', () => {
    const invite = request();
    const ack = createAckForNonSuccess(invite, response(invite, 486));
    assert.equal(serverKey(ack), serverKey(invite));
  });

  it('a different method with the same branch is a separate transaction', () => {
    assert.notEqual(serverKey(request({ method: 'OPTIONS' })), serverKey(request()));
  });

  it('a CANCEL is its own transaction, and cancelTargetKey finds the INVITE it cancels', () => {
    const invite = request();
    const cancel = createCancel(invite);
    assert.notEqual(serverKey(cancel), serverKey(invite));
    assert.equal(cancelTargetKey(cancel), serverKey(invite));
  });

  it('the magic cookie z9hG4bK marks an RFC 3261 branch', () => {
    assert.equal(hasMagicCookie(request().via), true);
    assert.equal(hasMagicCookie(request({ branch: 'abc123' }).via), false);
    assert.equal(hasMagicCookie(request({ branch: '' }).via), false);
  });
});

describe('RFC 2543 backwards compatibility (RFC 3261 §17.2.3, no magic cookie)', () => {
  const old = (o: Parameters<typeof request>[0] = {}) => request({ branch: '', ...o });

  it('an INVITE retransmission matches: same Request-URI, tags, Call-ID, CSeq and top Via', () => {
    assert.equal(serverKey(old()), serverKey(old()));
  });

  it('any difference in Request-URI, From tag, Call-ID, CSeq number or top Via is another transaction', () => {
    const base = serverKey(old());
    assert.notEqual(serverKey(old({ uri: 'sip:carol@example.com' })), base);
    assert.notEqual(serverKey(old({ fromTag: 'other' })), base);
    assert.notEqual(serverKey(old({ callId: 'other@example.com' })), base);
    assert.notEqual(serverKey(old({ cseq: 2 })), base);
    assert.notEqual(serverKey(old({ host: '192.0.2.11' })), base);
    assert.notEqual(serverKey(old({ viaExtra: ';ttl=3' })), base);
  });

  it('a 2543 branch without the cookie is compared as part of the whole top Via', () => {
    assert.equal(serverKey(old({ branch: 'legacy1' })), serverKey(old({ branch: 'legacy1' })));
    assert.notEqual(serverKey(old({ branch: 'legacy1' })), serverKey(old({ branch: 'legacy2' })));
  });

  it('received and rport written by our edge do not break the match', () => {
    assert.equal(serverKey(old({ viaExtra: ';received=198.51.100.7;rport=4000' })), serverKey(old()));
  });

  it('the ACK matches the INVITE although it carries the To tag of our response (same CSeq number, method ACK)', () => {
    const invite = old();
    const ack = createAckForNonSuccess(invite, response(invite, 486, 'ours'));
    assert.equal(ack.to.tag, 'ours');
    assert.equal(serverKey(ack), serverKey(invite));
  });

  it('a CANCEL matches its INVITE through cancelTargetKey and is a separate transaction', () => {
    const invite = old();
    const cancel = createCancel(invite);
    assert.equal(cancelTargetKey(cancel), serverKey(invite));
    assert.notEqual(serverKey(cancel), serverKey(invite));
  });

  it('for non-INVITE requests the To tag is part of the match', () => {
    assert.notEqual(serverKey(old({ method: 'BYE', toTag: 'a' })), serverKey(old({ method: 'BYE', toTag: 'b' })));
    assert.equal(serverKey(old({ method: 'BYE', toTag: 'a' })), serverKey(old({ method: 'BYE', toTag: 'a' })));
  });

  it('an RFC 3261 request never matches an RFC 2543 one', () => {
    assert.notEqual(serverKey(request()), serverKey(old()));
  });
});
