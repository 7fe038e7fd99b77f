// @grafana/ui's .mjs files default-import this CommonJS package; bundled with Node's rules the
// default is the whole exports object, while webpack (Grafana's build) takes `exports.default`.
// @ts-expect-error: the package's own entry, imported by path past the alias
import * as scrollbars from '../../node_modules/react-custom-scrollbars-2/lib/index.js';

const mod = scrollbars as unknown as { default?: unknown; Scrollbars?: unknown };
export default (mod.default ?? mod.Scrollbars ?? mod) as never;
export const Scrollbars = (mod.Scrollbars ?? mod.default) as never;
