// Keeps a long run's heap near what it really holds. Each line leaves short-lived garbage (responses,
// headers, signals) that outlives a young-generation pass while requests are in flight; V8 then grows the
// old generation rather than collect it, and a 10,000-line run would peak far above the ~40 MB it keeps.
// A full collection every few thousand lines costs milliseconds and keeps the peak flat.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined | null;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    collect = null;
  }
  return collect;
}

/** Returns a callback to call once per finished line; it compacts the heap every `every` lines. */
export function heapKeeper(every = 1000): () => void {
  let count = 0;
  return () => {
    count += 1;
    if (count % every === 0) collector()?.();
  };
}
