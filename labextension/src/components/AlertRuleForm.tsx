/**
 * The compact "New rule" form of the Monitoring tab's Alerts section.
 *
 * It only gathers text; the server validates the definition (the same
 * `rule_fields` as `mj.alerts.add_rule`) and its 400 names the field, which
 * is shown under the form and marked on the input. Backtest asks the server
 * how often the draft would have fired in the last 30 days.
 */
import * as React from 'react';

import { backtestDraft, createAlertRule } from '../api';
import { MlopsModel } from '../model';
import { MlopsApiError } from '../requestAPI';
import { ALERT_TRIGGERS, AlertTrigger, IAlertRuleDefinition, WINDOWED_TRIGGERS } from '../tokens';

const BACKTEST_SINCE = '30d';

/** What each trigger compares; shown as the condition's placeholder. */
const CONDITION_HINT: { [key in AlertTrigger]?: string } = {
  iteration_logged: 'accuracy >= 0.9 (optional)',
  prediction_threshold: 'confidence < 0.5'
};
const LIMIT_HINT: { [key in AlertTrigger]?: string } = {
  drift: 'PSI, e.g. 0.2',
  performance: 'e.g. 0.8',
  latency: 'p95 ms, e.g. 250'
};

interface IDraft {
  name: string;
  trigger: AlertTrigger;
  project: string;
  experiment: string;
  model: string;
  condition: string;
  direction: 'above' | 'below';
  limit: string;
  feature: string;
  metric: string;
  window: string;
  recipients: string;
  cooldown: string;
}

const EMPTY: IDraft = {
  name: '',
  trigger: 'iteration_logged',
  project: '',
  experiment: '',
  model: '',
  condition: '',
  direction: 'above',
  limit: '',
  feature: '',
  metric: '',
  window: '1h',
  recipients: '',
  cooldown: '15min'
};

/** The JSON definition of a draft: empty fields are left out for the server's defaults. */
function toDefinition(d: IDraft): IAlertRuleDefinition {
  const out: IAlertRuleDefinition = { name: d.name.trim(), trigger: d.trigger };
  const text = (value: string) => value.trim() || undefined;
  const windowed = WINDOWED_TRIGGERS.includes(d.trigger);
  if (d.trigger === 'iteration_logged') {
    out.project = text(d.project);
    out.experiment = text(d.experiment);
  } else {
    out.model = text(d.model);
  }
  if (d.trigger === 'iteration_logged' || d.trigger === 'prediction_threshold') {
    out.condition = text(d.condition);
  }
  if (windowed) {
    const limit = d.limit.trim();
    if (limit !== '') {
      out[d.direction] = Number(limit);
    }
    out.window = text(d.window);
    if (d.trigger === 'drift') {
      out.feature = text(d.feature);
    }
    if (d.trigger === 'performance') {
      out.metric = text(d.metric);
    }
  }
  out.recipients = d.recipients
    .split(',')
    .map(r => r.trim())
    .filter(r => r !== '');
  out.cooldown = text(d.cooldown);
  return JSON.parse(JSON.stringify(out)); // drop the undefined keys
}

function Field(props: {
  label: string;
  name: keyof IDraft;
  draft: IDraft;
  invalid: string;
  set: (patch: Partial<IDraft>) => void;
  placeholder?: string;
  type?: string;
}): JSX.Element {
  return (
    <label className="jp-mlops-form-field">
      <span>{props.label}</span>
      <input
        className="jp-mod-styled"
        name={props.name}
        type={props.type ?? 'text'}
        step={props.type === 'number' ? 'any' : undefined}
        value={props.draft[props.name]}
        placeholder={props.placeholder}
        aria-invalid={props.invalid === props.name || undefined}
        onChange={e => props.set({ [props.name]: e.target.value })}
      />
    </label>
  );
}

/**
 * Which input a server field name belongs to: above/below share the limit
 * input, and the name check reports its field as `rule`.
 */
function inputFor(field: string): string {
  if (field === 'above' || field === 'below') {
    return 'limit';
  }
  return field === 'rule' ? 'name' : field;
}

