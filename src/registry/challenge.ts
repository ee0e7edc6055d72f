/** A parsed WWW-Authenticate challenge. */
export type Challenge =
  { scheme: 'bearer'; realm: string; service?: string; scope?: string } | { scheme: 'basic'; realm?: string };

/** Parses `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`; undefined when unusable. */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = (match[1] as string).toLowerCase();
  const params: Record<string, string> = {};
  const pattern = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let found = pattern.exec(match[2] as string); found; found = pattern.exec(match[2] as string)) {
    params[(found[1] as string).toLowerCase()] =
      found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : (found[3] ?? '');
  }
  if (scheme === 'bearer') {
    if (!params.realm) return undefined;
    return { scheme, realm: params.realm, service: params.service, scope: params.scope };
  }
  if (scheme === 'basic') return { scheme, realm: params.realm };
  return undefined;
}
