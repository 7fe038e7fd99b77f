import type { DataSourceInstanceSettings } from '@grafana/data';
import type { DataSourceSrv } from '@grafana/runtime';

import { INSTANCES, instanceSettings } from './instance';
import { dataSource } from './plugins';

// Names a dashboard may use for the one Sluice instance: its name, "default", `$datasource`.
const ALIASES = ['Sluice', 'default', '$datasource', '${datasource}'];

function settingsFor(ref: unknown): DataSourceInstanceSettings | undefined {
  const key = typeof ref === 'string' ? ref : ((ref as { uid?: string } | null | undefined)?.uid ?? 'sluice');
  const uid = ALIASES.includes(key) ? 'sluice' : key;
  return INSTANCES.some((i) => i.uid === uid) ? (instanceSettings(uid) as DataSourceInstanceSettings) : undefined;
}

/** Grafana's data source service, knowing the page's Sluice instances. */
export function createDataSourceSrv(): DataSourceSrv {
  return {
    get: async (ref?: unknown) => {
      const settings = settingsFor(ref);
      if (!settings) {
        throw new Error(`Data source not found: ${JSON.stringify(ref)}`);
      }
      return dataSource(settings.uid);
    },
    getList: () => [instanceSettings('sluice') as DataSourceInstanceSettings],
    getInstanceSettings: (ref?: unknown) => settingsFor(ref),
    reload: async () => undefined,
    registerRuntimeDataSource: () => undefined,
  } as unknown as DataSourceSrv;
}
