/**
 * The iteration list: only the rows in view (plus a small margin) exist in
 * the DOM, positioned inside a spacer as tall as `total` rows. Rows that are
 * not loaded yet show a placeholder while the model pages them in with the
 * server's cursor, so 100,000 iterations cost as much as 30.
 */
import * as React from 'react';

import { formatFullTime, formatMetric, formatShortTime } from '../format';
import { MlopsModel } from '../model';
import { StatusIcon } from './common';

/** Fixed row height: positions are computed, never measured. */
export const ROW_HEIGHT = 28;
const OVERSCAN = 8;

interface IProps {
  model: MlopsModel;
  onOpen: (iterationId: number) => void;
}

/** Re-render when any of the model's signals fire. */
function useSignals(model: MlopsModel): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const bump = () => setTick(t => t + 1);
    model.rowsChanged.connect(bump);
    model.selectionChanged.connect(bump);
    return () => {
      model.rowsChanged.disconnect(bump);
      model.selectionChanged.disconnect(bump);
    };
  }, [model]);
}

export function IterationList({ model, onOpen }: IProps): JSX.Element {
  useSignals(model);
  const scroller = React.useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [height, setHeight] = React.useState(400);
  const [active, setActive] = React.useState(0);

  React.useEffect(() => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    const observer = new ResizeObserver(() => setHeight(node.clientHeight || 400));
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  const total = model.total;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);

  React.useEffect(() => {
    model.ensureRange(first, last);
  }, [first, last, total, model.listLoaded]);

  // A new query starts at the top.
  React.useEffect(() => {
    if (!model.listLoaded && scroller.current) {
      scroller.current.scrollTop = 0;
      setActive(0);
    }
  }, [model.listLoaded]);

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(total - 1, index));
    setActive(next);
    const node = scroller.current;
    if (node) {
      const top = next * ROW_HEIGHT;
      if (top < node.scrollTop) {
        node.scrollTop = top;
      } else if (top + ROW_HEIGHT > node.scrollTop + node.clientHeight) {
        node.scrollTop = top + ROW_HEIGHT - node.clientHeight;
      }
    }
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const moves: { [key: string]: number } = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: total - 1
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key]);
      return;
    }
    const row = model.rowAt(active);
    if (!row) {
      return;
    }
    if (event.key === 'Enter') {
      event.preventDefault();
      onOpen(row.id);
    } else if (event.key === ' ') {
      event.preventDefault();
      model.toggleSelected(row);
    }
  };

  const keyMetric = model.keyMetric;
  const rows: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const row = model.rowAt(i);
    const style = { top: i * ROW_HEIGHT, height: ROW_HEIGHT };
    if (!row) {
      rows.push(
        <div key={`p${i}`} className="jp-mlops-row jp-mlops-row-placeholder" style={style} aria-hidden="true">
          …
        </div>
      );
      continue;
    }
    const selected = model.isSelected(row.id);
    rows.push(
      <div
        key={row.id}
        id={`jp-mlops-row-${i}`}
        role="option"
        aria-selected={selected}
        aria-label={`${row.name}, ${row.status}`}
        className={`jp-mlops-row${i === active ? ' jp-mod-active' : ''}${row.deleted ? ' jp-mlops-deleted' : ''}`}
        data-iteration-id={row.id}
        style={style}
        onClick={() => {
          setActive(i);
          onOpen(row.id);
        }}
      >
        <input
          type="checkbox"
          className="jp-mlops-row-check"
          tabIndex={-1}
          checked={selected}
          aria-label={`Select ${row.name} for comparison`}
          onClick={e => e.stopPropagation()}
          onChange={() => {
            setActive(i);
            model.toggleSelected(row);
          }}
        />
        <StatusIcon status={row.status} />
        <span className="jp-mlops-row-name" title={`${row.project_name} / ${row.experiment_name} / ${row.name}`}>
          {row.name}
        </span>
        <span className="jp-mlops-row-number">#{row.number}</span>
        <span className="jp-mlops-row-metric" title={keyMetric ?? undefined}>
          {keyMetric ? formatMetric(row.metrics[keyMetric]) : ''}
        </span>
        <span className="jp-mlops-row-time" title={`started ${formatFullTime(row.started_at)}`}>
          {formatShortTime(row.started_at)}
        </span>
      </div>
    );
  }

  const activeRow = model.rowAt(active);
  return (
    <div
      ref={scroller}
      className="jp-mlops-list"
      role="listbox"
      aria-multiselectable="true"
      aria-label={`Iterations (${total}). Enter opens, Space selects for comparison`}
      aria-activedescendant={activeRow && active >= first && active < last ? `jp-mlops-row-${active}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={e => setScrollTop((e.target as HTMLDivElement).scrollTop)}
    >
      <div className="jp-mlops-list-spacer" style={{ height: total * ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}
