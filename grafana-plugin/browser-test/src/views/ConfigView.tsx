import React, { useState } from 'react';
import { DataSourceSettings, TestDataSourceResponse } from '@grafana/data';
import { Button } from '@grafana/ui';

import { instanceSettings } from '../instance';
import { dataSource, datasource } from '../plugins';
import { currentRoute } from '../url';

/** `#/config?uid=`: the plugin's ConfigEditor and a Test button calling testDatasource(). */
export function ConfigView() {
  const uid = currentRoute().params.get('uid') ?? 'sluice';
  const settings = instanceSettings(uid);
  const [options, setOptions] = useState<DataSourceSettings<any, any>>({
    id: settings.id ?? 1,
    uid,
    orgId: 1,
    name: settings.name,
    typeLogoUrl: '',
    type: settings.type,
    typeName: 'Sluice Analytics',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: true,
    jsonData: { ...settings.jsonData },
    secureJsonFields: { readKey: true },
    secureJsonData: {},
    readOnly: false,
    withCredentials: false,
  });
  const [result, setResult] = useState<TestDataSourceResponse | null>(null);
  const [testing, setTesting] = useState(false);
  const ConfigEditor = datasource.components.ConfigEditor!;

  const test = async () => {
    setTesting(true);
    setResult(null);
    try {
      setResult(await dataSource(uid).testDatasource());
    } catch (err) {
      setResult({ status: 'error', message: (err as Error).message ?? String(err) });
    } finally {
      setTesting(false);
    }
  };

  return (
    <div style={{ padding: 16 }}>
      <ConfigEditor options={options} onOptionsChange={setOptions} />
      <Button data-testid="config-test" onClick={test} disabled={testing}>
        Save &amp; test
      </Button>
      {result && (
        <div data-testid="config-test-result" data-status={result.status}>
          <span data-testid="config-test-status">{result.status}</span>:{' '}
          <span data-testid="config-test-message">{result.message}</span>
        </div>
      )}
    </div>
  );
}
