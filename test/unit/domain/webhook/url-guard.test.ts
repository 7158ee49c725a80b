import { checkTarget, classifyAddress, parseWebhookUrl, type HostResolver } from '../../../../src/domain/webhook/url-guard.js';

/** What the promise `fn` gives rejects with (undefined when it resolves). */
async function rejected(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('webhook address ranges', () => {
  it.each([
    ['93.184.216.34', 'public'],
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'private'],
    ['127.255.0.9', 'private'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'], // CGNAT
    ['::1', 'private'],
    ['fd12:3456::1', 'private'], // unique-local
    ['fc00::1', 'private'],
    ['169.254.169.254', 'forbidden'], // link-local: cloud metadata
    ['fe80::1', 'forbidden'],
    ['0.0.0.0', 'forbidden'],
    ['::', 'forbidden'],
    ['224.0.0.1', 'forbidden'],
    ['ff02::1', 'forbidden'],
    ['255.255.255.255', 'forbidden'],
    ['240.0.0.1', 'forbidden'], // reserved
    ['::ffff:127.0.0.1', 'forbidden'], // IPv4-mapped
    ['::ffff:8.8.8.8', 'forbidden'],
    ['64:ff9b::a00:1', 'forbidden'], // NAT64 of 10.0.0.1
    ['2002:a00:1::1', 'forbidden'], // 6to4 of 10.0.0.1
    ['::7f00:1', 'forbidden'], // IPv4-compatible (deprecated) form of 127.0.0.1
    ['::127.0.0.1', 'forbidden'],
    ['::8.8.8.8', 'forbidden'],
    ['100::1', 'forbidden'], // discard-only
    ['4000::1', 'forbidden'], // outside global unicast 2000::/3
    ['not an address', 'forbidden'],
  ])('%s is %s', (address, verdict) => {
    expect(classifyAddress(address)).toBe(verdict);
  });
});

const resolvesTo = (...addresses: string[]): HostResolver => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const closed = { allowPrivateNetworks: false, resolve: resolvesTo('93.184.216.34') };

describe('webhook URL check', () => {
  it('accepts https to a public address and answers with the addresses to connect to', async () => {
    const r = await checkTarget('https://hooks.example.com/roster', closed);
    expect(r.addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
    expect(r.url.toString()).toBe('https://hooks.example.com/roster');
  });

  it.each([
    ['http://hooks.example.com/x', 'https'],
    ['ftp://hooks.example.com/x', 'https'],
    ['https://user:pw@hooks.example.com/x', 'credentials'],
    ['https://hooks.example.com/x#frag', 'fragment'],
    ['hooks.example.com/x', 'absolute'],
    [`https://hooks.example.com/${'a'.repeat(2100)}`, 'longer'],
  ])('refuses %s by its form (%s)', async (url, words) => {
    const e = await rejected(() => checkTarget(url, closed));
    expect(e).toMatchObject({ code: 'INVALID_VALUE', field: 'url' });
    expect((e as Error).message).toContain(words);
  });

  it('refuses a name resolving to any private address, and literals of private addresses', async () => {
    for (const [url, resolve] of [
      ['https://internal.example.com/', resolvesTo('10.0.0.5')],
      ['https://mixed.example.com/', resolvesTo('93.184.216.34', '127.0.0.1')],
      ['https://127.0.0.1/', resolvesTo()],
      ['https://[::1]:8443/', resolvesTo()],
      ['https://[::ffff:7f00:1]/', resolvesTo()],
      ['https://169.254.169.254/latest/meta-data', resolvesTo()],
      ['https://metadata.example.com/', resolvesTo('169.254.169.254')],
    ] as const) {
      expect(await rejected(() => checkTarget(url, { allowPrivateNetworks: false, resolve }))).toMatchObject({ code: 'INVALID_VALUE', field: 'url' });
    }
  });

  it('with private networks allowed: http and https to loopback and private, never link-local nor http to the internet', async () => {
    const open = (...a: string[]) => ({ allowPrivateNetworks: true, resolve: resolvesTo(...a) });
    await expect(checkTarget('http://127.0.0.1:8080/hook', open())).resolves.toBeTruthy();
    await expect(checkTarget('http://receiver.internal/hook', open('10.2.3.4'))).resolves.toBeTruthy();
    await expect(checkTarget('https://receiver.internal/hook', open('192.168.0.9'))).resolves.toBeTruthy();
    expect(await rejected(() => checkTarget('http://hooks.example.com/', open('93.184.216.34')))).toMatchObject({ field: 'url' });
    expect(await rejected(() => checkTarget('http://169.254.169.254/', open()))).toMatchObject({ field: 'url' });
    expect(await rejected(() => checkTarget('http://[fe80::1]/', open()))).toMatchObject({ field: 'url' });
  });

  it('refuses a host that does not resolve', async () => {
    const e = await rejected(() => checkTarget('https://nowhere.invalid/', { allowPrivateNetworks: false, resolve: async () => Promise.reject(new Error('ENOTFOUND')) }));
    expect(e).toMatchObject({ code: 'INVALID_VALUE', field: 'url' });
  });

  it('parses the form without resolving', () => {
    expect(parseWebhookUrl('https://a.example/x?y=1').host).toBe('a.example');
  });
});
