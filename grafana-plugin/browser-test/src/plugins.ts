import type { DataSourceApi, DataSourcePlugin, PanelPlugin } from '@grafana/data';

// The plugins' real entry points, exactly as Grafana loads them.
import { plugin as datasourcePlugin } from '../../datasource/src/module';
import { plugin as funnelPlugin } from '../../funnel-panel/src/module';
import { instanceSettings } from './instance';

type AnyDataSourcePlugin = DataSourcePlugin<DataSourceApi<any, any>, any, any>;

export const datasource = datasourcePlugin as unknown as AnyDataSourcePlugin;
export const funnelPanel = funnelPlugin as unknown as PanelPlugin<any, any>;

const instances = new Map<string, DataSourceApi<any, any>>();

/** One DataSource per uid, built from the plugin's own class as Grafana does. */
export function dataSource(uid = 'sluice'): DataSourceApi<any, any> {
  let ds = instances.get(uid);
  if (!ds) {
    const DataSourceClass = datasource.DataSourceClass as unknown as new (s: unknown) => DataSourceApi<any, any>;
    ds = new DataSourceClass(instanceSettings(uid));
    instances.set(uid, ds);
  }
  return ds;
}
