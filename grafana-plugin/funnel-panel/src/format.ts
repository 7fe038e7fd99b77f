// Fixed formats (not the viewer's locale) so the numbers shown can be compared with the query
// API's answers.

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Users as an integer with thousands separators: 12,345. */
export function formatUsers(users: number): string {
  return INTEGER.format(Math.round(users) || 0);
}

/** A fraction as a percentage with one decimal: 0.4567 → 45.7%. */
export function formatPercent(fraction: number): string {
  const text = (fraction * 100).toFixed(1);
  return `${text === '-0.0' ? '0.0' : text}%`;
}

const UNITS: Array<{ unit: string; ms: number }> = [
  { unit: 's', ms: 1000 },
  { unit: 'min', ms: 60_000 },
  { unit: 'h', ms: 3_600_000 },
  { unit: 'd', ms: 86_400_000 },
];
// When each unit gives way to the next one (in that unit): 60 s, 60 min, 48 h
const LIMITS = [60, 60, 48, Infinity];

function trimmed(value: number): string {
  return value.toFixed(1).replace(/\.0$/, '');
}

/** A duration, human-readable: 850 ms, 45 s, 3.2 min, 1.5 h, 2.3 d. */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1000) {
    return `${Math.max(0, Math.round(ms))} ms`;
  }
  for (let i = 0; i < UNITS.length; i++) {
    const { unit, ms: size } = UNITS[i];
    // Whole seconds from 10 s up; one decimal elsewhere, without a trailing .0
    const text = unit === 's' && ms >= 9950 ? String(Math.round(ms / size)) : trimmed(ms / size);
    if (Number(text) < LIMITS[i]) {
      return `${text} ${unit}`;
    }
  }
  return `${trimmed(ms / UNITS[UNITS.length - 1].ms)} d`;
}
