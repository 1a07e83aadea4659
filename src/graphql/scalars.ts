import { DateTimeResolver, EmailAddressResolver, URLResolver, DateResolver } from "graphql-scalars";

/** graphql-scalars, as the API conventions ask: ISO date-times in UTC, emails checked at the edge. */
export const DateTimeScalar = DateTimeResolver;
export const EmailAddress = EmailAddressResolver;
export const URLScalar = URLResolver;
export const DateScalar = DateResolver;
