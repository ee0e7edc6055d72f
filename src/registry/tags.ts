// The tags verb: a repository's tag list, `GET /v2/<name>/tags/list?n=<page>`, every page followed.
//
// OCI distribution spec v1.1, "Listing Tags" (spec.md): the body is `{"name": …, "tags": [...]}` in lexical
// order; with `n` a registry answers at most n tags and announces more with `Link: <…>; rel="next"`, which a
// client should follow rather than build `last=` itself (a registry may answer fewer than n and still have
// more). Distribution 2.8 ignores `n` and `last` and answers every tag at once, `"tags": null` for a
// repository whose tags folder is empty (registry/handlers/tags.go, registry/storage/tagstore.go at v2.8.3);
// 3.0 pages (tags.go). regclient follows Link resolved against the request (scheme/reg/tag.go, TagList);
// go-containerregistry does too and refuses a link to another host or scheme (pkg/v1/remote/list.go,
// getNextPageURL), as this does. Everything here is bounded: pages, tags, and each page's bytes.
import type { RegistryApi } from './api.js';
import { RegistryError } from './errors.js';
import { checkTag, isValid } from './reference.js';
import { nextPage } from './link.js';
import { apiHost } from './transport.js';

/** Tags asked for per page. */
export const TAGS_PAGE_SIZE = 1000;
/** Pages followed at most for one repository. */
export const MAX_TAG_PAGES = 100;
/** Tags read at most for one repository: far beyond any repository a mirror copies by pattern. */
export const MAX_TAGS = 50_000;
/** One page's body at most (1000 tags of 128 characters, quoted, with room to spare). */
const PAGE_MAX_BYTES = 8 * 1024 * 1024;

/** Reads one page of a tag list: the tags, or why it is not one. */
export function readTagsPage(body: Buffer): { tags: string[] } | { invalid: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { invalid: 'the answer is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { invalid: 'the answer is not a tag list object' };
  const tags = (parsed as { tags?: unknown }).tags;
  if (tags === null || tags === undefined) return { tags: [] };
  if (!Array.isArray(tags)) return { invalid: '"tags" is not a list' };
  // A tag as the spec writes it (reference.ts checkTag: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`).
  const bad = tags.find((tag) => typeof tag !== 'string' || !isValid(() => checkTag(tag, tag)));
  if (bad !== undefined)
    return { invalid: `"tags" holds ${JSON.stringify(bad).slice(0, 60)}, which is no tag` };
  return { tags: tags as string[] };
}

export class Tags {
  constructor(private readonly api: RegistryApi) {}

  /** Every tag of a repository, in the registry's order, without repeats. */
  async list(registry: string, repository: string, signal?: AbortSignal): Promise<string[]> {
    const what = `${registry}/${repository} tags`;
    const fail = (problem: string) =>
      new RegistryError('invalid-manifest', registry, problem, { reference: what });
    const tags = new Set<string>();
    const asked = new Set<string>();
    let path: string | undefined = `tags/list?n=${TAGS_PAGE_SIZE}`;
    for (let page = 0; path !== undefined; page += 1) {
      if (page >= MAX_TAG_PAGES) throw fail(`the tag list runs past ${MAX_TAG_PAGES} pages`);
      if (asked.has(path)) throw fail('the tag list links back to a page already read');
      asked.add(path);
      const response = await this.api.call(registry, repository, 'GET', path, {
        kind: 'tagGets',
        accept: 'application/json',
        signal,
        maxBytes: PAGE_MAX_BYTES,
        what,
      });
      const read = readTagsPage(response.body);
      if ('invalid' in read) throw fail(`the tag list: ${read.invalid}`);
      for (const tag of read.tags) tags.add(tag);
      if (tags.size > MAX_TAGS) throw fail(`more than ${MAX_TAGS} tags`);
      path = nextPage(response.headers.get('link'), apiHost(registry), repository, 'tags/list');
    }
    return [...tags];
  }
}
