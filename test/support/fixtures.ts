import { emptyProfile, type MultiValue, type UserProfile } from '../../src/domain/user/user.js';

/** An e-mail value; `primary` left out is "not given" (null), as a client that does not send it. */
export const email = (value: string, type: string | null = 'work', primary: boolean | null = null): MultiValue => ({ value, type, primary, display: null });

/** A user profile with only the given attributes set. */
export function profile(userName: string, extra: Partial<UserProfile> = {}): UserProfile {
  return { ...emptyProfile(userName), ...extra };
}
