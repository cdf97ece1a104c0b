import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TicketCodes } from '../../src/checkout/ticket-codes.ts';

describe('ticket codes', () => {
  const codes = new TicketCodes(Buffer.from('key one'));

  it('verifies its own codes, which are compact and stable', () => {
    const code = codes.sign('ord_AbC-12_xyz', 'J9');
    assert.deepEqual(codes.verify(code), { orderId: 'ord_AbC-12_xyz', seat: 'J9' });
    assert.equal(codes.sign('ord_AbC-12_xyz', 'J9'), code, 'the same ticket always gets the same code');
    assert.ok(code.length <= 60, `${code} is short enough for a small QR code`);
    assert.match(code, /^ord_AbC-12_xyz\.J9\.[A-Za-z0-9_-]{22}$/);
  });

  it('refuses a code with any part altered, signed with another key, or malformed', () => {
    const code = codes.sign('ord_abc', 'A1');
    const [order, seat, signature] = code.split('.') as [string, string, string];
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    const forged = [
      `${order}.A2.${signature}`,
      `ord_abd.${seat}.${signature}`,
      `${order}.${seat}.${flip(signature[0]!)}${signature.slice(1)}`,
      // base64url's last character has spare bits: a second spelling of the same bytes is refused too.
      `${order}.${seat}.${signature.slice(0, -1)}${flip(signature.at(-1)!)}`,
      new TicketCodes(Buffer.from('key two')).sign('ord_abc', 'A1'),
      `${code}.x`,
      code.slice(0, -1),
      `${order}.${seat}`,
      '',
      '..',
      `${order}.a1.${signature}`,
      'x'.repeat(500),
    ];
    for (const c of forged) assert.equal(codes.verify(c), null, c);
    for (const c of [null, undefined, 42, {}, ['a']]) assert.equal(codes.verify(c), null);
  });
});
