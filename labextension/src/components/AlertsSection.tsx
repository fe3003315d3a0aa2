/**
 * The Alerts section of the Monitoring tab: the rules with an on/off switch,
 * a "New rule" form, and the recent events, where deliveries that failed for
 * good are highlighted with their last error.
 *
 * Rules, events and errors are user or server text (rule names, SMTP
 * answers quoting addresses): all of it is rendered as React text.
 */
import { Notification } from '@jupyterlab/apputils';
import * as React from 'react';

import { deliverAlerts, setAlertRuleEnabled } from '../api';
import { formatAny, formatFullTime, formatShortTime } from '../format';
import { MlopsModel } from '../model';
import { IAlertCondition, IAlertEvent, IAlertEventList, IAlertRule, IAlertRuleList } from '../tokens';
import { AlertRuleForm } from './AlertRuleForm';
import { NotAvailable } from './common';
import { useRemote } from './useRemote';

const REFRESH_MS = 5000;
const EVENTS_QUERY = { limit: 50 };

function scopeText(r: IAlertRule): string {
  if (r.scope_kind === 'model') {
    return `model ${r.model ?? ''}`;
  }
  return r.experiment ? `${r.project ?? ''} / ${r.experiment}` : `project ${r.project ?? ''}`;
}

/** `accuracy >= 0.9`, `drift of alcohol above 0.2 over 60 min`, ... */
export function conditionText(trigger: string, c: IAlertCondition | null): string {
  if (!c) {
    return '';
  }
  const parts: string[] = [];
  if (c.field !== undefined) {
    const field = trigger === 'iteration_logged' ? c.field.replace(/^metrics\./, '') : c.field;
    parts.push(`${field} ${c.op ?? ''} ${formatAny(c.value)}`);
  }
  if (c.limit !== undefined) {
    const what =
      trigger === 'drift'
        ? `drift of ${c.feature ?? 'any feature'}`
        : trigger === 'performance'
          ? (c.metric ?? 'metric')
          : 'p95 latency';
    parts.push(`${what} ${c.direction ?? 'above'} ${c.limit} over ${c.window_minutes ?? '?'} min`);
  }
  return parts.join('; ');
}

function RuleRow(props: { rule: IAlertRule; onToggle: (r: IAlertRule) => void; busy: boolean }): JSX.Element {
  const r = props.rule;
  const condition = conditionText(r.trigger, r.condition);
  const cooldown = r.cooldown_seconds ? `${Math.round(r.cooldown_seconds / 60)} min cooldown` : 'no cooldown';
  return (
    <li className={`jp-mlops-rule${r.enabled ? '' : ' jp-mlops-rule-disabled'}`} data-rule-id={r.id}>
      <div className="jp-mlops-version-line">
        <strong className="jp-mlops-rule-name">{r.name}</strong>
        <span className="jp-mlops-stage">{r.trigger.replace(/_/g, ' ')}</span>
        <button
          role="switch"
          className="jp-mlops-chip jp-mlops-rule-enabled"
          aria-checked={r.enabled}
          disabled={props.busy}
          aria-label={`Enable rule ${r.name}`}
          title={r.enabled ? 'Enabled: click to disable' : 'Disabled: click to enable'}
          onClick={() => props.onToggle(r)}
        >
          {r.enabled ? 'on' : 'off'}
        </button>
      </div>
      <div className="jp-mlops-muted jp-mlops-rule-scope">
        {scopeText(r)}
        {condition && ` · ${condition}`}
      </div>
      <div className="jp-mlops-muted jp-mlops-rule-recipients">
        {r.channel === 'webhook' ? `webhook ${r.webhook_url ?? ''}` : r.recipients.join(', ')}
        {` · ${cooldown}`}
      </div>
    </li>
  );
}

function EventRow({ e }: { e: IAlertEvent }): JSX.Element {
  const failed = e.status === 'failed';
  return (
    <li
      className={`jp-mlops-event${failed ? ' jp-mlops-event-failed' : ''}`}
      data-event-id={e.id}
      data-status={e.status}
    >
      <div className="jp-mlops-version-line">
        <span className={`jp-mlops-stage jp-mlops-event-status-${e.status}`}>{e.status}</span>
        <strong className="jp-mlops-event-rule">{e.rule_name}</strong>
        <span className="jp-mlops-count" title={formatFullTime(e.fired_at)}>
          {formatShortTime(e.fired_at)}
        </span>
      </div>
      <div className="jp-mlops-event-subject">
        {`${e.kind === 'resolved' ? 'resolved: ' : ''}${e.subject}`}
        {e.attempts > 0 && <span className="jp-mlops-muted">{` · ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`}</span>}
      </div>
      {e.last_error && (
        <div className={`jp-mlops-event-error${failed ? ' jp-mlops-error-text' : ' jp-mlops-muted'}`}>
          {e.last_error}
        </div>
      )}
    </li>
  );
}

