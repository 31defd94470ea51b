import { AppError } from '../errors.ts';

/** One `@`, something before it, a dotted domain after it, no spaces: enough to catch a wrong field. */
const ADDRESS = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** API.md: an email given through the API must look like an address, else 400 `invalid_email`. */
export function assertEmailShape(email: string): void {
  if (!ADDRESS.test(email)) throw new AppError('invalid_email', 'the email does not look like an address');
}
