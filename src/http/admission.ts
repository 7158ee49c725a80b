import { UnavailableError } from '../domain/errors.js';

/**
 * A cap on the requests of one tenant in progress at once (docs/architecture.md#robustness):
 * one tenant's initial sync may fill its share of the database pool, never all of it. Requests
 * beyond the cap wait their turn in order, for a bounded time, then fail with UnavailableError
 * (503 with Retry-After; never 429, which some identity providers handle badly).
 */
export interface Admission {
  /** Waits for a slot of `key` (a tenant id); the returned function gives it back (once). */
  enter(key: string): Promise<() => void>;
}

interface Lane {
  active: number;
  readonly waiting: { grant: () => void }[];
}

export function createAdmission(o: {
  maxInFlight: number;
  maxWaitMs: number;
  /** Called for each request refused. */
  onReject?: () => void;
}): Admission {
  const lanes = new Map<string, Lane>();
  // A bounded queue: past it a request is refused at once rather than held in memory.
  const maxWaiting = o.maxInFlight * 16;

  const releaser = (key: string, lane: Lane) => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = lane.waiting.shift();
      if (next) return next.grant();
      lane.active--;
      if (lane.active === 0) lanes.delete(key);
    };
  };

  const refuse = () => {
    o.onReject?.();
    return new UnavailableError('too many requests of this tenant are in progress; retry later', 'tenant_limit');
  };

  return {
    enter(key) {
      let lane = lanes.get(key);
      if (!lane) {
        lane = { active: 0, waiting: [] };
        lanes.set(key, lane);
      }
      if (lane.active < o.maxInFlight) {
        lane.active++;
        return Promise.resolve(releaser(key, lane));
      }
      if (lane.waiting.length >= maxWaiting) return Promise.reject(refuse());
      const l = lane;
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => {
            clearTimeout(timer);
            resolve(releaser(key, l));
          },
        };
        const timer = setTimeout(() => {
          l.waiting.splice(l.waiting.indexOf(waiter), 1);
          reject(refuse());
        }, o.maxWaitMs);
        l.waiting.push(waiter);
      });
    },
  };
}
