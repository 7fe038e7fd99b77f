// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no canvas, no layout and no observers; @grafana/ui's Combobox measures text on a canvas,
// sizes its virtualised option list from element boxes, so give it both.
HTMLCanvasElement.prototype.getContext = function () {
  return { measureText: (text) => ({ width: String(text).length * 7 }), font: '' };
};
for (const size of ['clientWidth', 'clientHeight', 'offsetWidth', 'offsetHeight']) {
  Object.defineProperty(HTMLElement.prototype, size, { configurable: true, get: () => 400 });
}
Object.defineProperty(Element.prototype, 'getBoundingClientRect', {
  configurable: true,
  value: () => ({ width: 400, height: 400, top: 0, left: 0, bottom: 400, right: 400, x: 0, y: 0, toJSON: () => ({}) }),
});
global.ResizeObserver =
  global.ResizeObserver ||
  class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
global.IntersectionObserver =
  global.IntersectionObserver ||
  class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
