import { Webhook } from 'standardwebhooks';
import { givenUp, retryDelayMs } from '../../../../src/domain/webhook/retry.js';
import { webhookHeaders } from '../../../../src/domain/webhook/signature.js';
import { newWebhookSecret } from '../../../../src/domain/webhook/webhook.js';

describe('Standard Webhooks signatures', () => {
  it('are accepted by the standardwebhooks verifier, and refused once the body or secret differ', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    const body = JSON.stringify({ type: 'user.created', timestamp: new Date().toISOString(), data: { id: 'x', userName: 'ädä@example.com' } });
    const headers = webhookHeaders([secret], '01890a5d-ac96-774b-b9aa-7f1e5a4d0c01', Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('user.created', 'user.deleted'), headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('hold one signature per secret, space-separated, so a receiver holding either one verifies', () => {
    const current = newWebhookSecret();
    const previous = newWebhookSecret();
    const body = JSON.stringify({ type: 'user.updated', timestamp: new Date().toISOString(), data: { id: 'y' } });
    const headers = webhookHeaders([current, previous], '01890a5d-ac96-774b-b9aa-7f1e5a4d0c02', Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+ v1,[A-Za-z0-9+/=]+$/);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });
});

describe('retry schedule', () => {
  const p = { baseMs: 5000, maxDelayMs: 2 * 3_600_000, retryForMs: 3 * 24 * 3_600_000 };

  it('starts within 5 s and doubles, with jitter in the second half of each step, up to the cap', () => {
    expect(retryDelayMs(p, 1, 0)).toBe(2500);
    expect(retryDelayMs(p, 1, 0.999_999)).toBeLessThanOrEqual(5000);
    expect(retryDelayMs(p, 2, 0.999_999)).toBeLessThanOrEqual(10_000);
    expect(retryDelayMs(p, 2, 0)).toBe(5000);
    expect(retryDelayMs(p, 30, 0.999_999)).toBeLessThanOrEqual(p.maxDelayMs);
    expect(retryDelayMs(p, 1000, 0)).toBe(p.maxDelayMs / 2);
  });

  it('keeps retrying for at least three days from the first attempt', () => {
    // The latest each attempt can come is the schedule itself; the earliest is half of it.
    let at = 0;
    let attempts = 1;
    while (!givenUp(p, new Date(0), new Date(at))) {
      at += retryDelayMs(p, attempts, 0);
      attempts += 1;
    }
    expect(at).toBeGreaterThanOrEqual(3 * 24 * 3_600_000);
    expect(attempts).toBeGreaterThan(20);
  });
});
