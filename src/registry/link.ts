// The next page of a paginated registry API (the referrers API, the tag list, the catalog), from its `Link`
// header (RFC 8288: `<url>; rel="next"`, the URL relative to the request's). The OCI distribution spec names
// this header for both lists (spec.md, "Listing Tags" and "Listing Referrers").

/**
 * The next page as a path relative to `/v2/<repository>/` (`tags/list?n=…&last=…`), or undefined. A link
 * that leaves the registry's host, or the API the pages belong to (`within`, such as `referrers/` or
 * `tags/list`), is not followed: the client would send its authorization there.
 */
export function nextPage(
  link: string | null,
  host: string,
  repository: string,
  within: string,
  /** What the returned path is relative to: `/v2/<repository>/`, or `/v2/` for the catalog. */
  base = `/v2/${repository}/`,
): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*((?:;[^;]*)*)$/.exec(part);
    if (!match) continue;
    const params = (match[2] ?? '').split(';').map((param) => param.trim().toLowerCase());
    if (!params.some((param) => /^rel\s*=\s*"?(?:[^"]*\s)?next(?:\s[^"]*)?"?$/.test(param))) continue;
    let url: URL;
    try {
      url = new URL(match[1] ?? '', `https://${host}/`);
    } catch {
      return undefined;
    }
    if (url.host !== host || !/^https?:$/.test(url.protocol) || !url.pathname.startsWith(`${base}${within}`))
      return undefined;
    return `${url.pathname.slice(base.length)}${url.search}`;
  }
  return undefined;
}
