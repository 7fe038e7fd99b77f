import { SluiceQuery } from '../types';
import { MetaCache } from './meta-cache';

/** What every per-kind section of the query editor gets. */
export interface SectionProps {
  query: SluiceQuery;
  meta: MetaCache;
  /** Merges a change into the query; `run: false` for typing, where the query runs on blur. */
  onPatch: (patch: Partial<SluiceQuery>, run?: boolean) => void;
  onRunQuery: () => void;
}

export const LABEL_WIDTH = 14;
