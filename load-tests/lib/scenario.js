// k6 scenarios shared by the scripts.

/** `rate` iterations per second for `duration`; `extra` adds scenario fields (e.g. `exec`). */
export function arrivalScenario(rate, duration, preAllocatedVUs, maxVUs, extra = {}) {
  return { executor: 'constant-arrival-rate', ...extra, rate, timeUnit: '1s', duration, preAllocatedVUs, maxVUs };
}
