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

const branches = new Map<string, ReturnType<typeof ajv.compile>>();

/**
 * The complaints of one branch of the result union (`passed`, `failed`, `skipped`) about one result, with the
 * offending property named: the whole report's errors repeat every branch of the `oneOf`, so a test that means
 * one error checks it here.
 */
export function resultErrors(kind: 'passed' | 'failed' | 'skipped', result: unknown): string[] {
  let validateBranch = branches.get(kind);
  if (!validateBranch) {
    validateBranch = ajv.compile({ definitions: reportSchema.definitions, $ref: `#/definitions/${kind}` });
    branches.set(kind, validateBranch);
  }
  return validateBranch(result)
    ? []
    : (validateBranch.errors ?? []).map(
        (error) =>
          `${error.instancePath || '/'} ${error.message}${
            error.keyword === 'additionalProperties'
              ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
              : ''
          }`,
      );
}
