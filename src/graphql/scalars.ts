import { GraphQLScalarType } from "graphql";
import { DateTimeResolver, EmailAddressResolver, LocalDateResolver } from "graphql-scalars";

/** graphql-scalars, as the API conventions ask: ISO date-times in UTC, emails checked at the edge. */
export const DateTimeScalar = DateTimeResolver;
export const EmailAddress = EmailAddressResolver;
/**
 * `Date`: a calendar date with no time zone, "YYYY-MM-DD" (a birth date, a date of loss). graphql-scalars'
 * DateResolver hands resolvers a JS Date at UTC midnight, which invites off-by-one-day and string-compare
 * bugs; LocalDate's rules keep it the string the column stores.
 */
export const DateScalar = new GraphQLScalarType({
  ...LocalDateResolver.toConfig(),
  name: "Date",
  description: "A calendar date without time zone, YYYY-MM-DD (e.g. a birth date).",
});