export function AlertRuleForm(props: {
  model: MlopsModel;
  onSaved: () => void;
  onCancel: () => void;
}): JSX.Element {
  const [draft, setDraft] = React.useState<IDraft>(EMPTY);
  const [problem, setProblem] = React.useState<{ message: string; field: string } | null>(null);
  const [backtest, setBacktest] = React.useState<string>('');
  const [busy, setBusy] = React.useState(false);
  const set = (patch: Partial<IDraft>) => {
    setDraft(d => ({ ...d, ...patch }));
    setBacktest('');
  };

  /** A 400 stays in the form, next to the inputs; anything else is a notification. */
  const run = async (what: string, call: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await call();
    } catch (error) {
      if (error instanceof MlopsApiError && (error.status === 400 || error.status === 409)) {
        setProblem({ message: error.message, field: inputFor(error.field) });
      } else {
        props.model.reportError(error, `${what} failed`, true);
      }
    } finally {
      setBusy(false);
    }
  };

  const onBacktest = () =>
    void run('Backtest', async () => {
      const result = await backtestDraft(toDefinition(draft), BACKTEST_SINCE);
      const n = result.would_fire;
      setBacktest(`Would have fired ${n} time${n === 1 ? '' : 's'} in 30 days.`);
    });

  const onSave = (event: React.FormEvent) => {
    event.preventDefault();
    void run('Saving the rule', async () => {
      await createAlertRule(toDefinition(draft));
      setDraft(EMPTY);
      setBacktest('');
      props.onSaved();
    });
  };

  const common = { draft, set, invalid: problem?.field ?? '' };
  const t = draft.trigger;
  const windowed = WINDOWED_TRIGGERS.includes(t);
  return (
    <form className="jp-mlops-rule-form" aria-label="New alert rule" onSubmit={onSave}>
      <Field label="Name" name="name" {...common} />
      <label className="jp-mlops-form-field">
        <span>Trigger</span>
        <select
          className="jp-mod-styled"
          name="trigger"
          value={t}
          aria-invalid={common.invalid === 'trigger' || undefined}
          onChange={e => set({ trigger: e.target.value as AlertTrigger })}
        >
          {ALERT_TRIGGERS.map(x => (
            <option key={x} value={x}>
              {x.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </label>
      {t === 'iteration_logged' ? (
        <>
          <Field label="Project" name="project" {...common} />
          <Field label="Experiment" name="experiment" placeholder="optional" {...common} />
        </>
      ) : (
        <Field label="Model" name="model" {...common} />
      )}
      {CONDITION_HINT[t] !== undefined && (
        <Field label="Condition" name="condition" placeholder={CONDITION_HINT[t]} {...common} />
      )}
      {windowed && (
        <>
          <div className="jp-mlops-form-field">
            <span>Fire when</span>
            <span className="jp-mlops-inline">
              <select
                className="jp-mod-styled"
                name="direction"
                aria-label="Direction"
                value={draft.direction}
                onChange={e => set({ direction: e.target.value as 'above' | 'below' })}
              >
                <option value="above">above</option>
                <option value="below">below</option>
              </select>
              <input
                className="jp-mod-styled"
                name="limit"
                type="number"
                step="any"
                aria-label="Limit"
                placeholder={LIMIT_HINT[t]}
                value={draft.limit}
                aria-invalid={common.invalid === 'limit' || undefined}
                onChange={e => set({ limit: e.target.value })}
              />
            </span>
          </div>
          {t === 'drift' && (
            <Field label="Feature" name="feature" placeholder="any feature" {...common} />
          )}
          {t === 'performance' && (
            <Field label="Metric" name="metric" placeholder="accuracy" {...common} />
          )}
          <Field label="Window" name="window" placeholder="1h" {...common} />
        </>
      )}
      <Field label="Recipients" name="recipients" placeholder="ada@example.org, bob@example.org" {...common} />
      <Field label="Cooldown" name="cooldown" placeholder="15min (0: none)" {...common} />
      {problem && (
        <p className="jp-mlops-error-text jp-mlops-form-problem" role="alert">
          {problem.message}
        </p>
      )}
      {backtest && (
        <p className="jp-mlops-backtest" role="status">
          {backtest}
        </p>
      )}
      <div className="jp-mlops-form-buttons">
        <button type="button" className="jp-mlops-button" disabled={busy} onClick={onBacktest}>
          Backtest
        </button>
        <button type="submit" className="jp-mlops-button jp-mlops-primary" disabled={busy}>
          Save
        </button>
        <button type="button" className="jp-mlops-button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
