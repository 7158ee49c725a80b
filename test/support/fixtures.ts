import { emptyProfile, type MultiValue, type UserProfile } from '../../src/domain/user/user.js';

export const email = (value: string, type: string | null = 'work', primary = false): MultiValue => ({ value, type, primary, display: null });

/** A user profile with only the given attributes set. */
export function profile(userName: string, extra: Partial<UserProfile> = {}): UserProfile {
  return { ...emptyProfile(userName), ...extra };
}