function EventList(props: { model: MlopsModel }): JSX.Element {
  const [state, reload] = useRemote<IAlertEventList>(
    props.model,
    'alerts/events',
    'alert events',
    REFRESH_MS,
    EVENTS_QUERY
  );
  const [busy, setBusy] = React.useState(false);

  const deliver = async () => {
    setBusy(true);
    try {
      const result = await deliverAlerts();
      const counts = Object.entries(result.delivered ?? {})
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      Notification.info(counts ? `Alert delivery: ${counts}` : 'No alert was due for delivery', {
        autoClose: 5000
      });
    } catch (error) {
      props.model.reportError(error, 'Delivering alerts failed', true);
    } finally {
      setBusy(false);
      reload();
    }
  };

  if (state.kind !== 'ok') {
    return state.kind === 'loading' ? <p className="jp-mlops-muted">Loading events…</p> : <></>;
  }
  const events = state.data.events ?? [];
  const failed = events.filter(e => e.status === 'failed').length;
  return (
    <section className="jp-mlops-alert-events" aria-label="Recent alert events">
      <header className="jp-mlops-section-header">
        <h4>
          Recent events{' '}
          {failed > 0 && <span className="jp-mlops-badge jp-mlops-failed-count">{`${failed} failed`}</span>}
        </h4>
        <button className="jp-mlops-button jp-mlops-deliver" disabled={busy} onClick={() => void deliver()}>
          Deliver now
        </button>
      </header>
      {events.length === 0 ? (
        <p className="jp-mlops-muted">No alert has fired yet.</p>
      ) : (
        <ul className="jp-mlops-events">
          {events.map(e => (
            <EventRow key={e.id} e={e} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function AlertsSection({ model }: { model: MlopsModel }): JSX.Element {
  const [state, reload] = useRemote<IAlertRuleList>(model, 'alerts/rules', 'alert rules', REFRESH_MS);
  const [formOpen, setFormOpen] = React.useState(false);
  const [busy, setBusy] = React.useState(false);

  const toggle = async (r: IAlertRule) => {
    setBusy(true);
    try {
      await setAlertRuleEnabled(r.id, !r.enabled);
    } catch (error) {
      model.reportError(error, `${r.enabled ? 'Disabling' : 'Enabling'} rule ${r.name} failed`, true);
    } finally {
      setBusy(false);
      reload();
    }
  };

  let body: JSX.Element;
  if (state.kind === 'not-available') {
    return <NotAvailable feature="Alerts" />;
  } else if (state.kind === 'loading') {
    body = <p className="jp-mlops-muted">Loading alert rules…</p>;
  } else if (state.kind === 'error') {
    body = <p className="jp-mlops-error-text">{state.message}</p>;
  } else if (state.data.rules.length === 0) {
    body = <p className="jp-mlops-muted jp-mlops-no-rules">No alert rule yet.</p>;
  } else {
    body = (
      <ul className="jp-mlops-rules" aria-label="Alert rules">
        {state.data.rules.map(r => (
          <RuleRow key={r.id} rule={r} busy={busy} onToggle={r => void toggle(r)} />
        ))}
      </ul>
    );
  }

  return (
    <section className="jp-mlops-alerts" aria-label="Alerts">
      <header className="jp-mlops-section-header">
        <h3>Alerts</h3>
        <button
          className="jp-mlops-button jp-mlops-new-rule"
          aria-expanded={formOpen}
          onClick={() => setFormOpen(!formOpen)}
        >
          New rule
        </button>
      </header>
      {formOpen && (
        <AlertRuleForm
          model={model}
          onSaved={() => {
            setFormOpen(false);
            reload();
          }}
          onCancel={() => setFormOpen(false)}
        />
      )}
      {body}
      <EventList model={model} />
    </section>
  );
}
