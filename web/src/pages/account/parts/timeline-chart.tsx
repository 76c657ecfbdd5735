import { type MouseEvent, useEffect, useRef, useState } from 'react';
import { count } from '../../../ui/format';

// Received vs published over time as inline SVG, drawn at the container's real width so the axis
// text stays readable on phones. Hovering shows one bucket's numbers.

export interface TimelinePoint {
  at: number;
  received: number;
  published: number;
  dropped: number;
}

const HEIGHT = 220;
const PAD = { top: 12, right: 14, bottom: 26, left: 44 };
const RECEIVED = '#1f5eff';
const PUBLISHED = '#1b7f4b';

export function TimelineChart({ points, minutes, label }: { points: TimelinePoint[]; minutes: number; label: string }) {
  const wrap = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<number | null>(null);
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry?.contentRect.width ?? 0)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const totals = points.reduce((t, p) => ({ r: t.r + p.received, p: t.p + p.published }), { r: 0, p: 0 });
  const max = Math.max(0, ...points.map((p) => Math.max(p.received, p.published)));
  const ticks = yTicks(max);
  const top = ticks[ticks.length - 1] ?? 1;
  const plotW = Math.max(1, width - PAD.left - PAD.right);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length <= 1 ? plotW / 2 : (i * plotW) / (points.length - 1));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const line = (key: 'received' | 'published') =>
    points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const fmt = (at: number) => timeLabel(at, minutes);
  const labelCount = Math.max(2, Math.min(7, points.length, Math.floor(plotW / 90)));
  const labelIdx = [
    ...new Set(Array.from({ length: labelCount }, (_, k) => Math.round((k * (points.length - 1)) / (labelCount - 1)))),
  ];
  const summary =
    points.length === 0
      ? `${label}: no data for this period.`
      : `${label}: ${count(totals.r)} received and ${count(totals.p)} published between ${fmt(points[0]?.at ?? 0)} and ${fmt(points[points.length - 1]?.at ?? 0)}; at most ${count(max)} in one interval.`;

  const onMove = (e: MouseEvent<SVGSVGElement>) => {
    if (points.length === 0) return;
    const box = e.currentTarget.getBoundingClientRect();
    const rel = (e.clientX - box.left - PAD.left) / plotW;
    setHover(Math.min(points.length - 1, Math.max(0, Math.round(rel * (points.length - 1)))));
  };
  const hovered = hover === null ? undefined : points[hover];

  return (
    <div className="timeline">
      <div className="legend">
        <span>
          <i style={{ background: RECEIVED }} />
          Received {count(totals.r)}
        </span>
        <span>
          <i style={{ background: PUBLISHED }} />
          Published {count(totals.p)}
        </span>
        {hovered ? (
          <span className="timeline-hover">
            {fmt(hovered.at)}: {count(hovered.received)} received, {count(hovered.published)} published
          </span>
        ) : null}
      </div>
      <div ref={wrap} className="timeline-plot">
        {width > 0 ? (
          <svg
            className="chart"
            width={width}
            height={HEIGHT}
            role="img"
            aria-label={summary}
            onMouseMove={onMove}
            onMouseLeave={() => setHover(null)}
          >
            <title>{summary}</title>
            {ticks.map((t) => (
              <g key={t}>
                <line className="grid" x1={PAD.left} x2={PAD.left + plotW} y1={y(t)} y2={y(t)} />
                <text className="axis" x={PAD.left - 6} y={y(t) + 4} textAnchor="end">
                  {compact(t)}
                </text>
              </g>
            ))}
            {labelIdx.map((i) => (
              <text
                key={i}
                className="axis"
                x={x(i)}
                y={HEIGHT - 6}
                textAnchor={i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'}
              >
                {fmt(points[i]?.at ?? 0)}
              </text>
            ))}
            {max === 0 ? (
              <text className="axis" x={PAD.left + plotW / 2} y={PAD.top + plotH / 2} textAnchor="middle">
                No events in this period
              </text>
            ) : null}
            {points.length > 0 ? (
              <>
                <path
                  d={`${line('received')} L${x(points.length - 1)},${y(0)} L${x(0)},${y(0)} Z`}
                  fill={RECEIVED}
                  opacity={0.08}
                />
                <path d={line('received')} fill="none" stroke={RECEIVED} strokeWidth={2} strokeLinejoin="round" />
                {/* Dashed, so it stays visible where it runs on top of the received line. */}
                <path
                  d={line('published')}
                  fill="none"
                  stroke={PUBLISHED}
                  strokeWidth={2}
                  strokeDasharray="6 4"
                  strokeLinejoin="round"
                />
              </>
            ) : null}
            {hovered && hover !== null ? (
              <g>
                <line className="grid" x1={x(hover)} x2={x(hover)} y1={PAD.top} y2={PAD.top + plotH} />
                <circle cx={x(hover)} cy={y(hovered.received)} r={3.5} fill={RECEIVED} />
                <circle cx={x(hover)} cy={y(hovered.published)} r={3.5} fill={PUBLISHED} />
              </g>
            ) : null}
          </svg>
        ) : null}
      </div>
    </div>
  );
}

/** 0 and four steps of 1, 2 or 5 × 10^k that reach max (0..4 when there is nothing). */
function yTicks(max: number): number[] {
  if (max <= 0) return [0, 1, 2, 3, 4];
  const raw = max / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
  const stepInt = Math.max(1, step);
  const out: number[] = [];
  for (let v = 0; v <= max + stepInt - 1e-9 && out.length < 7; v += stepInt) out.push(v);
  return out;
}

const compact = (n: number) =>
  n >= 10000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);

function timeLabel(at: number, minutes: number): string {
  const d = new Date(at);
  if (minutes <= 1440) return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });
}
