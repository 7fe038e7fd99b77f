// Peak resident memory while something runs: sampled every few ms, reported as the growth above
// the RSS when sampling started.
export function sampleRss(): { stop(): { base: number; peak: number; growth: number } } {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return { base, peak, growth: peak - base };
    },
  };
}
