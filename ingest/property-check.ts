// One walk over an event's properties for the limits (keys, depth, string length) and for
// values ClickHouse would refuse, failing the whole insert they are in: strings that are not
// well-formed Unicode (lone surrogates), integers outside 64 bits, and keys whose dotted paths
// collide ({"a.b": 1, "a": {"b": 2}} are the same path in a JSON column). Paths are built only
// when something is wrong: this runs for every event.
import type { FieldError, RejectReason } from './types.js';

export interface PropertyLimits {
  maxProperties: number;
  maxPropertyDepth: number;
  maxStringLength: number;
}

export interface PropertyProblem {
  reason: RejectReason;
  errors: FieldError[];
}

const MAX_KEY_LENGTH = 256;
const ENVELOPE_STRINGS = ['event', 'user_id', 'session_id', 'correlation_id'] as const;

const isBadInt = (n: number): boolean => Number.isInteger(n) && Math.abs(n) < 1e21 && (n >= 2 ** 64 || n <= -(2 ** 63));

export function checkEvent(envelope: Record<string, unknown>, properties: Record<string, unknown>, limits: PropertyLimits): PropertyProblem | null {
  for (const f of ENVELOPE_STRINGS) {
    const s = envelope[f];
    if (typeof s === 'string' && !s.isWellFormed()) return { reason: 'invalid_utf8', errors: [{ path: `/${f}`, message: 'is not valid Unicode (lone surrogate)' }] };
  }
  const trail: (string | number)[] = [];
  const at = (): string => `/properties${trail.map((k) => `/${typeof k === 'string' && k.length > 64 ? `${k.slice(0, 32)}…` : k}`).join('')}`;
  let keys = 0;
  let dotted = false;
  let problem: PropertyProblem | null = null;
  const fail = (reason: RejectReason, message: string): void => {
    problem = { reason, errors: [{ path: at(), message }] };
  };

  const walk = (node: unknown, depth: number): void => {
    if (typeof node === 'string') {
      if (node.length > limits.maxStringLength) fail('limit_exceeded', `string longer than ${limits.maxStringLength} characters`);
      else if (!node.isWellFormed()) fail('invalid_utf8', 'is not valid Unicode (lone surrogate)');
      return;
    }
    if (typeof node === 'number') {
      if (isBadInt(node)) fail('limit_exceeded', 'integer outside the 64-bit range; send it as a string');
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth > limits.maxPropertyDepth) return fail('limit_exceeded', `nested deeper than ${limits.maxPropertyDepth} levels`);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length && !problem; i++) {
        trail.push(i);
        walk(node[i], depth + 1);
        trail.pop();
      }
      return;
    }
    for (const k in node) {
      if (++keys > limits.maxProperties) {
        problem = { reason: 'limit_exceeded', errors: [{ path: '/properties', message: `more than ${limits.maxProperties} keys` }] };
        return;
      }
      trail.push(k);
      if (k.length > MAX_KEY_LENGTH) fail('limit_exceeded', `key longer than ${MAX_KEY_LENGTH} characters`);
      else if (!k.isWellFormed()) fail('invalid_utf8', 'key is not valid Unicode (lone surrogate)');
      else {
        if (k.includes('.')) dotted = true;
        walk((node as Record<string, unknown>)[k], depth + 1);
      }
      trail.pop();
      if (problem) return;
    }
  };
  walk(properties, 1);
  if (problem) return problem;
  return dotted ? findCollision(properties) : null;
}

/** Two leaves of one JSON object (objects inside arrays start their own) with the same dotted path. */
function findCollision(properties: Record<string, unknown>): PropertyProblem | null {
  const visit = (node: Record<string, unknown>, path: string, leaves: Set<string>, prefix: string): PropertyProblem | null => {
    for (const [k, child] of Object.entries(node)) {
      const dottedPath = prefix ? `${prefix}.${k}` : k;
      const p = `${path}/${k}`;
      if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
        const found = visit(child as Record<string, unknown>, p, leaves, dottedPath);
        if (found) return found;
        continue;
      }
      if (leaves.has(dottedPath)) return { reason: 'invalid_properties', errors: [{ path: p, message: `collides with another key: both are the path "${dottedPath}"` }] };
      leaves.add(dottedPath);
      if (Array.isArray(child)) {
        for (const [i, item] of child.entries()) {
          if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
            const found = visit(item as Record<string, unknown>, `${p}/${i}`, new Set(), '');
            if (found) return found;
          }
        }
      }
    }
    return null;
  };
  return visit(properties, '/properties', new Set(), '');
}
