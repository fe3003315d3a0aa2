/**
 * Monitoring tab: each model in production with its last 24 hours as the
 * server summarises them (traffic, errors, latency p95, drifted features),
 * then the alert rules and their recent events (AlertsSection).
 * Detailed reports live in `%mlops monitor`; this is the at-a-glance view.
 */
import * as React from 'react';

import { formatFullTime, formatShortTime } from '../format';
import { MlopsModel } from '../model';
import { IMonitoredModel, IMonitoredModelList } from '../tokens';
import { AlertsSection } from './AlertsSection';
import { KeyValueTable, Message, RemoteStatus } from './common';
import { useRemote } from './useRemote';

const REFRESH_MS = 5000;

function percent(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(rate < 0.01 && rate > 0 ? 2 : 1)} %`;
}

function MonitoredCard({ m }: { m: IMonitoredModel }): JSX.Element {
  const drifted = m.drifted_features ?? [];
  const failing = (m.error_rate_24h ?? 0) > 0;
  return (
    <article className="jp-mlops-record jp-mlops-monitored" data-model={m.name} aria-label={m.name}>
      <h4>
        {m.name} <span className="jp-mlops-muted">v{m.production_version}</span>
        {drifted.length > 0 && <span className="jp-mlops-badge jp-mlops-drift">drift</span>}
      </h4>
      <KeyValueTable
        label={`Last 24 hours of ${m.name}`}
        rows={[
          ['predictions (24 h)', m.predictions_24h.toLocaleString()],
          ['errors', `${m.errors_24h.toLocaleString()} (${percent(m.error_rate_24h)})`],
          ['latency p95', m.latency_p95_ms_24h === null ? '–' : `${m.latency_p95_ms_24h.toFixed(1)} ms`],
          ['last prediction', m.last_prediction_at ? formatShortTime(m.last_prediction_at) : 'never']
        ]}
      />
      {drifted.length > 0 && (
        <p className="jp-mlops-warning-text">{`Drifted features: ${drifted.join(', ')}`}</p>
      )}
      {failing && <p className="jp-mlops-error-text">Some predictions failed in the last 24 hours.</p>}
      {m.last_prediction_at && (
        <p className="jp-mlops-muted" title={formatFullTime(m.last_prediction_at)}>
          Details: <code>%mlops monitor {m.name}</code>
        </p>
      )}
    </article>
  );
}

function MonitoredModels({ model }: { model: MlopsModel }): JSX.Element {
  const [state, reload] = useRemote<IMonitoredModelList>(
    model,
    'monitoring/models',
    'monitoring',
    REFRESH_MS
  );
  if (state.kind !== 'ok') {
    return <RemoteStatus state={state} feature="Monitoring" reload={reload} />;
  }
  const models = state.data.models ?? [];
  if (models.length === 0) {
    return (
      <Message title="No model in production yet" className="jp-mlops-no-monitoring">
        <p>
          Models appear here once a version is promoted to production; predictions logged with{' '}
          <code>mj.log_prediction</code> or served by the predict endpoint fill in the figures.
        </p>
      </Message>
    );
  }
  return (
    <div className="jp-mlops-records" aria-label="Models in production">
      {models.map(m => (
        <MonitoredCard key={m.name} m={m} />
      ))}
    </div>
  );
}

export function MonitoringTab({ model }: { model: MlopsModel }): JSX.Element {
  return (
    <div className="jp-mlops-monitoring-tab">
      <MonitoredModels model={model} />
      <AlertsSection model={model} />
    </div>
  );
}
