// Forecasts and anomaly scores on synthetic hourly series whose seasonality and noise are
// known: 100 + 30·sin(2πt/24) + 15·sin(2πt/168) + N(0, 5²). The seed is fixed so the bounds
// below are checked on the same draw every run (FORECAST_SEED replays another).
import { describe, expect, it } from 'vitest';
import { seededRng } from '../test/helpers/events.js';
import { anomalies, backtest, detectPeriods, forecast, MIN_HISTORY } from './forecast.js';

const SEED = Number(process.env.FORECAST_SEED ?? 20261122);
const NOISE = 5;

function gaussian(rng: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function seasonal(hours: number, seed = SEED, weekly = 15): number[] {
  const z = gaussian(seededRng(seed));
  return Array.from({ length: hours }, (_, t) => 100 + 30 * Math.sin((2 * Math.PI * t) / 24) + weekly * Math.sin((2 * Math.PI * t) / 168) + NOISE * z());
}

const WEEK = 168;
const y = seasonal(6 * WEEK);

describe('period detection', () => {
  it('finds the daily and weekly cycles', () => {
    expect(detectPeriods(y)).toEqual([24, 168]);
  });

  it('finds the weekly cycle only from three weeks of history on', () => {
    // Two weeks hold exactly two weekly cycles: too few for the periodogram to resolve it.
    expect(detectPeriods(seasonal(2 * WEEK))).toEqual([24]);
    expect(detectPeriods(seasonal(3 * WEEK))).toEqual([24, 168]);
  });

  it('finds none in white noise or a flat series', () => {
    const z = gaussian(seededRng(SEED + 1));
    for (let i = 0; i < 5; i++) expect(detectPeriods(Array.from({ length: 500 }, () => 50 + NOISE * z()))).toEqual([]);
    expect(detectPeriods(new Array(100).fill(3))).toEqual([]);
  });
});

describe('forecast', () => {
  it('forecasts with 80% intervals inside 95% intervals', () => {
    const f = forecast(y, 48);
    expect(f.model).toBe('mstl');
    expect(f.seasonality).toEqual([24, 168]);
    expect(f.point).toHaveLength(48);
    for (let i = 0; i < 48; i++) {
      expect(f.lower_95[i]).toBeLessThanOrEqual(f.lower_80[i]);
      expect(f.lower_80[i]).toBeLessThanOrEqual(f.point[i]);
      expect(f.point[i]).toBeLessThanOrEqual(f.upper_80[i]);
      expect(f.upper_80[i]).toBeLessThanOrEqual(f.upper_95[i]);
    }
    expect(f.backtest?.holdout).toBe(48);
  });

  it('backtests within the noise: MAPE and interval coverage over ten rolling origins', () => {
    // Ten day-ahead backtests ending 0, 24, ..., 216 hours before the end: 240 held-out points.
    const runs = Array.from({ length: 10 }, (_, o) => backtest(y.slice(0, y.length - o * 24), 24));
    const n = runs.length * 24;
    const avg = (k: 'mape' | 'smape' | 'coverage_80' | 'coverage_95'): number => runs.reduce((s, b) => s + (b?.[k] ?? NaN) * 24, 0) / n;
    const figures = { mape: avg('mape'), smape: avg('smape'), coverage_80: avg('coverage_80'), coverage_95: avg('coverage_95') };
    console.log(`forecast backtest (seed ${SEED}, ${n} points): ${JSON.stringify(figures)}`);
    // The noise alone costs a perfect model E|ε|/y ≈ 0.8·5/100 = 4% (a little more where y is
    // low): MAPE under 8% is the noise floor plus as much again for the model's own error.
    expect(figures.mape).toBeLessThan(0.08);
    expect(figures.smape).toBeLessThan(0.08);
    // 240 points, but the 24 of one run share one fit, so their misses come in runs: about ten
    // independent draws. 88-100% for the 95% interval and 68-92% for the 80% one are a few
    // standard errors of that either way; far outside would mean the intervals are mis-sized.
    expect(figures.coverage_95).toBeGreaterThanOrEqual(0.88);
    expect(figures.coverage_80).toBeGreaterThanOrEqual(0.68);
    expect(figures.coverage_80).toBeLessThanOrEqual(0.92);
  });

  it('keeps a burst in the history out of the forecast', () => {
    const spiked = y.slice();
    spiked[y.length - 40] += 20 * NOISE;
    const clean = backtest(y, 24);
    const burst = backtest(spiked, 24);
    expect(burst?.smape).toBeLessThan((clean?.smape ?? 0) * 1.25);
  });

  it('forecasts a series without seasonality with AutoETS', () => {
    const z = gaussian(seededRng(SEED + 2));
    const flat = Array.from({ length: 300 }, () => 40 + 4 * z());
    const f = forecast(flat, 12);
    expect(f.seasonality).toEqual([]);
    expect(f.model).toBe('ets');
    expect(f.point).toHaveLength(12);
    for (const p of f.point) expect(Math.abs(p - 40)).toBeLessThan(4);
    expect(f.upper_95[0] - f.lower_95[0]).toBeGreaterThan(2 * 1.96 * 4 * 0.8);
    expect(f.backtest?.mape).toBeLessThan(0.15);
  });

  it('answers no forecast below the shortest history, and skips zero actuals in MAPE', () => {
    const f = forecast([1, 2, 3], 5);
    expect(f.model).toBe('none');
    expect(f.point).toEqual([]);
    expect(f.backtest).toBeNull();
    expect(MIN_HISTORY).toBe(7);
    const sparse = [0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 0, 3, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0];
    const b = backtest(sparse, 5);
    expect(b?.mape_skipped).toBe(4);
    expect(b?.smape).toBeGreaterThan(0);
  });
});

describe('anomalies', () => {
  const peaks = (i: number): boolean => i % 24 === 6; // sin(2πt/24) is highest at t ≡ 6

  it('flags an injected spike with the highest score', () => {
    const spiked = y.slice();
    const at = 6 * WEEK - 30;
    spiked[at] += 16 * NOISE;
    const a = anomalies(spiked);
    expect(a.model).toBe('mstl');
    const best = a.points.reduce((b, p, i) => (p.score > a.points[b].score ? i : b), 0);
    expect(best).toBe(at);
    expect(a.points[at].is_anomaly).toBe(true);
    // The fit is in-sample, so STL's seasonal component takes in part of the spike (measured:
    // 10-30%); the expectation stays nearer the clean value than the spiked one.
    expect(Math.abs(a.points[at].expected - y[at])).toBeLessThan(8 * NOISE);
  });

  it('does not flag the daily peaks of clean seasonal data', () => {
    const a = anomalies(y);
    const flagged = a.points.flatMap((p, i) => (p.is_anomaly ? [i] : []));
    // A 99% interval flags about 1% of clean points by chance, a peak hour no more often than
    // any other: at most 2 of the 42 peaks (a seasonality-blind interval would flag them all,
    // 30 above the mean is 6 noise sigmas).
    expect(flagged.length / y.length).toBeLessThan(0.02);
    expect(flagged.filter(peaks).length).toBeLessThanOrEqual(2);
    for (const p of a.points) {
      expect(p.score).toBeGreaterThanOrEqual(0);
      if (!p.is_anomaly) expect(p.score).toBe(0);
    }
  });

  it('scores a series without seasonality against its median', () => {
    const series = [5, 6, 5, 4, 5, 6, 5, 5, 4, 6, 5, 30, 5, 6];
    const a = anomalies(series);
    expect(a.model).toBe('median');
    expect(a.points.map((p) => p.is_anomaly)).toEqual(series.map((v) => v === 30));
    expect(a.points[11].expected).toBe(5);
  });
});
