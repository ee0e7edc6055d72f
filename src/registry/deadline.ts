import { setMaxListeners } from 'node:events';

// A time limit that lets go of everything once the work is done. AbortSignal.timeout keeps its timer (and,
// through AbortSignal.any, the combined signal) alive until it fires: thousands per minute on a long list.

export interface Deadline {
  signal: AbortSignal;
  /** True once the time ran out (not when the parent aborted). */
  readonly expired: boolean;
  /** Stops the timer and detaches from the parent. */
  clear(): void;
}

export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  // Every request of an image, and every image of a run, listens to its parent: more than the default ten.
  setMaxListeners(0, controller.signal);
  if (parent) setMaxListeners(0, parent);
  let expired = false;
  const onParentAbort = () => controller.abort(parent?.reason);
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
  }, ms);
  timer.unref?.();
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
