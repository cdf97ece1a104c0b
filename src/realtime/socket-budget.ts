/**
 * What one WebSocket client may ask of the server: a token bucket per client, `burst` messages at
 * once, refilled at `perSecond`. A client that overdraws it is dropped with POLICY_VIOLATION, so the
 * work one socket can queue (snapshot reads, token checks) stays bounded however fast it sends.
 */
export interface Budget {
  burst: number;
  perSecond: number;
}

/** WebSocket close code 1008: the peer broke the server's policy (here: sent too much). */
export const POLICY_VIOLATION = 1008;

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly budget: Budget,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = budget.burst;
    this.last = now();
  }

  /** Spends one token; false when there is none left. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.budget.burst, this.tokens + ((now - this.last) / 1000) * this.budget.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
