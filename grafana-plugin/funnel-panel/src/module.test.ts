import { PanelOptionsEditorBuilder, standardEditorsRegistry } from '@grafana/data';

import { plugin } from './module';
import { DEFAULT_OPTIONS, FunnelOptions } from './types';

// Grafana registers its option editors at start; the builder only needs their ids here
standardEditorsRegistry.setInit(() =>
  ['radio', 'color', 'number', 'boolean'].map((id) => ({ id, name: id, editor: () => null }))
);

describe('plugin', () => {
  it('has an editor with a default for every option', () => {
    expect(plugin.defaults).toEqual(DEFAULT_OPTIONS);
  });

  it('offers the three orientations', () => {
    const builder = new PanelOptionsEditorBuilder<FunnelOptions>();
    plugin.getPanelOptionsSupplier()(builder, { data: [] });
    const orientation = builder.getItems().find((item) => item.path === 'orientation');
    expect(orientation?.settings?.options.map((o: { value: string }) => o.value)).toEqual([
      'auto',
      'horizontal',
      'vertical',
    ]);
  });
});
