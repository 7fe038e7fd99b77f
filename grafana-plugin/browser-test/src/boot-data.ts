import { instanceSettings } from './instance';

declare global {
  interface Window {
    grafanaBootData?: unknown;
  }
}

/** The least of Grafana's boot data that @grafana/runtime and @grafana/ui read. */
export function bootData() {
  const theme = new URLSearchParams(window.location.search).get('theme') === 'light' ? 'light' : 'dark';
  return {
    assets: { dark: '', light: '' },
    navTree: [],
    user: {
      id: 1,
      uid: 'admin',
      login: 'admin',
      name: 'Admin',
      email: 'admin@localhost',
      orgId: 1,
      orgName: 'Main Org.',
      orgRole: 'Admin',
      isSignedIn: true,
      isGrafanaAdmin: true,
      theme,
      lightTheme: theme === 'light',
      timezone: 'utc',
      weekStart: 'monday',
      locale: 'en-US',
      language: 'en-US',
      regionalFormat: 'en-US',
      permissions: {},
      analytics: { identifier: 'admin' },
      helpFlags1: 0,
      hasEditPermissionInFolders: true,
    },
    settings: {
      appUrl: `${window.location.origin}/`,
      appSubUrl: '',
      buildInfo: { version: '12.4.10', commit: '', env: 'production', edition: 'Open Source' },
      featureToggles: {},
      datasources: { Sluice: instanceSettings('sluice') },
      defaultDatasource: 'sluice',
      panels: {},
      apps: {},
      liveEnabled: false,
      minRefreshInterval: '5s',
      dateFormats: undefined,
    },
  };
}
