// Escaping for the markup the report writers produce: HTML (the job summary) and XML (JUnit).

/** Text as HTML or XML character data or attribute value: the five markup characters as entities. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** XML 1.0 allows only these characters; anything else (control bytes in a list line) becomes U+FFFD. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Text as XML: the characters XML 1.0 cannot hold replaced, then escaped as for HTML (`&#39;` is XML too). */
export const escapeXml = (value: unknown): string =>
  escapeHtml(String(value ?? '').replace(NOT_XML, '\ufffd'));
