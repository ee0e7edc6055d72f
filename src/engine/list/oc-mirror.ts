// oc-mirror's mapping.txt as the list: `SRC=DST` per line, what oc-mirror copied (or, from --dry-run, would
// copy). Read from openshift/oc-mirror at 855b64a: v1 writes `src=dst` with no transport (v1/pkg/image/
// mapping.go WriteImageMapping lines 164-182; a destination keeps its tag and drops its digest), v2's dry run
// writes `docker://src=docker://dst` (internal/pkg/cli/dryrun.go line 93), sub-digest lines `src@d=dst@d`
// with --dry-run-manifest-lists (lines 114-146); `oc image mirror -f` strips what follows `#` and takes
// space-separated `SRC=DST` pairs (openshift/oc pkg/cli/image/mirror/mappings.go parseFile lines 88-121).
// Sources are often by digest and destinations by tag: the destination tag must resolve to what the source
// digest names, the same manifest or a rebuilt index of it (the usual rules).
import { InvalidReferenceError, parseReference } from '../../registry/reference.js';
import type { ListEntry } from './entries.js';
import { splitLines } from './image-list.js';
import { emptyRead, type ListRead } from './yaml-list.js';

const TRANSPORT = /^docker:\/\//;
const PAIR = /^\S+=\S+$/;

/** Whether the text is a mapping: every line that is not blank or a comment is `SRC=DST` pairs. */
export function looksLikeMapping(text: string): boolean {
  let pairs = 0;
  for (const line of splitLines(text)) {
    const content = line.replace(/#.*/, '').trim();
    if (!content) continue;
    if (!content.split(/\s+/).every((part) => PAIR.test(part))) return false;
    pairs += 1;
  }
  return pairs > 0;
}

export function readMapping(text: string): ListRead {
  const entries: ListEntry[] = [];
  splitLines(text).forEach((raw, index) => {
    const content = raw.replace(/#.*/, '').trim();
    if (!content) return;
    const line = index + 1;
    content.split(/\s+/).forEach((pair, at) => {
      const [from = '', to = ''] = pair.split(/=(.*)/s);
      try {
        for (const [side, text] of [
          ['source', from],
          ['destination', to],
        ] as const) {
          if (/^(file|s3|oci):\/\//.test(text))
            throw new InvalidReferenceError(
              `the ${side} ${text} is not in a registry: a mirror-to-disk line is not checked against a registry`,
            );
          if (!text) throw new InvalidReferenceError(`"${pair}" is not SRC=DST`);
        }
        const source = parseReference(from.replace(TRANSPORT, ''));
        const destination = parseReference(to.replace(TRANSPORT, ''));
        entries.push({ kind: 'image', line, raw: pair, source, destination, origin: { entry: at } });
      } catch (error) {
        if (!(error instanceof InvalidReferenceError)) throw error;
        entries.push({ kind: 'invalid', line, raw: pair, reason: error.message });
      }
    });
  });
  return emptyRead('oc-mirror', entries);
}
