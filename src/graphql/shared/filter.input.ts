import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';
import { f, MAX_FILTER_NESTING, tooDeep, type CompareOp, type Filter, type FilterValue } from '../../domain/shared/filter.js';
import { FILTER } from './docs.js';

/**
 * Typed comparisons of the domain filter language (docs/architecture.md#filter-language). Several operators in one
 * comparison must all hold; `pr: true` means "has a value", `pr: false` "has none";
 * `eq: null` / `ne: null` test for absence and presence too.
 */
@InputType('StringFilter', { description: FILTER.comparisons('a text attribute') })
export class StringFilterInput {
  @Field(() => String, { nullable: true, description: FILTER.eq }) eq?: string | null;
  @Field(() => String, { nullable: true, description: FILTER.ne }) ne?: string | null;
  @Field(() => String, { nullable: true, description: FILTER.co }) co?: string | null;
  @Field(() => String, { nullable: true, description: FILTER.sw }) sw?: string | null;
  @Field(() => String, { nullable: true, description: FILTER.ew }) ew?: string | null;
  @Field(() => String, { nullable: true, description: FILTER.gt }) gt?: string | null;
  @Field(() => String, { nullable: true, description: FILTER.ge }) ge?: string | null;
  @Field(() => String, { nullable: true, description: FILTER.lt }) lt?: string | null;
  @Field(() => String, { nullable: true, description: FILTER.le }) le?: string | null;
  @Field(() => Boolean, { nullable: true, description: FILTER.pr }) pr?: boolean | null;
}

@InputType('IdFilter', { description: FILTER.comparisons('an id') })
export class IdFilterInput {
  @Field(() => ID, { nullable: true, description: FILTER.eq }) eq?: string | null;
  @Field(() => ID, { nullable: true, description: FILTER.ne }) ne?: string | null;
  @Field(() => Boolean, { nullable: true, description: FILTER.pr }) pr?: boolean | null;
}

@InputType('BooleanFilter', { description: FILTER.comparisons('a true/false attribute') })
export class BooleanFilterInput {
  @Field(() => Boolean, { nullable: true, description: FILTER.eq }) eq?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: FILTER.ne }) ne?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: FILTER.pr }) pr?: boolean | null;
}

@InputType('DateTimeFilter', { description: FILTER.comparisons('a point in time') })
export class DateTimeFilterInput {
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: FILTER.eq }) eq?: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: FILTER.ne }) ne?: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: FILTER.gt }) gt?: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: FILTER.ge }) ge?: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: FILTER.lt }) lt?: Date | null;
  @Field(() => GraphQLDateTimeISO, { nullable: true, description: FILTER.le }) le?: Date | null;
  @Field(() => Boolean, { nullable: true, description: FILTER.pr }) pr?: boolean | null;
}

/**
 * How a filter input maps onto domain field paths: comparison inputs name a field, nested
 * inputs add a prefix (`name.familyName`), multi-valued ones become "some element matches".
 */
export interface FilterSpec {
  readonly fields?: Readonly<Record<string, string>>;
  readonly nested?: Readonly<Record<string, FilterSpec>>;
  readonly multi?: Readonly<Record<string, { readonly field: string; readonly spec: FilterSpec }>>;
  readonly prefix?: string;
}

const OPS: readonly (CompareOp | 'pr')[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'];

function comparisons(field: string, input: Record<string, unknown>): Filter[] {
  const out: Filter[] = [];
  for (const op of OPS) {
    const v = input[op];
    if (v === undefined) continue;
    if (op === 'pr') {
      if (v !== null) out.push(v ? f.pr(field) : f.not(f.pr(field)));
      continue;
    }
    out.push(f.cmp(field, op, v as FilterValue));
  }
  return out;
}

const combine = (parts: Filter[]): Filter | null => (parts.length === 0 ? null : parts.length === 1 ? parts[0]! : f.and(...parts));

/** A typed filter input → the domain's filter tree; an empty input is no filter (null). */
export function toDomainFilter(input: object | null | undefined, spec: FilterSpec, depth = 1): Filter | null {
  if (!input) return null;
  // The domain checks the finished tree too; this stops a hostile nesting before it is walked.
  if (depth > MAX_FILTER_NESTING) throw tooDeep(`more than ${MAX_FILTER_NESTING}`, MAX_FILTER_NESTING);
  const parts: Filter[] = [];
  const path = (name: string) => (spec.prefix ? `${spec.prefix}.${name}` : name);
  for (const [key, value] of Object.entries(input) as [string, unknown][]) {
    if (value === undefined || value === null) continue;
    if (key === 'and' || key === 'or') {
      // An empty operand list goes on to the domain, which refuses it with a clear message.
      const subs = (value as object[]).map((v) => toDomainFilter(v, spec, depth + 1)).filter((x): x is Filter => x !== null);
      parts.push(key === 'and' ? f.and(...subs) : f.or(...subs));
    } else if (key === 'not') {
      const sub = toDomainFilter(value as object, spec, depth + 1);
      if (sub) parts.push(f.not(sub));
    } else if (spec.fields?.[key]) {
      parts.push(...comparisons(path(spec.fields[key]), value as Record<string, unknown>));
    } else if (spec.nested?.[key]) {
      const sub = toDomainFilter(value as object, spec.nested[key], depth + 1);
      if (sub) parts.push(sub);
    } else if (spec.multi?.[key]) {
      const m = spec.multi[key];
      const sub = toDomainFilter(value as object, m.spec, depth + 1);
      // An empty element filter asks whether there is any element at all.
      parts.push(sub ? f.some(m.field, sub) : f.pr(m.field));
    }
  }
  return combine(parts);
}

/** The element filter of multi-valued value/type/primary/display attributes (emails, roles, ...). */
@InputType('MultiValueFilter', { description: FILTER.some('the values of a multi-valued attribute such as emails or roles') })
export class MultiValueFilterInput {
  @Field(() => [MultiValueFilterInput], { nullable: true, description: FILTER.and }) and?: MultiValueFilterInput[] | null;
  @Field(() => [MultiValueFilterInput], { nullable: true, description: FILTER.or }) or?: MultiValueFilterInput[] | null;
  @Field(() => MultiValueFilterInput, { nullable: true, description: FILTER.not }) not?: MultiValueFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the value') }) value?: StringFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the type, e.g. "work"') }) type?: StringFilterInput | null;
  @Field(() => BooleanFilterInput, { nullable: true, description: FILTER.onValue('whether the value is the primary one') }) primary?: BooleanFilterInput | null;
  @Field(() => StringFilterInput, { nullable: true, description: FILTER.on('the display name') }) display?: StringFilterInput | null;
}

export const MULTI_VALUE_SPEC: FilterSpec = { fields: { value: 'value', type: 'type', primary: 'primary', display: 'display' } };
