import type { DataSourceInstanceSettings, DataSourceJsonData } from '@grafana/data';

// The data source instances the page knows, as Grafana's frontend sees them: no key, only the
// proxy path (datasource-proxy.ts forwards it with the key added).
export const DATASOURCE_TYPE = 'sluice-analytics-datasource';

export function instanceSettings(uid = 'sluice'): DataSourceInstanceSettings<DataSourceJsonData & { url?: string }> {
  return {
    id: uid === 'sluice' ? 1 : 2,
    uid,
    type: DATASOURCE_TYPE,
    name: uid === 'sluice' ? 'Sluice' : `Sluice (${uid})`,
    url: `/api/datasources/proxy/uid/${uid}`,
    access: 'proxy',
    jsonData: { url: 'http://sluice:8081' },
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
