/**
 * Types of the mlops-jupyter REST API (docs/rest-api.md).
 *
 * They mirror the JSON the server extension sends so that every component
 * reads the same shapes; nothing here holds behaviour.
 */

/** Iteration status as stored by the tracking core. */
export type IterationStatus = 'running' | 'finished' | 'failed' | 'killed';

export const ITERATION_STATUSES: IterationStatus[] = [
  'running',
  'finished',
  'failed',
  'killed'
];

/**
 * A metric value: JSON has no NaN or infinities, so the server sends them as
 * the strings "NaN", "Infinity" and "-Infinity".
 */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

/** Param values are stored as text with a separate type. */
export type ParamValue = string | number | boolean | null;

export interface IProject {
  id: number;
  name: string;
  description: string | null;
  created_at: string;
  experiment_count: number;
  iteration_count: number;
}

export interface IExperiment {
  id: number;
  project_id: number;
  project_name: string;
  name: string;
  description: string | null;
  created_at: string;
  iteration_count: number;
  last_started_at: string | null;
}

export interface IIterationSummary {
  id: number;
  experiment_id: number;
  project_name: string;
  experiment_name: string;
  name: string;
  number: number;
  status: IterationStatus;
  started_at: string;
  ended_at: string | null;
  duration: number | null;
  model_name: string | null;
  params: { [key: string]: ParamValue };
  metrics: { [key: string]: MetricValue };
  tags: { [key: string]: string };
  deleted: boolean;
}

export interface IParamTyped {
  key: string;
  value: ParamValue;
  value_type: string;
}

export interface ILatestMetric {
  key: string;
  value: MetricValue;
  step: number | null;
  timestamp: string | null;
}

export interface IDataset {
  id: number;
  name: string;
  uri: string;
  digest: string | null;
  size: number | null;
  rows: number | null;
  columns: unknown;
  kind: string | null;
  role: string | null;
}

export interface ISource {
  code: string | null;
  cell_hash: string | null;
  execution_count: number | null;
  notebook_path: string | null;
}

export interface IGitInfo {
  commit: string | null;
  branch: string | null;
  dirty: boolean | null;
}

export interface IIterationDetail extends IIterationSummary {
  params_typed: IParamTyped[];
  latest_metrics: ILatestMetric[];
  datasets: IDataset[];
  source: ISource | null;
  environment: { [key: string]: unknown } | null;
  git: IGitInfo | null;
  error: string | null;
  heartbeat_at: string | null;
}

export interface IProjectList {
  projects: IProject[];
}

export interface IExperimentList {
  experiments: IExperiment[];
}

export interface IIterationPage {
  iterations: IIterationSummary[];
  total: number;
  next_cursor: string | null;
  param_keys: string[];
  metric_keys: string[];
}

export interface IMetricPoint {
  step: number | null;
  value: MetricValue;
  timestamp: string | null;
}

export interface IMetricHistory {
  key: string;
  points: IMetricPoint[];
  total: number;
  downsampled: boolean;
}

/** Body of PATCH iterations/{id}; a null tag value removes the tag. */
export interface IIterationPatch {
  name?: string;
  tags?: { [key: string]: string | null };
}

export type ModelStage = 'none' | 'staging' | 'production' | 'archived';

export interface IRegisteredModel {
  id: number;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  latest_version: number | null;
  production_version: number | null;
  aliases: { [alias: string]: number };
}

export interface IModelVersion {
  id: number;
  model_name: string;
  version: number;
  stage: ModelStage;
  source: 'iteration' | 'upload';
  iteration_id: number | null;
  sha256: string;
  size: number | null;
  format: string;
  flavor: string | null;
  model_class: string | null;
  filename: string | null;
  description: string | null;
  metrics: { [key: string]: MetricValue };
  params: { [key: string]: ParamValue };
  created_at: string;
  created_by: string | null;
  aliases: string[];
}

/** `GET models/{name}`: the model plus its versions. */
export interface IModelDetail extends IRegisteredModel {
  versions: IModelVersion[];
}

export interface IModelList {
  models: IRegisteredModel[];
}

