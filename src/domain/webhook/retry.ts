/**
 * When a failed delivery is tried again (docs/architecture.md#webhooks): the first retry after
 * about `baseMs`, each next one twice as late, never more than `maxDelayMs` apart, with jitter so
 * that deliveries which failed together do not all come back at once. A delivery that has failed
 * for `retryForMs` since its first attempt is given up.
 */
export interface RetryPolicy {
  readonly baseMs: number;
  readonly maxDelayMs: number;
  readonly retryForMs: number;
}

/** The delay before attempt `attempts + 1`, after `attempts` failed ones; `random` is in [0, 1). */
export function retryDelayMs(p: RetryPolicy, attempts: number, random: number = Math.random()): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 40);
  const full = Math.min(p.baseMs * 2 ** exponent, p.maxDelayMs);
  // Between half and all of the full delay: never later than the schedule, spread over its second half.
  return Math.max(1, Math.round(full * (0.5 + random / 2)));
}

/** Whether a delivery first attempted at `firstAttemptAt` has failed for as long as it may. */
export function givenUp(p: RetryPolicy, firstAttemptAt: Date, now: Date): boolean {
  return now.getTime() - firstAttemptAt.getTime() >= p.retryForMs;
}
