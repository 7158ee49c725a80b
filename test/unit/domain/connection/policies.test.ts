import { DEFAULT_POLICIES, normalisePolicies, type ProvisioningPolicies } from '../../../../src/domain/connection/connection.js';
import { InvalidValueError } from '../../../../src/domain/errors.js';
import { thrown } from '../../../support/thrown.js';

/** Provisioning policies (docs/architecture.md#provisioning-policies): what a connection may ask for, completed and checked. */
describe('normalisePolicies', () => {
  it('gives the defaults for nothing: login name as sent, collisions suffixed, no adoption, delete deletes', () => {
    expect(normalisePolicies(undefined)).toEqual({ loginName: 'asSent', onLoginNameCollision: 'suffix', matchBy: [], onDelete: 'delete' });
    expect(normalisePolicies(null)).toEqual(DEFAULT_POLICIES);
    expect(normalisePolicies({})).toEqual(DEFAULT_POLICIES);
  });

  it.each<[Partial<ProvisioningPolicies>, ProvisioningPolicies]>([
    [{ loginName: 'localPart' }, { loginName: 'localPart', onLoginNameCollision: 'suffix', matchBy: [], onDelete: 'delete' }],
    [{ onLoginNameCollision: 'reject' }, { loginName: 'asSent', onLoginNameCollision: 'reject', matchBy: [], onDelete: 'delete' }],
    [{ matchBy: ['primaryEmail', 'userName'] }, { loginName: 'asSent', onLoginNameCollision: 'suffix', matchBy: ['primaryEmail', 'userName'], onDelete: 'delete' }],
    // A repeated criterion counts once, in the order first named.
    [{ matchBy: ['anyEmail', 'userName', 'anyEmail'] }, { loginName: 'asSent', onLoginNameCollision: 'suffix', matchBy: ['anyEmail', 'userName'], onDelete: 'delete' }],
    [{ onDelete: 'deactivate' }, { loginName: 'asSent', onLoginNameCollision: 'suffix', matchBy: [], onDelete: 'deactivate' }],
  ])('completes %j', (input, expected) => {
    expect(normalisePolicies(input)).toEqual(expected);
  });

  it('changes only what is given when a base is passed (an update of some policies)', () => {
    const base = normalisePolicies({ loginName: 'localPart', matchBy: ['userName'] });
    expect(normalisePolicies({ onLoginNameCollision: 'reject' }, base)).toEqual({ loginName: 'localPart', onLoginNameCollision: 'reject', matchBy: ['userName'], onDelete: 'delete' });
    expect(normalisePolicies({ onDelete: 'deactivate' }, base)).toEqual({ loginName: 'localPart', onLoginNameCollision: 'suffix', matchBy: ['userName'], onDelete: 'deactivate' });
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
    [{ onDelete: 'archive' }, 'policies.onDelete'],
    [{ onDelete: null }, 'policies.onDelete'],
  ])('refuses %j, naming %s', (input, field) => {
    const error = thrown(() => normalisePolicies(input as unknown as Partial<ProvisioningPolicies>));
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).field).toBe(field);
  });
});
