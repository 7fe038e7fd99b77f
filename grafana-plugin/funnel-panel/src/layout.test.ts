import { chooseLayout, LayoutInput } from './layout';

const base: LayoutInput = {
  width: 800,
  height: 400,
  steps: 4,
  series: 1,
  orientation: 'auto',
  secondaryLabels: 4,
  usersChars: 6,
};

describe('chooseLayout', () => {
  it('draws columns in wide panels and rows in tall ones when on auto', () => {
    expect(chooseLayout(base).orientation).toBe('vertical');
    expect(chooseLayout({ ...base, width: 300, height: 600 }).orientation).toBe('horizontal');
  });

  it('draws rows when columns would be too narrow for step names, even when wide', () => {
    expect(chooseLayout({ ...base, width: 500, height: 200, steps: 8 }).orientation).toBe('horizontal');
  });

  it('follows an explicit orientation', () => {
    expect(chooseLayout({ ...base, orientation: 'horizontal' }).orientation).toBe('horizontal');
    expect(chooseLayout({ ...base, width: 300, height: 600, orientation: 'vertical' }).orientation).toBe('vertical');
  });

  it('keeps secondary labels when there is room', () => {
    expect(chooseLayout(base).compact).toBe(false);
    expect(chooseLayout({ ...base, orientation: 'horizontal' }).compact).toBe(false);
  });

  it('drops secondary labels in short or narrow panels', () => {
    expect(chooseLayout({ ...base, height: 120 }).compact).toBe(true);
    expect(chooseLayout({ ...base, width: 260, height: 100, orientation: 'horizontal' }).compact).toBe(true);
    expect(chooseLayout({ ...base, width: 320, orientation: 'vertical' }).compact).toBe(true);
  });

  it('drops them for a breakdown when group rows get too thin', () => {
    const grouped = { ...base, orientation: 'horizontal' as const, series: 3, width: 1200 };
    expect(chooseLayout({ ...grouped, height: 400 }).compact).toBe(false);
    expect(chooseLayout({ ...grouped, height: 150 }).compact).toBe(true);
  });

  it('widens the value column of grouped rows for their inline labels', () => {
    const grouped = { ...base, orientation: 'horizontal' as const, series: 3, width: 1200 };
    const wide = chooseLayout(grouped);
    const narrow = chooseLayout({ ...grouped, secondaryLabels: 1 });
    expect(wide.valueWidth).toBeGreaterThan(narrow.valueWidth);
  });

  it('is compact when no secondary label is asked for', () => {
    expect(chooseLayout({ ...base, secondaryLabels: 0 }).compact).toBe(true);
  });

  it('reserves the same lines of text above every column so bars share a baseline', () => {
    expect(chooseLayout(base).valueLines).toBe(5);
    expect(chooseLayout({ ...base, secondaryLabels: 2 }).valueLines).toBe(3);
    expect(chooseLayout({ ...base, height: 120 }).valueLines).toBe(1);
    expect(chooseLayout({ ...base, width: 1600, height: 600, series: 3 }).valueLines).toBe(3);
  });

  it('keeps group numbers while their rows are tall enough for a line of text', () => {
    const grouped = { ...base, orientation: 'horizontal' as const, series: 3, steps: 3, width: 600 };
    expect(chooseLayout({ ...grouped, height: 300 }).seriesValues).toBe(true);
    const thin = chooseLayout({ ...grouped, height: 120 });
    expect(thin.seriesValues).toBe(false);
    expect(thin.valueWidth).toBe(0);
    expect(thin.inlineTitle).toBe(true);
    expect(chooseLayout({ ...grouped, height: 300 }).inlineTitle).toBe(false);
  });
});
