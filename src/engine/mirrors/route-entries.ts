// Each image a list names, sent where the cluster's mirror configuration sends its pull: to the first place in
// pull order (mirror-policy first) or to every one (all). An image no rule covers, or whose rule's mirrors do
// not serve its kind of reference, fails at once with its own reason and costs no request: the cluster would
// pull it from upstream, which in an air gap fails. Pure.
import { formatReference, InvalidReferenceError } from '../../registry/reference.js';
import type { MirrorPolicy } from '../../config/settings.js';
import { settledFrom, type ImageEntry, type ListEntry, type SettledEntry } from '../list/entries.js';
import { failed } from '../validate/rules.js';
import type { FailureReason } from '../validate/result.js';
import { describeScope, routeOf, type MirrorConfig, type MirrorRule } from './rules.js';

function fails(entry: ImageEntry, reason: FailureReason, message: string): SettledEntry {
  const source = formatReference(entry.source);
  return settledFrom(
    entry,
    source,
    null,
    failed([{ reason, message: `${source}: ${message}`, brief: message }], []),
  );
}

export function routeEntries(
  entries: readonly ListEntry[],
  config: MirrorConfig,
  policy: MirrorPolicy,
): ListEntry[] {
  return entries.flatMap((entry): ListEntry[] => {
    if (entry.kind !== 'image') return [entry];
    let route;
    try {
      route = routeOf(config.rules, entry.source);
    } catch (error) {
      if (!(error instanceof InvalidReferenceError)) throw error;
      return [{ kind: 'invalid', line: entry.line, raw: entry.raw, reason: error.message }];
    }
    // Where the pull goes instead: upstream, or nowhere when the rule blocks it (registries.conf `blocked`,
    // NeverContactSource); either way, not a mirror.
    const instead = (rule: MirrorRule | undefined) =>
      !rule || rule.upstream
        ? 'the cluster pulls it from upstream'
        : `and ${rule.where} blocks the upstream: the cluster cannot pull it`;
    switch (route.kind) {
      case 'uncovered':
        return [
          fails(
            entry,
            'not-mirrored',
            route.rule
              ? `the rule for ${describeScope(route.rule.scope)} (${route.rule.where}) names no mirror: ${instead(route.rule)}`
              : `no rule of the ${config.kind} covers ${entry.source.registry}: ${instead(undefined)}`,
          ),
        ];
      case 'not-served':
        return [fails(entry, 'reference-not-mirrored', `${route.why}: ${instead(route.rule)}`)];
      case 'mirrors': {
        const { order } = route;
        const scope = describeScope(route.rule.scope);
        const chosen = policy === 'first' ? order.slice(0, 1) : order;
        return chosen.map(({ reference, endpoint }, index) => ({
          ...entry,
          destination: reference,
          mirror: `${endpoint.where} (${scope}: mirror ${index + 1} of ${order.length} in pull order)`,
        }));
      }
    }
  });
}
