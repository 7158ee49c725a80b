import { InvalidValueError } from '../../../../src/domain/errors.js';
import { shape, validateFields, type InputLimits } from '../../../../src/domain/shared/validate.js';

const LIMITS: InputLimits = { maxStringBytes: 64, maxValuesPerAttribute: 3, maxExtensionDepth: 4, maxExtensionBytes: 1024 };
const FIELDS = {
  userName: shape.text({ required: true }),
  owner: shape.id('a user'),
  active: shape.boolean(),
  name: shape.object({ givenName: shape.text(), familyName: shape.text() }),
  emails: shape.list(shape.object({ value: shape.text({ required: true, key: true }), primary: shape.boolean({ nullable: true }) })),
  extensions: shape.extensions(),
};
const valid = { userName: 'ada', owner: null, active: true, name: { givenName: 'Ada', familyName: null }, emails: [{ value: 'a@x', primary: null }], extensions: {} };

/** The field and message validateFields refuses `value` with, or null when it accepts it. */
function refusal(value: unknown): { field: string | undefined; message: string } | null {
  try {
    validateFields(FIELDS, value, LIMITS);
    return null;
  } catch (e) {
    if (!(e instanceof InvalidValueError)) throw e;
    return { field: e.field, message: e.message };
  }
}

describe('validateFields', () => {
  it('accepts a value of the shape', () => {
    expect(refusal(valid)).toBeNull();
  });

  it.each([
    ['a missing required string', { ...valid, userName: null }, 'userName', '"userName" is required'],
    ['a number for a string', { ...valid, userName: 7 }, 'userName', '"userName" must be a string, not a number'],
    ['an id that is not a UUID', { ...valid, owner: 'x' }, 'owner', '"owner" must be the id of a user (a UUID)'],
    ['a string for a boolean', { ...valid, active: 'yes' }, 'active', '"active" must be true or false, not a string'],
    ['a list for an object', { ...valid, name: [] }, 'name', '"name" must be an object, not a list'],
    ['a field of an object', { ...valid, name: { givenName: 1 } }, 'name.givenName', '"name.givenName" must be a string, not a number'],
    ['an object for a list', { ...valid, emails: {} }, 'emails', '"emails" must be a list, not an object'],
    ['too many values', { ...valid, emails: [1, 2, 3, 4] }, 'emails', '"emails" has 4 values, more than 3'],
    ['an element that is not an object', { ...valid, emails: [{ value: 'a@x' }, 'b@x'] }, 'emails[1]', '"emails[1]" must be an object, not a string'],
    ['a field of an element', { ...valid, emails: [{ value: 'a@x' }, { value: 'b@x', primary: 'yes' }] }, 'emails[1].primary', '"emails[1].primary" must be true or false, not a string'],
    ['a NUL in a field of an element', { ...valid, emails: [{ value: 'a\u0000' }] }, 'emails[0].value', '"emails[0].value" contains the character U+0000'],
    ['a string over the limit', { ...valid, name: { familyName: 'x'.repeat(65) } }, 'name.familyName', '"name.familyName" is longer than 64 bytes (UTF-8)'],
    ['an extension that is not a document', { ...valid, extensions: { 'urn:x:y': 1 } }, 'extensions.urn:x:y', '"extensions.urn:x:y" must be an object'],
  ])('names the field of %s', (_what, value, field, message) => {
    const r = refusal(value);
    expect(r?.field).toBe(field);
    expect(r?.message.startsWith(message)).toBe(true);
  });
});
