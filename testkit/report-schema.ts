// The published report schema, compiled once for the tests that check real reports against it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';

export const reportSchema = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'schema', 'report.schema.json'), 'utf8'),
) as Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, validateFormats: false });
const validate = ajv.compile(reportSchema);

/** The schema's complaints about a report, as text; empty when it conforms. */
export function schemaErrors(report: unknown): string[] {
  return validate(report)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
