/**
 * The one rule for every name that reaches a file path or a web address: dataset slugs, resource
 * names, unit slugs, download file names. Lower-case ASCII letters, digits and hyphens, starting
 * with a letter or digit, at most 100 characters (CKAN's limit): nothing in it can climb out of a
 * folder, be decoded into a separator, or differ between a case-sensitive and a case-blind disk.
 */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;

export const isValidName = (value: unknown): value is string => typeof value === 'string' && NAME_PATTERN.test(value);
