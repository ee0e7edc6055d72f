// The catalog verb: a registry's repositories, `GET /v2/_catalog?n=<page>`, every page followed, with the
// scope `registry:catalog:*` (distribution's API, "Catalog": the body is {"repositories": [...]}, paged with
// `n` and a `Link: <…>; rel="next"` header; registry/handlers/catalog.go at v2.8.3). Only for what asks for it
// (a regsync `type: registry` entry, with registry-catalog on): many registries refuse it, and a large one's
// catalog is long, so it is bounded in pages and repositories.
import type { RegistryApi } from './api.js';
import { RegistryError } from './errors.js';
import { nextPage } from './link.js';
import { checkRepository, isValid } from './reference.js';
import { apiHost } from './transport.js';

export const CATALOG_PAGE_SIZE = 1000;
export const MAX_CATALOG_PAGES = 50;
export const MAX_REPOSITORIES = 10_000;

export class Catalog {
  constructor(private readonly api: RegistryApi) {}

  async list(registry: string, signal?: AbortSignal): Promise<string[]> {
    const what = `${registry} catalog`;
    const fail = (problem: string) =>
      new RegistryError('invalid-manifest', registry, problem, { reference: what });
    const repositories = new Set<string>();
    const asked = new Set<string>();
    let path: string | undefined = `_catalog?n=${CATALOG_PAGE_SIZE}`;
    for (let page = 0; path !== undefined; page += 1) {
      if (page >= MAX_CATALOG_PAGES) throw fail(`the catalog runs past ${MAX_CATALOG_PAGES} pages`);
      if (asked.has(path)) throw fail('the catalog links back to a page already read');
      asked.add(path);
      const response = await this.api.callAt(registry, 'registry:catalog:*', 'GET', `/v2/${path}`, {
        kind: 'catalogGets',
        accept: 'application/json',
        signal,
        maxBytes: 8 * 1024 * 1024,
        what,
      });
      let names: unknown;
      try {
        names = (JSON.parse(response.body.toString('utf8')) as { repositories?: unknown }).repositories;
      } catch {
        throw fail('the catalog is not JSON');
      }
      if (names === null || names === undefined) names = [];
      if (
        !Array.isArray(names) ||
        names.some((name) => typeof name !== 'string' || !isValid(() => checkRepository(name, name)))
      )
        throw fail('the catalog holds something that is no repository name');
      for (const name of names as string[]) repositories.add(name);
      if (repositories.size > MAX_REPOSITORIES) throw fail(`more than ${MAX_REPOSITORIES} repositories`);
      path = nextPage(response.headers.get('link'), apiHost(registry), '', '_catalog', '/v2/');
    }
    return [...repositories];
  }
}
