import { DEFAULT_POLICIES, normalisePolicies, type ProvisioningPolicies } from '../../../../src/domain/connection/connection.js';
import { InvalidValueError } from '../../../../src/domain/errors.js';
import { thrown } from '../../../support/thrown.js';

/** Provisioning policies (docs/architecture.md#provisioning-policies): what a connection may ask for, completed and checked. */
describe('normalisePolicies', () => {
  it('gives the defaults for nothing: login name as sent, collisions refused, no adoption', () => {
    expect(normalisePolicies(undefined)).toEqual({ loginName: 'asSent', onLoginNameCollision: 'reject', matchBy: [] });
    expect(normalisePolicies(null)).toEqual(DEFAULT_POLICIES);
    expect(normalisePolicies({})).toEqual(DEFAULT_POLICIES);
  });

  it.each<[Partial<ProvisioningPolicies>, ProvisioningPolicies]>([
    [{ loginName: 'localPart' }, { loginName: 'localPart', onLoginNameCollision: 'reject', matchBy: [] }],
    [{ onLoginNameCollision: 'suffix' }, { loginName: 'asSent', onLoginNameCollision: 'suffix', matchBy: [] }],
    [{ matchBy: ['primaryEmail', 'userName'] }, { loginName: 'asSent', onLoginNameCollision: 'reject', matchBy: ['primaryEmail', 'userName'] }],
    // A repeated criterion counts once, in the order first named.
    [{ matchBy: ['anyEmail', 'userName', 'anyEmail'] }, { loginName: 'asSent', onLoginNameCollision: 'reject', matchBy: ['anyEmail', 'userName'] }],
  ])('completes %j', (input, expected) => {
    expect(normalisePolicies(input)).toEqual(expected);
  });

  it('changes only what is given when a base is passed (an update of some policies)', () => {
    const base = normalisePolicies({ loginName: 'localPart', matchBy: ['userName'] });
    expect(normalisePolicies({ onLoginNameCollision: 'suffix' }, base)).toEqual({ loginName: 'localPart', onLoginNameCollision: 'suffix', matchBy: ['userName'] });
  });

  it('returns a frozen object that does not share the caller’s array', () => {
    const matchBy: ProvisioningPolicies['matchBy'] = ['userName'];
    const p = normalisePolicies({ matchBy });
    expect(Object.isFrozen(p)).toBe(true);
    expect(p.matchBy).not.toBe(matchBy);
  });

  it.each([
    [{ loginName: 'email' }, 'policies.loginName'],
    [{ loginName: null }, 'policies.loginName'],
    [{ onLoginNameCollision: 'ignore' }, 'policies.onLoginNameCollision'],
    [{ matchBy: 'userName' }, 'policies.matchBy'],
    [{ matchBy: ['userName', 'externalId'] }, 'policies.matchBy'],
    [{ matchBy: [null] }, 'policies.matchBy'],
  ])('refuses %j, naming %s', (input, field) => {
    const error = thrown(() => normalisePolicies(input as unknown as Partial<ProvisioningPolicies>));
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).field).toBe(field);
  });
});
