/** Which way the bars run: `auto` picks horizontal bars when the panel is taller than wide. */
export type Orientation = 'auto' | 'horizontal' | 'vertical';

export interface FunnelOptions {
  orientation: Orientation;
  showConversionFromFirst: boolean;
  showConversionFromPrevious: boolean;
  showDropOff: boolean;
  showMedianTime: boolean;
  /**
   * Colour of the bars without a breakdown (a theme colour name or a CSS colour). Empty: the
   * users field's own colour, else the first colour of the theme's classic palette.
   */
  color: string;
  /** Groups drawn with a breakdown, the largest (by first-step users) first. */
  maxGroups: number;
}

export const DEFAULT_OPTIONS: FunnelOptions = {
  orientation: 'auto',
  showConversionFromFirst: true,
  showConversionFromPrevious: true,
  showDropOff: true,
  showMedianTime: true,
  color: '',
  // Sluice's default `limit` is 10 groups plus "(other)"
  maxGroups: 11,
};
