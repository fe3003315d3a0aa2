/**
 * Small building blocks shared by the panel and the main-area views.
 *
 * All user data reaches the DOM as React text nodes (never as HTML), which is
 * what keeps names such as `<img onerror=...>` inert.
 */
import * as React from 'react';

import { ENABLE_COMMAND } from '../requestAPI';
import { IterationStatus } from '../tokens';
import { Remote } from './useRemote';

const STATUS_GLYPH: { [key in IterationStatus]: string } = {
  running: '●',
  finished: '✓',
  failed: '✕',
  killed: '■'
};

/** A coloured glyph; the status word is in its aria-label and tooltip. */
export function StatusIcon(props: { status: IterationStatus | string }): JSX.Element {
  const glyph = STATUS_GLYPH[props.status as IterationStatus] ?? '?';
  return (
    <span
      className={`jp-mlops-status jp-mlops-status-${props.status}`}
      role="img"
      aria-label={props.status}
      title={props.status}
    >
      {glyph}
    </span>
  );
}

/** A titled block of the iteration and compare views. */
export function Section(props: {
  title: string;
  children?: React.ReactNode;
  actions?: React.ReactNode;
}): JSX.Element {
  return (
    <section className="jp-mlops-section" aria-label={props.title}>
      <header className="jp-mlops-section-header">
        <h3>{props.title}</h3>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

/** Two-column table of already formatted values. */
export function KeyValueTable(props: {
  rows: Array<[string, string]>;
  label: string;
  empty?: string;
}): JSX.Element {
  if (props.rows.length === 0) {
    return <p className="jp-mlops-muted">{props.empty ?? 'Nothing recorded.'}</p>;
  }
  return (
    <table className="jp-mlops-table jp-mlops-kv" aria-label={props.label}>
      <tbody>
        {props.rows.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A centred explanatory message (empty, missing, not available...). */
export function Message(props: {
  title: string;
  children?: React.ReactNode;
  kind?: 'info' | 'warning' | 'error';
  className?: string;
}): JSX.Element {
  return (
    <div
      className={`jp-mlops-message jp-mlops-message-${props.kind ?? 'info'} ${props.className ?? ''}`}
      role={props.kind === 'error' ? 'alert' : 'status'}
    >
      <h3>{props.title}</h3>
      {props.children}
    </div>
  );
}

/** Shown when `GET mlops/api/projects` answers 404. */
export function MissingExtension(): JSX.Element {
  return (
    <Message
      title="The mlops-jupyter server extension is not enabled"
      kind="warning"
      className="jp-mlops-missing"
    >
      <p>The side panel needs the server extension of the same package. Enable it with</p>
      <pre className="jp-mlops-command">{ENABLE_COMMAND}</pre>
      <p>
        then restart JupyterLab. <code>jupyter server extension list</code> shows whether it is
        enabled and loads without errors.
      </p>
    </Message>
  );
}

/** Shown when the database holds no project yet: how to start tracking. */
export function EmptyState(): JSX.Element {
  return (
    <Message title="No iterations tracked yet" className="jp-mlops-empty">
      <p>Load the extension in a notebook, then track a cell:</p>
      <pre className="jp-mlops-command">
        {'%load_ext mlops_jupyter\nimport mlops_jupyter as mj\nmj.init(project="wine", experiment="scaling")'}
      </pre>
      <pre className="jp-mlops-command">
        {'%%track\nmodel.fit(X_train, y_train)\nmj.log_metric("accuracy", model.score(X_test, y_test))'}
      </pre>
      <p>Each tracked cell run becomes an iteration and appears here within a second or two.</p>
    </Message>
  );
}

/** Shown for registry and monitoring routes that answer 404. */
export function NotAvailable(props: { feature: string }): JSX.Element {
  return (
    <Message title={`${props.feature}: not available yet`} className="jp-mlops-not-available">
      <p>
        This version of the mlops-jupyter server does not serve {props.feature.toLowerCase()}{' '}
        yet. The tab fills in once the server provides it.
      </p>
    </Message>
  );
}

/**
 * Keyboard activation for non-button elements: Enter and Space behave like a
 * click, as they do on native buttons.
 */
export function onActivateKey(handler: () => void): (event: React.KeyboardEvent) => void {
  return event => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      handler();
    }
  };
}

/**
 * What a tab shows while its `useRemote` route is not loaded: loading, "not
 * available yet" (404), or the error with a retry. Null once the data is there.
 */
export function RemoteStatus<T>(props: {
  state: Remote<T>;
  feature: string;
  reload: () => void;
}): JSX.Element | null {
  const { state, feature, reload } = props;
  const what = feature.toLowerCase();
  switch (state.kind) {
    case 'loading':
      return <p className="jp-mlops-muted jp-mlops-pad">Loading {what}…</p>;
    case 'not-available':
      return <NotAvailable feature={feature} />;
    case 'error':
      return (
        <Message title={`Could not load ${what}`} kind="error">
          <p>{state.message}</p>
          <button className="jp-mlops-button" onClick={reload}>
            Retry
          </button>
        </Message>
      );
    default:
      return null;
  }
}
