import React from 'react';

import { currentRoute } from './url';
import { ConfigView } from './views/ConfigView';
import { DashboardView } from './views/DashboardView';
import { EditorView } from './views/EditorView';
import { LiveView } from './views/LiveView';

const VIEWS: Record<string, () => React.JSX.Element> = {
  editor: EditorView,
  config: ConfigView,
  dashboard: DashboardView,
  live: LiveView,
};

/** The view named by the hash; a hash change loads the page anew (a fresh state per view). */
export function App() {
  const { view } = currentRoute();
  const View = VIEWS[view];
  return View ? <View /> : <div>Unknown view {view}</div>;
}

window.addEventListener('hashchange', () => window.location.reload());
