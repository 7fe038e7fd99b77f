import { Orientation } from './types';

export interface LayoutInput {
  width: number;
  height: number;
  steps: number;
  /** Bars per step: the number of shown groups, or 1 without a breakdown. */
  series: number;
  orientation: Orientation;
  /** How many secondary labels (conversions, drop-off, median) the options ask for. */
  secondaryLabels: number;
  /** Characters of the longest users value, to size the value column. */
  usersChars: number;
}

export interface FunnelLayout {
  orientation: 'horizontal' | 'vertical';
  /** True when there is no room for the secondary labels: only step names and users remain. */
  compact: boolean;
  /** Horizontal: the width of the step name column and of the value column, in px. */
  labelWidth: number;
  valueWidth: number;
  /** Vertical: lines of text above the bars, the same in every column so the bars share a baseline. */
  valueLines: number;
  /** False when a breakdown's rows are too thin for text: each step then shows its total only. */
  seriesValues: boolean;
  /** Horizontal rows shorter than two lines: a step's total goes on its name's line. */
  inlineTitle: boolean;
}

// Rough text metrics at the theme's small font size; generous so text fits before it truncates
const CHAR_PX = 7.5;
export const LINE_PX = 18;
const LEGEND_PX = 28;
const SECONDARY_LABEL_PX = 96;
// One label inline, with its words and separator: "50.0% of previous · "
const INLINE_LABEL_PX = 124;
const MIN_BAR_PX = 80;
const MIN_COLUMN_PX = 100;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function pickOrientation({ width, height, steps, orientation }: LayoutInput): 'horizontal' | 'vertical' {
  if (orientation !== 'auto') {
    return orientation;
  }
  // Columns need room for a step name each; otherwise rows read better
  return width > height && width / steps >= MIN_COLUMN_PX ? 'vertical' : 'horizontal';
}

/** Decides orientation and which labels fit, from the panel's size alone. */
export function chooseLayout(input: LayoutInput): FunnelLayout {
  const { width, height, steps, series, secondaryLabels } = input;
  const orientation = pickOrientation(input);
  const grouped = series > 1;
  const usersWidth = Math.ceil(Math.max(4, input.usersChars) * CHAR_PX) + 12;
  const plotHeight = height - (grouped ? LEGEND_PX : 0);
  const labelWidth = Math.round(clamp(width * 0.22, 48, 180));

  if (orientation === 'horizontal') {
    const rowHeight = plotHeight / Math.max(1, steps);
    const barRoom = width - labelWidth - usersWidth;
    let compact: boolean;
    let valueWidth = usersWidth;
    let seriesValues = true;
    if (grouped) {
      seriesValues = rowHeight / series >= LINE_PX - 4;
      // Each group's secondary labels sit on its own line, after its users
      const withLabels = usersWidth + secondaryLabels * INLINE_LABEL_PX;
      compact = rowHeight / series < LINE_PX - 2 || width - labelWidth - withLabels < MIN_BAR_PX;
      valueWidth = compact ? usersWidth : withLabels;
    } else {
      // The secondary labels take a line under the bar
      compact = rowHeight < 2 * LINE_PX + 6 || barRoom < MIN_BAR_PX + SECONDARY_LABEL_PX;
    }
    return {
      orientation,
      compact: compact || secondaryLabels === 0,
      labelWidth,
      valueWidth: seriesValues ? valueWidth : 0,
      valueLines: 0,
      seriesValues,
      inlineTitle: rowHeight < 2 * LINE_PX + 2,
    };
  }

  const columnWidth = width / Math.max(1, steps);
  // Step name and users above the bars, then one line per secondary label (per group, one
  // line each with its labels inline)
  const textLines = grouped ? 1 + series : 2 + secondaryLabels;
  const compact =
    columnWidth < (grouped ? usersWidth + 2 * SECONDARY_LABEL_PX : MIN_COLUMN_PX) ||
    plotHeight - textLines * LINE_PX < 2 * LINE_PX;
  const hideSecondary = compact || secondaryLabels === 0;
  return {
    orientation,
    compact: hideSecondary,
    labelWidth,
    valueWidth: usersWidth,
    valueLines: grouped ? series : 1 + (hideSecondary ? 0 : secondaryLabels),
    seriesValues: true,
    inlineTitle: false,
  };
}
