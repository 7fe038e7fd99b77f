import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { DslQuery, SluiceAnswer } from './types';

// Every call goes through Grafana's data-source proxy: the `sluice` route in plugin.json adds
// the read key on Grafana's server, so the key never reaches the browser.
export const ROUTE = 'sluice';

export interface MetaEvent {
  name: string;
  count: number;
  has_schema: boolean;
}

export interface MetaProperty {
  name: string;
  type: string;
  events_estimate: number;
  measure: boolean;
  rollup_dimension: boolean;
  derived: boolean;
}

export interface AlertHistoryEvent {
  id: string;
  rule_id: string;
  rule_name: string;
  severity: string;
  state: 'pending' | 'firing' | 'resolved' | 'acknowledged';
  at: number;
  value: number | null;
  threshold: number | null;
  message?: string;
}

export interface AlertHistoryFilter {
  from: number;
  to: number;
  rule?: string;
  severity?: string;
  state?: string;
  limit?: number;
}

/** A failed call, carrying Sluice's own error code and message when it sent one. */
export class SluiceRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: string | undefined
  ) {
    super(message);
    this.name = 'SluiceRequestError';
  }
}

/** The query service's HTTP API, reached through the data-source proxy. */
export class SluiceApi {
  /** `instanceSettings.url` of the data source: Grafana's proxy path for it. */
  constructor(private readonly proxyUrl: string) {}

  get baseUrl(): string {
    return `${this.proxyUrl}/${ROUTE}`;
  }

  query(query: DslQuery): Promise<SluiceAnswer> {
    return this.fetch<SluiceAnswer>('POST', '/api/v1/query', undefined, query);
  }

  async events(days = 30): Promise<MetaEvent[]> {
    const body = await this.fetch<{ events: MetaEvent[] }>('GET', '/api/v1/meta/events', { days });
    return body.events;
  }

  async properties(event?: string, days = 30): Promise<MetaProperty[]> {
    const body = await this.fetch<{ properties: MetaProperty[] }>('GET', '/api/v1/meta/properties', { event, days });
    return body.properties;
  }

  async values(property: string, opts: { event?: string; prefix?: string; limit?: number } = {}): Promise<string[]> {
    const body = await this.fetch<{ values: unknown[] }>('GET', '/api/v1/meta/values', { property, ...opts });
    return body.values.map((v) => String(v));
  }

  async alertHistory(filter: AlertHistoryFilter): Promise<AlertHistoryEvent[]> {
    const body = await this.fetch<{ events: AlertHistoryEvent[] }>('GET', '/api/v1/alerts/history', { ...filter });
    return body.events;
  }

  async fetch<T>(
    method: 'GET' | 'POST',
    path: string,
    params?: Record<string, string | number | undefined>,
    data?: unknown
  ): Promise<T> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params ?? {})) {
      if (value !== undefined && value !== '') {
        query.set(name, String(value));
      }
    }
    const qs = query.toString();
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<T>({
          url: `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`,
          method,
          data,
          showErrorAlert: false,
          showSuccessAlert: false,
        })
      );
      return response.data;
    } catch (err) {
      throw toSluiceError(err);
    }
  }
}

/** Sluice's own message for a failed request, when it sent one. */
export function toSluiceError(err: unknown): SluiceRequestError {
  if (err instanceof SluiceRequestError) {
    return err;
  }
  if (isFetchError(err)) {
    const error = (err.data as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (error?.message) {
      return new SluiceRequestError(
        error.code ? `${error.code}: ${error.message}` : error.message,
        err.status,
        error.code
      );
    }
    return new SluiceRequestError(
      `Sluice request failed: ${err.status ?? ''} ${err.statusText ?? ''}`.replace(/\s+/g, ' ').trim(),
      err.status,
      undefined
    );
  }
  return new SluiceRequestError(err instanceof Error ? err.message : String(err), undefined, undefined);
}
