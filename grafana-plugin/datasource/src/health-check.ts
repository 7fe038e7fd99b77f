import { TestDataSourceResponse } from '@grafana/data';

import { SluiceApi, SluiceRequestError, toSluiceError } from './sluice-api';

/** The calls the check makes (a subset of SluiceApi, so tests can stub it). */
export type HealthApi = Pick<SluiceApi, 'events' | 'query'>;

const error = (message: string): TestDataSourceResponse => ({ status: 'error', message });

/** Why a call failed, in words that say what to fix; `step` names what was being tried. */
function explain(err: SluiceRequestError, url: string, step: 'meta' | 'query'): TestDataSourceResponse {
  const status = err.status;
  // Grafana's proxy answers 502 when it cannot connect and 504 when Sluice does not answer in time;
  // no status at all is a network error between the browser and Grafana.
  if (status === undefined || status === 0 || status === 502 || status === 504) {
    return error(
      `Sluice is unreachable from Grafana's server at ${url} (${status ? `HTTP ${status}` : err.message}). ` +
        'Check the URL and that Grafana can reach it.'
    );
  }
  if (status === 401) {
    return error(`Sluice refused the read key: ${err.message}. Enter a valid read key (slr_...).`);
  }
  if (status === 403) {
    return step === 'meta'
      ? error(`The key may not read this project's metadata: ${err.message}`)
      : error(
          `The key reads metadata but may not run queries: ${err.message}. ` +
            'Use a read key (analyst role), not a write key or a viewer token.'
        );
  }
  if (status === 404) {
    return error(`${url} answered 404 for a Sluice endpoint: is it the Sluice query service? (${err.message})`);
  }
  return error(`Sluice answered HTTP ${status}: ${err.message}`);
}

/**
 * Tells apart a missing URL, Sluice being unreachable, a refused key and a key without
 * permission, by reading the meta endpoint (role viewer) and then running a small query
 * (role analyst), both through Grafana's proxy as every panel does.
 */
export async function checkHealth(api: HealthApi, url: string | undefined): Promise<TestDataSourceResponse> {
  if (!url?.trim()) {
    return error("No Sluice URL is configured: enter the query service's URL, as Grafana's server reaches it.");
  }
  let events: Awaited<ReturnType<HealthApi['events']>>;
  try {
    events = await api.events(30);
  } catch (err) {
    return explain(toSluiceError(err), url, 'meta');
  }
  try {
    await api.query({ kind: 'events', range: '1h', limit: 1 });
  } catch (err) {
    return explain(toSluiceError(err), url, 'query');
  }
  const n = events.filter((e) => e.count > 0).length;
  return {
    status: 'success',
    message: `Connected to Sluice: ${n} event type${n === 1 ? '' : 's'} seen in the last 30 days, and queries run.`,
  };
}
