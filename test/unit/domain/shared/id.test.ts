import { canonicalId, isUuid } from '../../../../src/domain/shared/id.js';

describe('ids', () => {
  it.each(['0190a8f2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', '0190A8F2-7C3D-7E4F-8A9B-0C1D2E3F4A5B'])('accepts %s in either case', (id) => {
    expect(isUuid(id)).toBe(true);
    expect(canonicalId(id)).toBe('0190a8f2-7c3d-7e4f-8a9b-0c1d2e3f4a5b');
  });

  it.each(['', 'abc', '0190a8f2-7c3d-7e4f-8a9b-0c1d2e3f4a5', '0190a8f2-7c3d-7e4f-8a9b-0c1d2e3f4a5bb', ' 0190a8f2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', '0190a8f27c3d7e4f8a9b0c1d2e3f4a5b', 'g190a8f2-7c3d-7e4f-8a9b-0c1d2e3f4a5b'])(
    'refuses %j',
    (s) => {
      expect(isUuid(s)).toBe(false);
    },
  );
});