/** One production model as `GET monitoring/models` summarises its last 24 hours. */
export interface IMonitoredModel {
  name: string;
  production_version: number;
  predictions_24h: number;
  errors_24h: number;
  error_rate_24h: number | null;
  latency_p95_ms_24h: number | null;
  drifted_features: string[];
  last_prediction_at: string | null;
}

export interface IMonitoredModelList {
  models: IMonitoredModel[];
}

/** Error body of every failing route: `{"message", "reason"}`. */
export interface IErrorBody {
  message?: string;
  reason?: string;
  /** The request field a 400 is about, when the server names one. */
  field?: string;
}

/** Comparison operators accepted by the `filter` query parameter. */
export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export const FILTER_OPS: FilterOp[] = ['>=', '>', '<=', '<', '=', '!='];

/** The query of `GET iterations` as the panel builds it. */
export interface IIterationQuery {
  projectId: number | null;
  experimentId: number | null;
  statuses: IterationStatus[];
  text: string;
  /** `metrics.<key>` or `params.<key>` comparisons, e.g. `metrics.accuracy>=0.9`. */
  filters: string[];
  /** `started_at`, `name`, ..., `metrics.<key>`; leading `-` for descending. */
  sort: string;
  deletedOnly: boolean;
}

/** `GET models/{name}/history`: one stage change, oldest first. */
export interface IStageTransition {
  id: number;
  model_name: string;
  version: number;
  from_stage: ModelStage;
  to_stage: ModelStage;
  actor: string | null;
  at: string;
  comment: string | null;
}

export interface IStageHistory {
  transitions: IStageTransition[];
}

export type AlertTrigger =
  | 'iteration_logged'
  | 'prediction_failed'
  | 'prediction_threshold'
  | 'drift'
  | 'performance'
  | 'latency';

export const ALERT_TRIGGERS: AlertTrigger[] = [
  'iteration_logged',
  'prediction_failed',
  'prediction_threshold',
  'drift',
  'performance',
  'latency'
];

/** Triggers evaluated over time windows: they take above/below and a window. */
export const WINDOWED_TRIGGERS: AlertTrigger[] = ['drift', 'performance', 'latency'];

/**
 * A rule's condition as stored: a comparison (`field op value`) and/or, for
 * windowed triggers, a limit with its direction and window.
 */
export interface IAlertCondition {
  field?: string;
  op?: string;
  value?: unknown;
  limit?: number;
  direction?: 'above' | 'below';
  window_minutes?: number;
  hysteresis?: number;
  feature?: string | null;
  metric?: string | null;
}

export interface IAlertRule {
  id: number;
  name: string;
  trigger: AlertTrigger;
  scope_kind: 'project' | 'experiment' | 'model';
  project: string | null;
  experiment: string | null;
  model: string | null;
  condition: IAlertCondition;
  channel: 'email' | 'webhook';
  recipients: string[];
  webhook_url: string | null;
  cooldown_seconds: number;
  digest: boolean;
  notebook: string | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface IAlertRuleList {
  rules: IAlertRule[];
}

/** Body of `POST alerts/rules` (and, without `name`, of `POST alerts/backtest`). */
export interface IAlertRuleDefinition {
  name?: string;
  trigger: AlertTrigger;
  project?: string;
  experiment?: string;
  model?: string;
  condition?: string;
  feature?: string;
  metric?: string;
  above?: number;
  below?: number;
  window?: string;
  recipients?: string[];
  cooldown?: string;
  enabled?: boolean;
}

export interface IBacktestResult {
  rule: string;
  since: number | null;
  would_fire: number;
  first: number | null;
  last: number | null;
}

export type AlertEventStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';

export interface IAlertEvent {
  id: number;
  rule_id: number;
  rule_name: string;
  kind: 'firing' | 'resolved';
  subject: string;
  fired_at: string;
  status: AlertEventStatus;
  attempts: number;
  next_attempt_at: string | null;
  sent_at: string | null;
  last_error: string | null;
}

export interface IAlertEventList {
  events: IAlertEvent[];
}

/** `POST alerts/deliver`: counts by outcome (sent, retry, failed). */
export interface IDeliverResult {
  delivered: { [outcome: string]: number };
}
