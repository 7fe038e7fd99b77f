// Alert rules, their evaluations and notifications: the shapes shared by the rules API, the
// engine and the notifier.
import type { Query } from '../types.js';

export const CONDITIONS = ['threshold_above', 'threshold_below', 'rate_of_change', 'anomaly', 'no_data'] as const;
export type ConditionType = (typeof CONDITIONS)[number];
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const CHANNELS = ['slack', 'webhook', 'email', 'sms', 'in_app'] as const;
export type ChannelKind = (typeof CHANNELS)[number];

export interface AlertRule {
  id: string;
  project: string;
  name: string;
  /** A DSL query with one numeric aggregation. */
  query: Query;
  condition: { type: ConditionType; value?: number };
  severity: Severity;
  /** Evaluation interval, e.g. "1m" (default). */
  every: string;
  /** How long the condition must hold before firing ("0s": at once). */
  for: string;
  /** After firing, no new notification for this long. */
  cooldown: string;
  /** Channels to notify; absent: the project's routing for the severity. */
  channels?: ChannelKind[];
  enabled: boolean;
  created_at: number;
  updated_at: number;
  created_by: string;
  updated_by: string;
}

/** A transition of a rule's alert, kept in the history. */
export type Transition = 'pending' | 'firing' | 'resolved' | 'acknowledged';

export interface NotificationOutcome {
  channel: ChannelKind;
  /** Where it went (URL host, address, number; never a secret). */
  target: string;
  attempts: number;
  outcome: 'delivered' | 'failed' | 'skipped';
  error?: string;
  at: number;
}

export interface AlertEvent {
  id: string;
  project: string;
  rule_id: string;
  rule_name: string;
  severity: Severity;
  state: Transition;
  at: number;
  value: number | null;
  threshold: number | null;
  query: Query;
  message: string;
  /** Who acknowledged or resolved by hand. */
  by?: string;
  notifications: NotificationOutcome[];
}

/** Sends an alert event to the rule's channels (or the project's routing for its severity). */
export interface Notifier {
  dispatch(rule: AlertRule, event: AlertEvent): Promise<NotificationOutcome[]>;
}
