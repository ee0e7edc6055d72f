// A long run's heap kept near what is live. V8 sizes its old space from the live data it last found and grows
// it under allocation pressure before it collects again; a run of 30,000 lines holds about 60-90 MB live but
// let its heap reach 160 MB (peak RSS 230-270 MB, varying run to run). Collecting whenever the used heap has
// grown 48 MB past what the last collection kept brings the peak to about 190 MB, for two or three full
// collections per 30,000 lines (bench/RESULTS.md, bench:regsync). The collector is V8's own, reached the
// documented way (`--expose-gc` set at run time, the gc function taken from a fresh context, the flag unset
// again); where that is not possible, nothing is done.
import v8 from 'node:v8';
import vm from 'node:vm';

const HEADROOM = 32 * 1024 * 1024;

function collector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** Watches the heap every 250 ms while a run goes on; `stop` ends it. */
export function governHeap(): { stop: () => void; collections: () => number } {
  const gc = collector();
  let kept = process.memoryUsage().heapUsed;
  let collections = 0;
  const timer = gc
    ? setInterval(() => {
        if (process.memoryUsage().heapUsed < kept + HEADROOM) return;
        gc();
        collections += 1;
        kept = process.memoryUsage().heapUsed;
      }, 250)
    : undefined;
  timer?.unref();
  return { stop: () => clearInterval(timer), collections: () => collections };
}
