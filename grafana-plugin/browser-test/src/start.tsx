import React from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme } from '@grafana/data';
import { config, setBackendSrv, setDataSourceSrv, setTemplateSrv } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';

import { App } from './App';
import { createBackendSrv } from './backend-srv';
import { createDataSourceSrv } from './datasource-srv';
import { registerGrafanaRegistries } from './registries';
import { templateSrv } from './template-srv';

export function start(): void {
  registerGrafanaRegistries();
  setBackendSrv(createBackendSrv());
  setTemplateSrv(templateSrv);
  setDataSourceSrv(createDataSourceSrv());
  const theme = createTheme({ colors: { mode: config.bootData.user.lightTheme ? 'light' : 'dark' } });
  createRoot(document.getElementById('root')!).render(
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <App />
    </ThemeContext.Provider>
  );
}
