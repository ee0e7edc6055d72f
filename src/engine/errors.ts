/** A problem with the configuration or the list file as a whole: the CLI exits 2, the action fails at once. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}
