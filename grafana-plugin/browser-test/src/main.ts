// @grafana/runtime reads window.grafanaBootData when it is first imported, so the boot data is
// set here before anything imports it.
import { bootData } from './boot-data';

window.grafanaBootData = bootData();
void import('./start').then(({ start }) => start());
