// Ordered migrations. Append new files; never edit one that has shipped.
import type { Migration } from './context.js';
import { migration as m1 } from './0001-events.js';
import { migration as m2 } from './0002-keys.js';
import { migration as m3 } from './0003-rollups.js';
import { migration as m4 } from './0004-property-values.js';
import { migration as m5 } from './0005-alerts.js';
import { migration as m6 } from './0006-notifications.js';

export const MIGRATIONS: readonly Migration[] = [m1, m2, m3, m4, m5, m6];
