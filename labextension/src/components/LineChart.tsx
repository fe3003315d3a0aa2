/**
 * A hand-drawn SVG line chart for learning curves, one or several series
 * overlaid. The server already downsamples long histories (max_points), so a
 * plain polyline per series is fast enough and needs no chart library.
 */
import * as React from 'react';

export interface ISeries {
  label: string;
  /** [step, value] pairs; non-finite values are skipped (gaps). */
  points: Array<[number, number]>;
}

interface IProps {
  title: string;
  series: ISeries[];
  height?: number;
}

const MARGIN = { top: 10, right: 12, bottom: 24, left: 56 };
const COLORS = 10; // --jp-mlops-series-0 ... -9 in style/base.css

/** 1, 2 or 5 times a power of ten, so tick labels stay short. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const unit = raw / power;
  return (unit >= 5 ? 10 : unit >= 2 ? 5 : unit >= 1 ? 2 : 1) * power;
}

function ticks(min: number, max: number, count: number): number[] {
  if (min === max) {
    return [min];
  }
  const step = niceStep(max - min, count);
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
    out.push(Number(t.toPrecision(12)));
  }
  return out;
}

function tickLabel(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) {
    return value.toExponential(1);
  }
  return String(Number(value.toPrecision(4)));
}

function useWidth(ref: React.RefObject<HTMLElement>, fallback: number): number {
  const [width, setWidth] = React.useState(fallback);
  React.useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const observer = new ResizeObserver(() => setWidth(node.clientWidth || fallback));
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return width;
}

export function LineChart({ title, series, height = 200 }: IProps): JSX.Element {
  const box = React.useRef<HTMLDivElement>(null);
  const width = Math.max(200, useWidth(box, 480));

  const finite = series.map(s => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const all = finite.flat();
  const xs = all.map(p => p[0]);
  const ys = all.map(p => p[1]);
  let [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  let [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  if (all.length === 0) {
    [xMin, xMax, yMin, yMax] = [0, 1, 0, 1];
  }
  if (xMin === xMax) {
    xMax = xMin + 1;
  }
  if (yMin === yMax) {
    const pad = Math.abs(yMin) * 0.05 || 1;
    yMin -= pad;
    yMax += pad;
  }

  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number) => MARGIN.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;

  const paths = finite.map(points =>
    points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('')
  );

  return (
    <figure className="jp-mlops-chart" ref={box} data-metric={title}>
      <figcaption>{title}</figcaption>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={`Learning curve of ${title}: ${series.map(s => s.label).join(', ')}`}
      >
        <g className="jp-mlops-chart-grid">
          {ticks(yMin, yMax, 4).map(t => (
            <g key={`y${t}`}>
              <line x1={MARGIN.left} x2={width - MARGIN.right} y1={sy(t)} y2={sy(t)} />
              <text x={MARGIN.left - 4} y={sy(t)} dy="0.32em" textAnchor="end">
                {tickLabel(t)}
              </text>
            </g>
          ))}
          {ticks(xMin, xMax, 5).map(t => (
            <text key={`x${t}`} x={sx(t)} y={height - 6} textAnchor="middle">
              {tickLabel(t)}
            </text>
          ))}
        </g>
        {paths.map((d, i) => (
          <path
            key={i}
            d={d}
            className={`jp-mlops-chart-line jp-mlops-series-${i % COLORS}`}
            fill="none"
          >
            <title>{series[i].label}</title>
          </path>
        ))}
        {finite.map((points, i) =>
          points.length === 1 ? (
            <circle
              key={`c${i}`}
              cx={sx(points[0][0])}
              cy={sy(points[0][1])}
              r={3}
              className={`jp-mlops-chart-dot jp-mlops-series-${i % COLORS}`}
            />
          ) : null
        )}
      </svg>
      {series.length > 1 && (
        <ul className="jp-mlops-legend">
          {series.map((s, i) => (
            <li key={i}>
              <span className={`jp-mlops-swatch jp-mlops-series-${i % COLORS}`} aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
