import React from 'react';
import { Input } from '@grafana/ui';

interface Props {
  value?: number;
  /** Called with the number typed, or undefined when the field is emptied. */
  onChange: (value: number | undefined) => void;
  onBlur?: () => void;
  min?: number;
  max?: number;
  placeholder?: string;
  testId: string;
  width?: number;
}

/** A whole-number input reporting what is typed clamped to [min, max]. */
export function NumberField({ value, onChange, onBlur, min, max, placeholder, testId, width = 12 }: Props) {
  const commit = (input: string) => {
    const n = Number.parseInt(input, 10);
    onChange(Number.isFinite(n) ? Math.min(max ?? Infinity, Math.max(min ?? -Infinity, n)) : undefined);
  };
  return (
    <Input
      type="number"
      data-testid={testId}
      value={value ?? ''}
      min={min}
      max={max}
      placeholder={placeholder}
      width={width}
      onChange={(e) => commit(e.currentTarget.value)}
      onBlur={onBlur}
    />
  );
}
