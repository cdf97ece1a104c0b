import type { CardSummary } from './orders.ts';

/**
 * The port to a card payment gateway. Every call that moves money carries an idempotency key: the
 * same key twice is the same charge (or refund), answered again, never made twice. That is what
 * makes a redelivered queue message safe (G9).
 */
export interface PaymentGateway {
  readonly name: string;

  /**
   * Exchanges a card for a token the gateway keeps (the card number never reaches Boxoffice's
   * database or logs). An invalid card is INVALID_INPUT naming the field (`card.number` ...).
   */
  tokenize(card: CardInput): Promise<CardSummary & { token: string }>;

  /**
   * Charges the card behind the token. A decline is an answer, not an error. A timeout or a lost
   * answer throws GatewayUnavailable: the charge may or may not have happened, and retrying with
   * the same key finds out without charging twice.
   */
  charge(req: { idempotencyKey: string; token: string; amount: number; currency: string }): Promise<ChargeResult>;

  /** Refunds a charge in full. Same key, same refund. Throws GatewayUnavailable like charge. */
  refund(req: { idempotencyKey: string; chargeId: string; amount: number }): Promise<{ refundId: string }>;

  /** The charge made under a key, if any: settles an attempt whose answer was lost. */
  findCharge(idempotencyKey: string): Promise<{ chargeId: string; amount: number } | null>;

  close(): Promise<void>;
}

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  name?: string;
}

export type ChargeResult =
  | { outcome: 'succeeded'; chargeId: string }
  | { outcome: 'declined'; reason: DeclineReason; message: string };

export type DeclineReason = 'card_declined' | 'insufficient_funds' | 'expired_card';

/** The gateway did not answer in time, or its answer was lost: retry with the same idempotency key. */
export class GatewayUnavailable extends Error {
  override readonly name = 'GatewayUnavailable';
}
