// Validates JUnit XML against the schema CI systems read (__tests__/fixtures/junit.xsd), with libxml2's
// xmllint compiled to WebAssembly (npm xmllint-wasm): the same validator `xmllint --schema` is.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';

const schemaPath = join(import.meta.dirname, '..', '__tests__', 'fixtures', 'junit.xsd');

/** The validator's complaints about a document; empty when it is valid JUnit XML. */
export async function junitErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'junit.xsd', contents: await readFile(schemaPath, 'utf8') }],
    maxMemoryPages: 4096,
  });
  return result.valid ? [] : result.errors.map((error) => error.rawMessage);
}
