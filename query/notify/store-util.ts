// What the notification tables share: versions for ReplacingMergeTree rows and problem lists.

/** A problem with a request document: a JSON Pointer into it and what is wrong there. */
export interface Problem {
  path: string;
  message: string;
}

let last = 0;

/**
 * Row versions that only grow in this process, so two changes within one millisecond (a
 * notification stored, then read) still supersede in order. Microseconds since the epoch.
 */
export function nextVersion(): number {
  last = Math.max(Date.now() * 1000, last + 1);
  return last;
}
