import 'reflect-metadata';
import { parse, type OperationDefinitionNode } from 'graphql';
import { variablesCompilable } from '../../../src/graphql/executor.js';
import { buildRosterSchema } from '../../../src/graphql/schema.js';

const schema = buildRosterSchema();
const operation = (text: string) => parse(text).definitions[0] as OperationDefinitionNode;

describe('variablesCompilable', () => {
  it('compiles operations whose variables are scalars, enums or input types without a loop', () => {
    expect(variablesCompilable(schema, operation('query { tenant { users(first: 100) { edges { node { userName } } } } }'))).toBe(true);
    expect(variablesCompilable(schema, operation('query($first: Int, $after: String, $orderBy: UserOrder) { tenant { users(first: $first, after: $after, orderBy: $orderBy) { totalCount } } }'))).toBe(true);
  });

  it('leaves to graphql-js an operation whose variables reach an input type that contains itself, as filters do', () => {
    // graphql-jit's parsing of such a variable never ends: it gave up after seconds of blocking the process.
    expect(variablesCompilable(schema, operation('query($filter: UserFilter) { tenant { users(filter: $filter) { totalCount } } }'))).toBe(false);
    expect(variablesCompilable(schema, operation('query($first: Int, $filter: GroupFilter) { tenant { groups(first: $first, filter: $filter) { totalCount } } }'))).toBe(false);
    // A filter written into the document, not passed as a variable, is compiled with the rest.
    expect(variablesCompilable(schema, operation('query { tenant { users(filter: { not: { userName: { eq: "x" } } }) { totalCount } } }'))).toBe(true);
  });
});
