// Secrets never reach the terminal: every text the command line prints passes through a redactor.

/** Replaces every secret in a text with ***; secrets shorter than 3 characters are too common to replace. */
export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const known = secrets.filter(
    (secret): secret is string => typeof secret === 'string' && secret.length >= 3,
  );
  return (text) => known.reduce((result, secret) => result.split(secret).join('***'), text);
}
