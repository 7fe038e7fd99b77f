import type { DataSourceInstanceSettings, DataSourceJsonData } from '@grafana/data';

// The data source instances the page knows, as Grafana's frontend sees them: no key, only the
// proxy path (datasource-proxy.ts forwards it with the key added).
export const DATASOURCE_TYPE = 'sluice-analytics-datasource';

declare const __SLUICE_INSTANCES__: Array<{ uid: string; jsonData: { url?: string } }>;

/** The instances the emulated proxy serves (vite.config.ts), by uid. */
export const INSTANCES = __SLUICE_INSTANCES__;

export function instanceSettings(uid = 'sluice'): DataSourceInstanceSettings<DataSourceJsonData & { url?: string }> {
  const index = INSTANCES.findIndex((i) => i.uid === uid);
  if (index < 0) {
    throw new Error(`no data source ${uid}; known: ${INSTANCES.map((i) => i.uid).join(', ')}`);
  }
  return {
    id: index + 1,
    uid,
    type: DATASOURCE_TYPE,
    name: uid === 'sluice' ? 'Sluice' : `Sluice (${uid})`,
    url: `/api/datasources/proxy/uid/${uid}`,
    access: 'proxy',
    jsonData: { ...INSTANCES[index].jsonData },
    readOnly: false,
    meta: {
      id: DATASOURCE_TYPE,
      name: 'Sluice Analytics',
      type: 'datasource',
      info: {
        author: { name: 'Sluice' },
        description: '',
        links: [],
        logos: { small: '', large: '' },
        screenshots: [],
        updated: '',
        version: '',
      },
      module: '',
      baseUrl: '',
      metrics: true,
    },
  } as unknown as DataSourceInstanceSettings<DataSourceJsonData & { url?: string }>;
}
