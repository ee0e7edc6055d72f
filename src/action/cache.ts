// Persists the manifest cache folder between workflow runs with GitHub's cache service. Optional by nature:
// outside Actions, on a miss, or on any service error the run goes on with what it has.
import * as cache from '@actions/cache';

/** Every run saves under its own key; a run restores the newest entry under the prefix. */
const KEY_PREFIX = 'mirror-validate-manifests-v1-';

export type CacheLog = { info: (message: string) => void; warning: (message: string) => void };

function available(): boolean {
  try {
    return cache.isFeatureAvailable();
  } catch {
    return false;
  }
}

export async function restoreManifestCache(dir: string, log: CacheLog): Promise<string | undefined> {
  if (!available()) return undefined;
  try {
    const matched = await cache.restoreCache([dir], `${KEY_PREFIX}${process.env.GITHUB_RUN_ID ?? 'local'}`, [
      KEY_PREFIX,
    ]);
    log.info(
      matched ? `manifest cache restored from ${matched}` : 'no manifest cache yet: this run fills it',
    );
    return matched;
  } catch (error) {
    log.warning(`manifest cache not restored: ${(error as Error).message}`);
    return undefined;
  }
}

export async function saveManifestCache(dir: string, log: CacheLog): Promise<void> {
  if (!available()) return;
  const key = `${KEY_PREFIX}${process.env.GITHUB_RUN_ID ?? 'local'}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}`;
  try {
    const id = await cache.saveCache([dir], key);
    if (id > 0) log.info(`manifest cache saved as ${key}`);
  } catch (error) {
    log.warning(`manifest cache not saved: ${(error as Error).message}`);
  }
}
